package photo

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"os"
	"testing"

	"github.com/phoneset/phoneset/photo/internal/synth"
)

// TestDecodeOrientations: all eight EXIF orientations come out upright,
// from JPEG (APP1, both byte orders) and PNG (eXIf), at full size and
// shrunk on load.
func TestDecodeOrientations(t *testing.T) {
	for o := OrientNormal; o <= OrientRotate90CC; o++ {
		stored := storedQuadrants(o, 96, 48)
		order := "II"
		if o%2 == 0 {
			order = "MM"
		}
		jpg := synth.WithExif(encodeJPEGT(t, stored, 95), uint16(o), order)
		pngData := afterIHDR(encodePNGT(t, stored), pngChunk("eXIf", synth.ExifTIFF(uint16(o), order)))

		for _, src := range []struct {
			name string
			data []byte
		}{{"jpeg", jpg}, {"png", pngData}} {
			img, info, err := Decode(src.data)
			if err != nil {
				t.Fatalf("%d %s: %v", o, src.name, err)
			}
			if info.Orientation != o || info.Size() != image.Pt(96, 48) || img.Bounds().Size() != info.Size() {
				t.Errorf("%d %s: info %+v, image %v", o, src.name, info, img.Bounds())
			}
			checkQuadrants(t, src.name+" decode", img, 12)

			small, _, err := DecodeAtLeast(src.data, 20, 20)
			if err != nil {
				t.Fatal(err)
			}
			if s := small.Bounds().Size(); s.X < 20 || s.Y < 20 || s.X*48 != s.Y*96 {
				t.Errorf("%d %s: DecodeAtLeast size %v", o, src.name, s)
			}
			checkQuadrants(t, src.name+" shrunk", small, 12)
		}
	}
}

func TestDecodePixelFormats(t *testing.T) {
	quads := synth.Quadrants(64, 64)
	gray := image.NewGray(image.Rect(0, 0, 64, 64))
	gray16 := image.NewGray16(image.Rect(0, 0, 64, 64))
	rgba64 := image.NewRGBA64(image.Rect(0, 0, 64, 64))
	nrgba64 := image.NewNRGBA64(image.Rect(0, 0, 64, 64))
	half := image.NewNRGBA(image.Rect(0, 0, 64, 64))
	pal := image.NewPaletted(image.Rect(0, 0, 64, 64), color.Palette{
		color.NRGBA{0, 0, 0, 0}, quadColour["R"], quadColour["G"], quadColour["B"], quadColour["Y"],
	})
	for y := range 64 {
		for x := range 64 {
			q := quads.NRGBAAt(x, y)
			gray.SetGray(x, y, color.Gray{uint8(x * 4)})
			gray16.SetGray16(x, y, color.Gray16{uint16(x * 1024)})
			rgba64.Set(x, y, q)
			// 16-bit with real low bytes and partial alpha.
			nrgba64.SetNRGBA64(x, y, color.NRGBA64{uint16(q.R)<<8 | 0x7F, uint16(q.G)<<8 | 0x7F, uint16(q.B)<<8 | 0x7F, 0x8080})
			half.SetNRGBA(x, y, color.NRGBA{q.R, q.G, q.B, 0x80})
			pal.SetColorIndex(x, y, uint8(1+(x*2/64)+(y*2/64)*2))
		}
	}
	pal.SetColorIndex(0, 0, 0) // one transparent pixel
	cmyk, err := os.ReadFile("testdata/cmyk.jpg")
	if err != nil {
		t.Fatal(err)
	}
	progressive, err := os.ReadFile("testdata/progressive.jpg")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		data   []byte
		format Format
		// probes: point → expected straight-alpha colour
		probes map[image.Point]color.NRGBA
		tol    int
	}{
		{"cmyk jpeg (YCCK, Adobe)", cmyk, JPEG, quadProbes(64), 20},
		{"progressive jpeg", progressive, JPEG, quadProbes(64), 12},
		{"gray jpeg", encodeJPEGT(t, gray, 95), JPEG, map[image.Point]color.NRGBA{
			{8, 8}: {32, 32, 32, 255}, {40, 40}: {160, 160, 160, 255}}, 6},
		{"rgb jpeg", encodeJPEGT(t, quads, 95), JPEG, quadProbes(64), 12},
		{"gray png", encodePNGT(t, gray), PNG, map[image.Point]color.NRGBA{{10, 3}: {40, 40, 40, 255}}, 0},
		{"gray16 png", encodePNGT(t, gray16), PNG, map[image.Point]color.NRGBA{{10, 3}: {40, 40, 40, 255}}, 0},
		{"rgba64 png", encodePNGT(t, rgba64), PNG, quadProbes(64), 0},
		{"nrgba64 png", encodePNGT(t, nrgba64), PNG, withAlpha(quadProbes(64), 0x80), 1},
		{"nrgba png", encodePNGT(t, half), PNG, withAlpha(quadProbes(64), 0x80), 0},
		{"paletted png", encodePNGT(t, pal), PNG, func() map[image.Point]color.NRGBA {
			p := quadProbes(64)
			p[image.Pt(0, 0)] = color.NRGBA{}
			return p
		}(), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, info, err := Decode(tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if info.Format != tt.format || img.Bounds() != image.Rect(0, 0, 64, 64) {
				t.Fatalf("format %v bounds %v", info.Format, img.Bounds())
			}
			for p, want := range tt.probes {
				if got := img.NRGBAAt(p.X, p.Y); !near(got, want, tt.tol) {
					t.Errorf("%v = %v, want %v", p, got, want)
				}
			}
		})
	}
}

func quadProbes(size int) map[image.Point]color.NRGBA {
	a, b := size/4, size*3/4
	return map[image.Point]color.NRGBA{
		{a, a}: quadColour["R"], {b, a}: quadColour["G"], {a, b}: quadColour["B"], {b, b}: quadColour["Y"],
	}
}

func withAlpha(p map[image.Point]color.NRGBA, a uint8) map[image.Point]color.NRGBA {
	for k, c := range p {
		c.A = a
		p[k] = c
	}
	return p
}

func TestDecodeCorrupt(t *testing.T) {
	jpg := encodeJPEGT(t, synth.Photo(256, 192), 90)
	pngData := encodePNGT(t, synth.Photo(256, 192))
	idat := bytes.Index(pngData, []byte("IDAT"))
	crcDamage := append([]byte{}, pngData...)
	crcDamage[idat+100] ^= 0xFF
	sos := bytes.Index(jpg, []byte{0xFF, 0xDA})
	badHuffman := append([]byte{}, jpg...)
	// A marker in the middle of entropy-coded data cannot be decoded.
	copy(badHuffman[sos+400:], []byte{0xFF, 0xC4, 0x00, 0x02})
	badLen := append([]byte{}, pngData...)
	binary.BigEndian.PutUint32(badLen[idat-4:], 0x7FFFFFF0)
	tests := []struct {
		name string
		data []byte
	}{
		{"jpeg cut at half", jpg[:len(jpg)/2]},
		{"jpeg cut after header", jpg[:sos+20]},
		{"jpeg without EOI cut late", jpg[:len(jpg)-200]},
		{"jpeg marker inside scan", badHuffman},
		{"png cut at half", pngData[:len(pngData)/2]},
		{"png cut in IHDR", pngData[:20]},
		{"png IDAT crc", crcDamage},
		{"png IDAT length", badLen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := Decode(tt.data); ReasonOf(err) != ReasonCorrupt {
				t.Errorf("Decode: %v", err)
			}
			for _, k := range []Kind{Avatar, Cover} {
				if _, err := Process(tt.data, k, Crop{}); ReasonOf(err) != ReasonCorrupt {
					t.Errorf("Process %v: %v", k, err)
				}
			}
		})
	}
}
