// Package assets embeds what the app ships besides code: the icon, sounds and
// translations.
package assets

import (
	"embed"
	_ "embed"
)

// Icon is the application icon, 512×512 PNG.
//
//go:embed icon.png
var Icon []byte

// Translations holds one JSON file per language (en.json, sv.json) in the
// go-i18n format Fyne's lang package reads.
//
//go:embed translations/*.json
var Translations embed.FS
