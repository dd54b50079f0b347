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

// Logo is the icon at 192×192, for the sign-in page (96 units at up to 2×
// scale): decoding the 512-pixel icon there cost 4.5 MB at start-up. Made
// with `convert icon.png -filter Lanczos -resize 192x192 -strip
// PNG32:logo.png`; a test checks it still matches the icon.
//
//go:embed logo.png
var Logo []byte

// Translations holds one JSON file per language (en.json, sv.json) in the
// go-i18n format Fyne's lang package reads.
//
//go:embed translations/*.json
var Translations embed.FS
