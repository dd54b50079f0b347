package photo

import (
	"image"
	"math"
	"testing"

	"github.com/phoneset/phoneset/photo/internal/synth"
)

func fuzzSeeds(f *testing.F) [][]byte {
	jpg := encodeJPEGT(f, synth.Photo(48, 32), 80)
	return [][]byte{
		jpg,
		synth.WithExif(jpg, 6, "MM"),
		encodePNGT(f, synth.Quadrants(40, 30)),
		afterIHDR(encodePNGT(f, synth.Quadrants(20, 20)), pngChunk("eXIf", synth.ExifTIFF(8, "II"))),
		pngBomb(100000, 100000),
		jpegBomb(f, 65000, 65000),
		jpg[:len(jpg)/2],
		[]byte("GIF89a"),
	}
}

func FuzzInspect(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := Inspect(data)
		if err != nil {
			if ReasonOf(err) == 0 {
				t.Fatalf("error without a reason: %v", err)
			}
			return
		}
		if info.Width <= 0 || info.Height <= 0 || int64(info.Width)*int64(info.Height) > MaxPixels {
			t.Fatalf("accepted %dx%d", info.Width, info.Height)
		}
		if info.Orientation < OrientNormal || info.Orientation > OrientRotate90CC {
			t.Fatalf("orientation %d", info.Orientation)
		}
	})
}

// FuzzProcess: never panics, and errors are photo errors. Inputs and the
// canvases they declare are capped so memory stays bounded.
func FuzzProcess(f *testing.F) {
	for i, s := range fuzzSeeds(f) {
		f.Add(s, 1.0+float64(i)/4, 0.1, -0.1, i%2 == 0)
	}
	f.Fuzz(func(t *testing.T, data []byte, zoom, x, y float64, cover bool) {
		if len(data) > 64<<10 {
			t.Skip("input over 64 KB")
		}
		if info, err := Inspect(data); err == nil && info.Width*info.Height > 1<<20 {
			t.Skip("declares over a megapixel")
		}
		k := Avatar
		if cover {
			k = Cover
		}
		res, err := Process(data, k, Crop{Zoom: zoom, X: x, Y: y})
		if err != nil {
			if ReasonOf(err) == 0 {
				t.Fatalf("error without a reason: %v", err)
			}
			return
		}
		if len(res.Renditions) != len(k.Sizes()) || !res.Rect.In(image.Rectangle{Max: res.Info.Size()}) {
			t.Fatalf("result %v with %d renditions", res.Rect, len(res.Renditions))
		}
	})
}

// FuzzFrame: the crop always lies inside the image, clamping is stable and
// zoom stays in bounds, whatever the input.
func FuzzFrame(f *testing.F) {
	f.Add(4000, 3000, 1, 1, 1.5, 0.2, -0.1, 300, 300, 10.0, -5.0)
	f.Add(600, 100, 3, 1, 0.0, 0.0, 0.0, 600, 200, 0.0, 0.0)
	f.Add(1, 1, 3, 1, 1e9, 1e9, -1e9, 1, 1, 1e9, 1e9)
	f.Fuzz(func(t *testing.T, w, h, ax, ay int, zoom, x, y float64, vw, vh int, dx, dy float64) {
		fr := Frame{Src: image.Pt(w%100000, h%100000), Aspect: image.Pt(ax%100, ay%100)}
		view := image.Pt(vw%10000, vh%10000)
		for _, c := range []Crop{
			{Zoom: zoom, X: x, Y: y},
			fr.Drag(Crop{Zoom: zoom, X: x, Y: y}, view, dx, dy),
			fr.ZoomAt(Crop{Zoom: zoom}, view, zoom*2, dx, dy),
			fr.Wheel(Crop{X: x, Y: y}, view, dx, float64(vw), float64(vh)),
		} {
			cl := fr.Clamp(c)
			if math.IsNaN(cl.Zoom) || cl.Zoom < MinZoom || cl.Zoom > fr.MaxZoom() {
				t.Fatalf("zoom %v outside [1, %v]", cl.Zoom, fr.MaxZoom())
			}
			if again := fr.Clamp(cl); math.Abs(again.X-cl.X) > 1e-9 || math.Abs(again.Y-cl.Y) > 1e-9 {
				t.Fatalf("clamp moved %+v to %+v", cl, again)
			}
			r := fr.Rect(c)
			if !r.In(image.Rectangle{Max: fr.Src}) {
				t.Fatalf("rect %v outside %v", r, fr.Src)
			}
			if fr.valid() && r.Empty() {
				t.Fatalf("empty rect for %+v %+v", fr, c)
			}
		}
	})
}
