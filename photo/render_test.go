package photo

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"testing"

	"github.com/phoneset/phoneset/photo/internal/synth"
)

// smooth is a grain-free synthetic picture: its goldens compress well and
// stay stable.
func smooth(w, h int) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			c := color.NRGBA{uint8(40 + 200*fx), uint8(60 + 150*fy), uint8(200 - 150*fx*fy), 255}
			if math.Hypot(fx-0.6, fy-0.4) < 0.2 {
				c = color.NRGBA{250, 240, 40, 255}
			}
			if x%20 < 2 {
				c = color.NRGBA{20, 20, 20, 255}
			}
			m.SetNRGBA(x, y, c)
		}
	}
	return m
}

func TestProcessSizes(t *testing.T) {
	sources := map[string][]byte{
		"jpeg": encodeJPEGT(t, synth.Photo(640, 480), 90),
		"png":  encodePNGT(t, synth.Photo(300, 400)),
		"tiny": encodePNGT(t, synth.Photo(40, 30)),
	}
	for name, data := range sources {
		for _, k := range []Kind{Avatar, Cover} {
			t.Run(fmt.Sprint(name, " ", k), func(t *testing.T) {
				c := Crop{Zoom: 1.3, X: 0.05, Y: -0.02}
				res, err := Process(data, k, c)
				if err != nil {
					t.Fatal(err)
				}
				if want := k.Frame(res.Info.Size()).Rect(c); res.Rect != want || res.Rect.Empty() {
					t.Errorf("Rect %v, want %v", res.Rect, want)
				}
				sizes := k.Sizes()
				if len(res.Renditions) != len(sizes) {
					t.Fatalf("%d renditions", len(res.Renditions))
				}
				for i, r := range res.Renditions {
					m, err := jpeg.Decode(bytes.NewReader(r.JPEG))
					if err != nil {
						t.Fatal(err)
					}
					if r.Size != sizes[i] || m.Bounds().Size() != sizes[i] {
						t.Errorf("rendition %d: size %v, decoded %v, want %v", i, r.Size, m.Bounds(), sizes[i])
					}
				}
			})
		}
	}
}

func TestKinds(t *testing.T) {
	tests := []struct {
		k      Kind
		name   string
		aspect image.Point
		sizes  []image.Point
	}{
		{Avatar, "avatar", image.Pt(1, 1), []image.Point{{512, 512}, {256, 256}, {128, 128}, {64, 64}}},
		{Cover, "cover", image.Pt(3, 1), []image.Point{{1500, 500}, {750, 250}}},
	}
	for _, tt := range tests {
		if tt.k.String() != tt.name || tt.k.Aspect() != tt.aspect || fmt.Sprint(tt.k.Sizes()) != fmt.Sprint(tt.sizes) {
			t.Errorf("%v: %v %v", tt.k, tt.k.Aspect(), tt.k.Sizes())
		}
		for _, s := range tt.k.Sizes() {
			if s.X*tt.aspect.Y != s.Y*tt.aspect.X {
				t.Errorf("%v: size %v is not %v", tt.k, s, tt.aspect)
			}
		}
	}
}

// jpegMarkers lists the marker bytes of a JPEG up to the scan.
func jpegMarkers(t *testing.T, data []byte) []byte {
	t.Helper()
	var ms []byte
	for i := 2; i+4 <= len(data); {
		if data[i] != 0xFF {
			t.Fatalf("no marker at %d", i)
		}
		m := data[i+1]
		ms = append(ms, m)
		if m == 0xDA {
			return ms
		}
		i += 2 + int(binary.BigEndian.Uint16(data[i+2:]))
	}
	return ms
}

// TestOutputHasNoMetadata: EXIF with GPS, comments, ICC and PNG text
// chunks in, nothing but image data out.
func TestOutputHasNoMetadata(t *testing.T) {
	const secret = "GPSLatitude 59.3293N SECRET"
	app := func(marker byte, payload string) []byte {
		s := []byte{0xFF, marker}
		s = binary.BigEndian.AppendUint16(s, uint16(len(payload)+2))
		return append(s, payload...)
	}
	jpg := encodeJPEGT(t, synth.Photo(300, 300), 90)
	withMeta := synth.WithExif(jpg, 6, "II")
	withMeta = append(append(append([]byte{}, withMeta[:2]...),
		append(app(0xFE, secret), append(app(0xE2, "ICC_PROFILE\x00"+secret), app(0xE1, "Exif\x00\x00"+secret)...)...)...),
		withMeta[2:]...)
	pngMeta := afterIHDR(encodePNGT(t, synth.Photo(300, 300)),
		pngChunk("tEXt", []byte("Comment\x00"+secret)),
		pngChunk("iTXt", []byte("Location\x00\x00\x00en\x00Location\x00"+secret)),
		pngChunk("eXIf", append(synth.ExifTIFF(3, "MM"), secret...)),
	)
	for name, data := range map[string][]byte{"jpeg": withMeta, "png": pngMeta} {
		if !bytes.Contains(data, []byte(secret)) {
			t.Fatal("test input lacks the metadata")
		}
		for _, k := range []Kind{Avatar, Cover} {
			res, err := Process(data, k, Crop{})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range res.Renditions {
				if bytes.Contains(r.JPEG, []byte(secret)) || bytes.Contains(r.JPEG, []byte("Exif")) {
					t.Errorf("%s %v %v: metadata survived", name, k, r.Size)
				}
				for _, m := range jpegMarkers(t, r.JPEG) {
					if (m >= 0xE0 && m <= 0xEF) || m == 0xFE {
						t.Errorf("%s %v %v: output has marker %#x", name, k, r.Size, m)
					}
				}
			}
		}
	}
}

func decodedRenditions(t *testing.T, rs []Rendition) []image.Image {
	t.Helper()
	out := make([]image.Image, len(rs))
	for i, r := range rs {
		out[i] = decodeAnyT(t, r.JPEG)
	}
	return out
}

// TestPipelineGolden pins crop, orientation, resize and flattening on a
// small synthetic picture.
func TestPipelineGolden(t *testing.T) {
	src := smooth(160, 120)
	// Stored turned, with the EXIF tag to turn it back.
	stored := OrientRotate90CC.upright(src)
	data := afterIHDR(encodePNGT(t, stored), pngChunk("eXIf", synth.ExifTIFF(uint16(OrientRotate90CW), "II")))
	avatar, err := Process(data, Avatar, Crop{Zoom: 1.5, X: 0.1, Y: -0.05})
	if err != nil {
		t.Fatal(err)
	}
	if avatar.Info.Size() != image.Pt(160, 120) {
		t.Fatalf("upright size %v", avatar.Info.Size())
	}
	cover, err := Process(data, Cover, Crop{Zoom: 1.2, Y: 0.2})
	if err != nil {
		t.Fatal(err)
	}
	av := decodedRenditions(t, avatar.Renditions)
	cv := decodedRenditions(t, cover.Renditions)
	assertGolden(t, "avatar_128", av[2], 3)
	assertGolden(t, "avatar_64", av[3], 3)
	assertGolden(t, "cover_750x250", cv[1], 3)
}

// meanDiff is the mean absolute channel difference of two same-size images.
func meanDiff(t *testing.T, a, b image.Image) float64 {
	t.Helper()
	if a.Bounds().Size() != b.Bounds().Size() {
		t.Fatalf("sizes %v and %v", a.Bounds(), b.Bounds())
	}
	var sum float64
	ab, bb := a.Bounds(), b.Bounds()
	for y := range ab.Dy() {
		for x := range ab.Dx() {
			r1, g1, b1, _ := a.At(ab.Min.X+x, ab.Min.Y+y).RGBA()
			r2, g2, b2, _ := b.At(bb.Min.X+x, bb.Min.Y+y).RGBA()
			sum += math.Abs(float64(r1>>8)-float64(r2>>8)) + math.Abs(float64(g1>>8)-float64(g2>>8)) +
				math.Abs(float64(b1>>8)-float64(b2>>8))
		}
	}
	return sum / float64(3*ab.Dx()*ab.Dy())
}

// TestProcessMatchesRenderOfDecode: cropping before rotating, on a JPEG
// shrunk on load, gives the picture that rotating the full decode and
// cropping it gives.
func TestProcessMatchesRenderOfDecode(t *testing.T) {
	src := synth.Photo(2000, 1500)
	for _, o := range []Orientation{OrientNormal, OrientRotate90CW, OrientTransverse} {
		// Store src turned so that orientation o brings it back: every
		// orientation is its own inverse except the quarter turns.
		inverse := map[Orientation]Orientation{OrientRotate90CW: OrientRotate90CC, OrientRotate90CC: OrientRotate90CW}[o]
		if inverse == 0 {
			inverse = o
		}
		stored := inverse.upright(src)
		data := synth.WithExif(encodeJPEGT(t, stored, 92), uint16(o), "II")
		for _, k := range []Kind{Avatar, Cover} {
			c := Crop{Zoom: 1.7, X: -0.12, Y: 0.08}
			res, err := Process(data, k, c)
			if err != nil {
				t.Fatal(err)
			}
			full, _, err := Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			ref, err := Render(full, k, c)
			if err != nil {
				t.Fatal(err)
			}
			got, want := decodedRenditions(t, res.Renditions), decodedRenditions(t, ref)
			for i := range got {
				if d := meanDiff(t, got[i], want[i]); d > 3 {
					t.Errorf("orientation %d %v %v: mean difference %.2f", o, k, k.Sizes()[i], d)
				}
			}
		}
	}
}

func TestProcessFlattensAlphaOnWhite(t *testing.T) {
	m := image.NewNRGBA(image.Rect(0, 0, 200, 200))
	for y := range 200 {
		for x := 100; x < 200; x++ {
			m.SetNRGBA(x, y, color.NRGBA{200, 0, 0, 255})
		}
		for x := range 100 {
			m.SetNRGBA(x, y, color.NRGBA{0, 0, 255, uint8(x % 2)}) // nearly invisible blue
		}
	}
	res, err := Process(encodePNGT(t, m), Avatar, Crop{})
	if err != nil {
		t.Fatal(err)
	}
	out := decodeAnyT(t, res.Renditions[0].JPEG)
	if c := out.At(60, 256); !near(c, color.White, 6) {
		t.Errorf("transparent side = %v, want white", c)
	}
	if c := out.At(450, 256); !near(c, color.NRGBA{200, 0, 0, 255}, 12) {
		t.Errorf("opaque side = %v", c)
	}
}

func TestProcessRefuses(t *testing.T) {
	jpg := encodeJPEGT(t, synth.Photo(64, 64), 90)
	tests := []struct {
		name string
		data []byte
		want Reason
	}{
		{"6 MB", append(append([]byte{}, jpg...), make([]byte, 6<<20)...), ReasonTooBig},
		{"gif named .png", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), ReasonType},
		{"bomb", pngBomb(50000, 50000), ReasonTooManyPixels},
		{"truncated", jpg[:len(jpg)/2], ReasonCorrupt},
	}
	for _, tt := range tests {
		res, err := Process(tt.data, Avatar, Crop{})
		wantReason(t, err, tt.want)
		if res.Renditions != nil {
			t.Errorf("%s: renditions despite error", tt.name)
		}
	}
}

func TestRenderOffsetImage(t *testing.T) {
	// A sub-image has a non-zero origin; Render must crop relative to it.
	full := synth.Quadrants(200, 200)
	sub := full.SubImage(image.Rect(100, 0, 200, 100)) // the green quadrant only
	rs, err := Render(sub, Avatar, Crop{})
	if err != nil {
		t.Fatal(err)
	}
	out := decodeAnyT(t, rs[3].JPEG)
	for _, p := range []image.Point{{2, 2}, {32, 32}, {61, 61}} {
		if c := out.At(p.X, p.Y); !near(c, quadColour["G"], 12) {
			t.Errorf("%v = %v, want green", p, c)
		}
	}
}

func TestRenderEmptyImage(t *testing.T) {
	for _, m := range []image.Image{image.NewRGBA(image.Rectangle{}), image.NewGray(image.Rect(5, 5, 5, 9))} {
		if _, err := Render(m, Avatar, Crop{}); ReasonOf(err) != ReasonCorrupt {
			t.Errorf("Render(%v) = %v", m.Bounds(), err)
		}
	}
}
