package photo

import (
	"hash/fnv"
	"image"
	"image/color"
	"math"
	"strings"
	"sync"
	"unicode"

	"github.com/clipperhouse/uax29/v2/graphemes"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gomedium"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/text/unicode/norm"
)

// Initials returns the letters shown when there is no avatar: the first
// letter of the first and of the last word, upper-cased ("Anna Maria
// Svensson" → "AS", "Émile" → "É"). An email address uses its local part
// split at dots, dashes and underscores, without a +tag. Parenthesised
// parts ("Bo Ek (support)") are skipped. Each initial is a whole grapheme
// cluster, so combining marks stay on their letter. Empty when the name
// has no letter or digit.
func Initials(name string) string {
	name = norm.NFC.String(strings.TrimSpace(name))
	var words []string
	if at := strings.LastIndexByte(name, '@'); at > 0 && !strings.ContainsFunc(name, unicode.IsSpace) {
		local, _, _ := strings.Cut(name[:at], "+")
		words = strings.FieldsFunc(local, func(r rune) bool { return r == '.' || r == '_' || r == '-' })
	} else {
		words = strings.Fields(dropParenthesised(name))
	}
	var firsts []string
	for _, w := range words {
		if g := firstLetter(w); g != "" {
			firsts = append(firsts, g)
		}
	}
	switch len(firsts) {
	case 0:
		return ""
	case 1:
		return firsts[0]
	}
	return firsts[0] + firsts[len(firsts)-1]
}

// dropParenthesised removes (…) and […] spans, which hold roles and notes
// rather than names.
func dropParenthesised(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch r {
		case '(', '[':
			depth++
			b.WriteRune(' ')
		case ')', ']':
			depth = max(depth-1, 0)
			b.WriteRune(' ')
		default:
			if depth == 0 {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// firstLetter is the first grapheme cluster of w starting with a letter or
// digit, its base upper-cased.
func firstLetter(w string) string {
	g := graphemes.FromString(w)
	for g.Next() {
		c := g.Value()
		r := []rune(c)
		if unicode.IsLetter(r[0]) || unicode.IsNumber(r[0]) {
			r[0] = unicode.ToUpper(r[0])
			return norm.NFC.String(string(r))
		}
	}
	return ""
}

// initialsPalette: white text on each has a WCAG contrast ratio of at
// least 4.5:1 (tested).
var initialsPalette = []color.NRGBA{
	{0xC6, 0x28, 0x28, 0xFF}, {0xAD, 0x14, 0x57, 0xFF}, {0x8E, 0x24, 0xAA, 0xFF},
	{0x45, 0x27, 0xA0, 0xFF}, {0x28, 0x35, 0x93, 0xFF}, {0x15, 0x65, 0xC0, 0xFF},
	{0x02, 0x77, 0xBD, 0xFF}, {0x00, 0x69, 0x5C, 0xFF}, {0x2E, 0x7D, 0x32, 0xFF},
	{0x9E, 0x5A, 0x00, 0xFF}, {0xBF, 0x36, 0x0C, 0xFF}, {0x54, 0x6E, 0x7A, 0xFF},
}

// InitialsColour is the circle colour for a seed (e.g. a user ID): the
// same seed always gets the same colour, on every client.
func InitialsColour(seed string) color.NRGBA {
	h := fnv.New32a()
	h.Write([]byte(seed))
	return initialsPalette[h.Sum32()%uint32(len(initialsPalette))]
}

var initialsFont = sync.OnceValue(func() *sfnt.Font {
	f, err := opentype.Parse(gomedium.TTF)
	if err != nil {
		panic("photo: embedded Go font does not parse: " + err.Error())
	}
	return f
})

// RenderInitials draws initials in white on a circle of InitialsColour(seed)
// filling a size×size image; outside the circle is transparent. Graphemes
// the Go font has no glyph for are left out (the circle stays).
func RenderInitials(initials string, size int, seed string) image.Image {
	size = max(size, 1)
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	fillCircle(img, InitialsColour(seed))
	text := drawable(initials)
	if text == "" {
		return img
	}
	f := initialsFont()
	// Cap height about 40% of the circle; narrower if two wide letters
	// would crowd the edge.
	pt := float64(size) * 0.42
	face := newFace(f, pt)
	ink, _ := font.BoundString(face, text)
	if w := fixedF(ink.Max.X - ink.Min.X); w > float64(size)*0.62 {
		face.Close()
		pt *= float64(size) * 0.62 / w
		face = newFace(f, pt)
		ink, _ = font.BoundString(face, text)
	}
	defer face.Close()
	// Centre the ink, not the advance box: it looks centred.
	w, h := fixedF(ink.Max.X-ink.Min.X), fixedF(ink.Max.Y-ink.Min.Y)
	dot := fixed.Point26_6{
		X: fixed.Int26_6(math.Round(((float64(size)-w)/2 - fixedF(ink.Min.X)) * 64)),
		Y: fixed.Int26_6(math.Round(((float64(size)-h)/2 - fixedF(ink.Min.Y)) * 64)),
	}
	d := font.Drawer{Dst: img, Src: image.NewUniform(color.White), Face: face, Dot: dot}
	d.DrawString(text)
	return img
}

func newFace(f *sfnt.Font, pt float64) font.Face {
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: pt, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		panic("photo: Go font face: " + err.Error())
	}
	return face
}

// drawable keeps the grapheme clusters whose every rune has a glyph.
func drawable(s string) string {
	f := initialsFont()
	var buf sfnt.Buffer
	var b strings.Builder
	g := graphemes.FromString(s)
	for g.Next() {
		ok := true
		for _, r := range g.Value() {
			if i, err := f.GlyphIndex(&buf, r); err != nil || i == 0 {
				ok = false
				break
			}
		}
		if ok {
			b.WriteString(g.Value())
		}
	}
	return b.String()
}

// fillCircle paints an anti-aliased disc filling the image.
func fillCircle(img *image.NRGBA, c color.NRGBA) {
	size := img.Rect.Dx()
	r := float64(size) / 2
	for y := range size {
		for x := range size {
			d := math.Hypot(float64(x)+0.5-r, float64(y)+0.5-r)
			cover := max(0, min(1, r-d+0.5))
			if cover == 0 {
				continue
			}
			px := c
			px.A = uint8(math.Round(float64(c.A) * cover))
			img.SetNRGBA(x, y, px)
		}
	}
}

func fixedF(v fixed.Int26_6) float64 { return float64(v) / 64 }
