package photo

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"testing"
)

func TestInitials(t *testing.T) {
	tests := []struct {
		name, want string
	}{
		{"Anna Svensson", "AS"},
		{"anna maria svensson", "AS"},
		{"  Madonna  ", "M"},
		{"Émile Zola", "ÉZ"},
		{"e\u0301mile zola", "ÉZ"},   // decomposed accent composes
		{"q\u0303uentin", "Q\u0303"}, // no precomposed form: the mark stays on its letter
		{"Åsa Öberg", "ÅÖ"},
		{"Łukasz Żółć", "ŁŻ"},
		{"Ørjan Ødegård", "ØØ"},
		{"Σωκράτης Παπαδόπουλος", "ΣΠ"},
		{"Дмитрий Иванов", "ДИ"},
		{"山田 太郎", "山太"},
		{"김민수", "김"},
		{"Anna-Lena Svensson", "AS"},
		{"Bo Ek (support)", "BE"},
		{"[ext] Kim Li", "KL"},
		{"\"Jo\" O'Brien", "JO"},
		{"👍 Kim", "K"},
		{"anna.svensson@example.com", "AS"},
		{"anna.svensson+work@example.com", "AS"},
		{"first_middle-last@example.org", "FL"},
		{"info@example.com", "I"},
		{"R2D2", "R"},
		{"3M Support", "3S"},
		{"", ""},
		{"   ", ""},
		{"!!! ???", ""},
		{"@example.com", "E"},
	}
	for _, tt := range tests {
		if got := Initials(tt.name); got != tt.want {
			t.Errorf("Initials(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// contrast is the WCAG 2 contrast ratio of white on c.
func contrast(c color.NRGBA) float64 {
	lin := func(v uint8) float64 {
		f := float64(v) / 255
		if f <= 0.04045 {
			return f / 12.92
		}
		return math.Pow((f+0.055)/1.055, 2.4)
	}
	l := 0.2126*lin(c.R) + 0.7152*lin(c.G) + 0.0722*lin(c.B)
	return 1.05 / (l + 0.05)
}

func TestInitialsPaletteContrast(t *testing.T) {
	for _, c := range initialsPalette {
		if r := contrast(c); r < 4.5 {
			t.Errorf("white on %v: contrast %.2f < 4.5", c, r)
		}
	}
}

func TestInitialsColour(t *testing.T) {
	if a, b := InitialsColour("user-1"), InitialsColour("user-1"); a != b {
		t.Fatal("same seed, different colours")
	}
	used := map[color.NRGBA]bool{}
	for i := range 200 {
		used[InitialsColour(fmt.Sprint("user-", i))] = true
	}
	if len(used) != len(initialsPalette) {
		t.Errorf("200 seeds used %d of %d colours", len(used), len(initialsPalette))
	}
}

func TestRenderInitialsGolden(t *testing.T) {
	tests := []struct {
		golden   string
		initials string
		size     int
		seed     string
	}{
		{"initials_AS_128", "AS", 128, "user-1"},
		{"initials_E_64", "É", 64, "user-2"},
		{"initials_WM_96", "WM", 96, "user-3"},
		{"initials_cjk_48", "山", 48, "user-4"}, // no glyph: circle only
		{"initials_none_32", "", 32, "user-5"},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			img := RenderInitials(tt.initials, tt.size, tt.seed)
			if img.Bounds() != image.Rect(0, 0, tt.size, tt.size) {
				t.Fatalf("bounds %v", img.Bounds())
			}
			assertGolden(t, tt.golden, img, 4)
		})
	}
}

// TestRenderInitialsShape checks what goldens cannot explain: transparent
// corners, the seed's colour at the rim, white text inside, centred ink.
func TestRenderInitialsShape(t *testing.T) {
	for _, s := range []string{"AS", "WW", "I", "É", "Ω"} {
		img := RenderInitials(s, 100, "seed").(*image.NRGBA)
		bg := InitialsColour("seed")
		if img.NRGBAAt(0, 0).A != 0 || img.NRGBAAt(99, 99).A != 0 {
			t.Errorf("%s: corners not transparent", s)
		}
		if got := img.NRGBAAt(50, 3); got != bg {
			t.Errorf("%s: rim %v, want %v", s, got, bg)
		}
		var n, sx, sy int
		for y := range 100 {
			for x := range 100 {
				if c := img.NRGBAAt(x, y); c.R > 240 && c.G > 240 && c.B > 240 {
					n, sx, sy = n+1, sx+x, sy+y
					if math.Hypot(float64(x)-49.5, float64(y)-49.5) > 45 {
						t.Errorf("%s: text touches the rim at (%d,%d)", s, x, y)
					}
				}
			}
		}
		if n < 50 {
			t.Fatalf("%s: only %d white pixels", s, n)
		}
		// The ink's centre of mass is near the middle.
		if cx, cy := float64(sx)/float64(n), float64(sy)/float64(n); math.Abs(cx-49.5) > 8 || math.Abs(cy-49.5) > 8 {
			t.Errorf("%s: ink centred at (%.1f,%.1f)", s, cx, cy)
		}
	}
	if b := RenderInitials("A", 0, "x").Bounds(); b.Dx() != 1 {
		t.Errorf("size 0 gives %v", b)
	}
}
