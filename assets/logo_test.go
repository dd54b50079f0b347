package assets

import (
	"bytes"
	"image/png"
	"os"
	"testing"

	"github.com/disintegration/imaging"
)

// The logo must be the current icon scaled down, not a stale copy.
func TestLogoIsTheIconScaled(t *testing.T) {
	f, err := os.Open("icon.png")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	icon, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	logo, err := png.Decode(bytes.NewReader(Logo))
	if err != nil {
		t.Fatal(err)
	}
	if b := logo.Bounds(); b.Dx() != 192 || b.Dy() != 192 {
		t.Fatalf("logo is %v, want 192×192", b.Size())
	}
	want := imaging.Resize(icon, 192, 192, imaging.Lanczos)
	got := imaging.Clone(logo)
	var diff, n float64
	for i := range got.Pix {
		d := float64(got.Pix[i]) - float64(want.Pix[i])
		if d < 0 {
			d = -d
		}
		diff += d
		n++
	}
	// Resamplers differ in rounding and edge handling, not in the picture.
	if mean := diff / n; mean > 2 {
		t.Errorf("logo differs from the scaled icon by %.2f per channel on average; remake it (see Logo)", mean)
	}
}
