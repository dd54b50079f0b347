package photo

import (
	"bytes"
	"errors"
	"flag"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden images in testdata/")

func encodeJPEGT(t testing.TB, m image.Image, quality int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encodePNGT(t testing.TB, m image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func decodeAnyT(t testing.TB, data []byte) image.Image {
	t.Helper()
	m, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// near reports whether two colours differ by at most tol per channel
// (straight alpha, 8-bit).
func near(a, b color.Color, tol int) bool {
	na := color.NRGBAModel.Convert(a).(color.NRGBA)
	nb := color.NRGBAModel.Convert(b).(color.NRGBA)
	d := func(x, y uint8) bool { return abs(int(x)-int(y)) <= tol }
	return d(na.R, nb.R) && d(na.G, nb.G) && d(na.B, nb.B) && d(na.A, nb.A)
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// assertGolden compares img with testdata/name.png, allowing tol per
// channel (floating point in font rasterising and resampling weights may
// round differently on other architectures). -update rewrites the file.
func assertGolden(t *testing.T, name string, img image.Image, tol int) {
	t.Helper()
	path := filepath.Join("testdata", name+".png")
	if *update {
		if err := os.WriteFile(path, encodePNGT(t, img), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden %s: %v (run with -update to create)", path, err)
	}
	want, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if want.Bounds() != img.Bounds() {
		t.Fatalf("%s: bounds %v, golden %v", name, img.Bounds(), want.Bounds())
	}
	bad := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if !near(img.At(x, y), want.At(x, y), tol) {
				if bad == 0 {
					t.Errorf("%s: pixel (%d,%d) = %v, golden %v", name, x, y, img.At(x, y), want.At(x, y))
				}
				bad++
			}
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d pixels differ from %s by more than %d", name, bad, path, tol)
	}
}

func wantReason(t *testing.T, err error, want Reason) {
	t.Helper()
	if want == 0 {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if ReasonOf(err) != want {
		t.Fatalf("error = %v, want reason %v", err, want)
	}
	var pe *Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %T is not *photo.Error", err)
	}
}

// afterIHDR inserts chunks right after a PNG's IHDR.
func afterIHDR(data []byte, chunks ...[]byte) []byte {
	at := len(magicPNG) + 25 // IHDR: length, type, 13 bytes, CRC
	out := append([]byte{}, data[:at]...)
	for _, c := range chunks {
		out = append(out, c...)
	}
	return append(out, data[at:]...)
}
