// Package assets embeds what the app ships besides code: the icon, sounds and
// translations.
package assets

import (
	"embed"
	_ "embed"
)

// Logo is the application icon (icon.png, 512×512, which packaging uses)
// at 192×192, for the window and the sign-in page (96 units at up to 2×
// scale). The 512-pixel icon cost every start 4.5 MB decoding it for the
// page, and ~4 ms decoding it plus a 2 MB X property for the window icon.
// Made with `convert icon.png -filter Lanczos -resize 192x192 -strip
// PNG32:logo.png`; a test checks it still matches the icon.
//
//go:embed logo.png
var Logo []byte

// Translations holds one JSON file per language (en.json, sv.json) in the
// go-i18n format Fyne's lang package reads.
//
//go:embed translations/*.json
var Translations embed.FS
