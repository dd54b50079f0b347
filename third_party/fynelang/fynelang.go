// Package fynelang holds Fyne's own messages (its menus, dialogs and file
// picker: "Quit", "Cancel", weekday names) for the languages Phoneset
// speaks, copied from fyne.io/fyne/v2/lang/translations at the version in
// go.mod. Fyne keeps them unexported; the app needs them to register a
// language under a locale Fyne has no messages for (see ui.UseLanguage).
package fynelang

import (
	"embed"
)

//go:embed base.*.json
var files embed.FS

// Messages is Fyne's message file for the language code ("en", "sv").
func Messages(code string) ([]byte, error) {
	return files.ReadFile("base." + code + ".json")
}
