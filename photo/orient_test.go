package photo

import (
	"image"
	"image/color"
	"math/rand/v2"
	"testing"

	"github.com/phoneset/phoneset/photo/internal/synth"
)

// storedLayout gives, per EXIF orientation, which displayed quadrant is
// stored top-left, top-right, bottom-left, bottom-right, when the upright
// picture is synth.Quadrants (R G / B Y). Worked out from the EXIF
// definition ("row 0 is the visual …"), not from any implementation.
var storedLayout = map[Orientation][4]string{
	OrientNormal:     {"R", "G", "B", "Y"},
	OrientFlipH:      {"G", "R", "Y", "B"},
	OrientRotate180:  {"Y", "B", "G", "R"},
	OrientFlipV:      {"B", "Y", "R", "G"},
	OrientTranspose:  {"R", "B", "G", "Y"},
	OrientRotate90CW: {"G", "Y", "R", "B"},
	OrientTransverse: {"Y", "G", "B", "R"},
	OrientRotate90CC: {"B", "R", "Y", "G"},
}

var quadColour = map[string]color.NRGBA{
	"R": synth.QuadrantColour(0, 0), "G": synth.QuadrantColour(1, 0),
	"B": synth.QuadrantColour(0, 1), "Y": synth.QuadrantColour(1, 1),
}

// storedQuadrants builds the stored pixels for orientation o of an upright
// w×h Quadrants picture.
func storedQuadrants(o Orientation, w, h int) *image.NRGBA {
	if o.swapsAxes() {
		w, h = h, w
	}
	l := storedLayout[o]
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.SetNRGBA(x, y, quadColour[l[(y*2/h)*2+x*2/w]])
		}
	}
	return m
}

// checkQuadrants asserts img shows R G / B Y at its quadrant centres.
func checkQuadrants(t *testing.T, what string, img image.Image, tol int) {
	t.Helper()
	b := img.Bounds()
	for i, q := range []string{"R", "G", "B", "Y"} {
		x := b.Min.X + b.Dx()*(1+2*(i%2))/4
		y := b.Min.Y + b.Dy()*(1+2*(i/2))/4
		if got := img.At(x, y); !near(got, quadColour[q], tol) {
			t.Errorf("%s: quadrant %s at (%d,%d) is %v", what, q, x, y, got)
		}
	}
}

func TestStoredLayoutMatchesTransforms(t *testing.T) {
	for o := OrientNormal; o <= OrientRotate90CC; o++ {
		up := o.upright(storedQuadrants(o, 40, 20))
		if up.Bounds().Size() != image.Pt(40, 20) {
			t.Errorf("orientation %d: upright size %v", o, up.Bounds().Size())
		}
		checkQuadrants(t, "upright", up, 0)
	}
}

func randomImage(w, h int, seed uint64) *image.NRGBA {
	r := rand.New(rand.NewPCG(seed, 1))
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range m.Pix {
		m.Pix[i] = uint8(r.IntN(256))
	}
	for i := 3; i < len(m.Pix); i += 4 {
		m.Pix[i] = 0xFF
	}
	return m
}

// TestStoredPointInvertsUpright: the point mapping used to crop before
// rotating agrees pixel for pixel with the transform applied to images,
// and so does the opaque renderer's own transform.
func TestStoredPointInvertsUpright(t *testing.T) {
	src := randomImage(7, 4, 1)
	rgba := &image.RGBA{Pix: src.Pix, Stride: src.Stride, Rect: src.Rect}
	for o := OrientNormal; o <= OrientRotate90CC; o++ {
		up := o.upright(src)
		op := uprightOpaque(rgba, o)
		if op.Bounds() != up.Bounds() {
			t.Fatalf("orientation %d: bounds %v vs %v", o, op.Bounds(), up.Bounds())
		}
		b := up.Bounds()
		for y := range b.Dy() {
			for x := range b.Dx() {
				sx, sy := o.storedPoint(float64(x)+0.5, float64(y)+0.5, 7, 4)
				want := src.NRGBAAt(int(sx), int(sy))
				if got := up.NRGBAAt(x, y); got != want {
					t.Fatalf("orientation %d: upright (%d,%d) = %v, stored point (%v,%v) = %v", o, x, y, got, sx, sy, want)
				}
				if got := op.RGBAAt(x, y); got != (color.RGBA(want)) {
					t.Fatalf("orientation %d: uprightOpaque (%d,%d) = %v, want %v", o, x, y, got, want)
				}
			}
		}
	}
}

// TestStoredRegion: cropping the stored image at the mapped region and
// orienting gives the same pixels as cropping the upright image.
func TestStoredRegion(t *testing.T) {
	src := randomImage(9, 6, 2)
	rects := []image.Rectangle{image.Rect(1, 2, 4, 5), image.Rect(0, 0, 9, 6), image.Rect(2, 0, 6, 3)}
	for o := OrientNormal; o <= OrientRotate90CC; o++ {
		up := o.upright(src)
		for _, r := range rects {
			if !r.In(up.Bounds()) {
				continue
			}
			sr := o.stored(region{float64(r.Min.X), float64(r.Min.Y), float64(r.Max.X), float64(r.Max.Y)}, 9, 6)
			srect := image.Rect(int(sr.x0), int(sr.y0), int(sr.x1), int(sr.y1))
			got := o.upright(src.SubImage(srect))
			want := up.SubImage(r)
			for y := range r.Dy() {
				for x := range r.Dx() {
					if g, w := got.At(x, y), want.At(r.Min.X+x, r.Min.Y+y); g != w {
						t.Fatalf("orientation %d rect %v: (%d,%d) %v != %v", o, r, x, y, g, w)
					}
				}
			}
		}
	}
}
