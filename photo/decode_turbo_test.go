//go:build linux && cgo && !photo_purego

package photo

import (
	"image"
	"testing"

	"github.com/phoneset/phoneset/photo/internal/synth"
)

func TestTurboScale(t *testing.T) {
	tests := []struct {
		min        float64
		num, denom int
	}{
		{1, 1, 1}, {2, 1, 1}, {0.99, 1, 1}, {0.5, 1, 2}, {0.51, 5, 8}, {0.3, 3, 8},
		{0.25, 1, 4}, {0.2, 1, 4}, {0.125, 1, 8}, {0.01, 1, 8}, {0, 1, 8},
	}
	for _, tt := range tests {
		sf := turboScale(tt.min)
		if int(sf.num)*tt.denom != tt.num*int(sf.denom) {
			t.Errorf("turboScale(%v) = %d/%d, want %d/%d", tt.min, sf.num, sf.denom, tt.num, tt.denom)
		}
	}
}

func TestTurboShrinksOnLoad(t *testing.T) {
	data := encodeJPEGT(t, synth.Photo(800, 600), 90)
	tests := []struct {
		w, h int
		want image.Point
	}{
		{0, 0, image.Pt(100, 75)},
		{100, 100, image.Pt(200, 150)},
		{100, 75, image.Pt(100, 75)},
		{401, 10, image.Pt(500, 375)},
		{2000, 2000, image.Pt(800, 600)},
	}
	if img, _, err := Decode(data); err != nil || img.Bounds().Size() != image.Pt(800, 600) {
		t.Errorf("Decode shrank: %v", err)
	}
	for _, tt := range tests {
		img, _, err := DecodeAtLeast(data, tt.w, tt.h)
		if err != nil {
			t.Fatal(err)
		}
		if got := img.Bounds().Size(); got != tt.want {
			t.Errorf("DecodeAtLeast(%d,%d) = %v, want %v", tt.w, tt.h, got, tt.want)
		}
	}
}

// TestTurboMatchesStd: both decoders give the same picture at full size.
func TestTurboMatchesStd(t *testing.T) {
	data := encodeJPEGT(t, synth.Photo(320, 240), 90)
	turbo, err := decodeJPEG(data, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := turbo.(*image.RGBA); !ok {
		t.Fatalf("libjpeg-turbo not used: got %T", turbo)
	}
	std, err := decodeJPEGStd(data)
	if err != nil {
		t.Fatal(err)
	}
	var sum, worst int
	for y := range 240 {
		for x := range 320 {
			a := turbo.(*image.RGBA).RGBAAt(x, y)
			r, g, b, _ := std.At(x, y).RGBA()
			for _, d := range []int{abs(int(a.R) - int(r>>8)), abs(int(a.G) - int(g>>8)), abs(int(a.B) - int(b>>8))} {
				sum += d
				worst = max(worst, d)
			}
		}
	}
	if mean := float64(sum) / (320 * 240 * 3); mean > 1 || worst > 12 {
		t.Errorf("decoders differ: mean %.2f, worst %d", mean, worst)
	}
}
