// Package synth makes deterministic test images for the photo package's
// tests, fuzz seeds and benchmarks: no binary fixtures to drift.
package synth

import (
	"encoding/binary"
	"image"
	"image/color"
	"math"
)

// Photo is a photo-like picture: smooth gradients, soft discs and a little
// fine grain, so JPEG sizes and decode costs resemble a camera's.
func Photo(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	seed := uint32(2463534242)
	for y := 0; y < h; y++ {
		fy := float64(y) / float64(h)
		for x := 0; x < w; x++ {
			fx := float64(x) / float64(w)
			seed ^= seed << 13
			seed ^= seed >> 17
			seed ^= seed << 5
			grain := float64(seed%25) - 12
			d := math.Hypot(fx-0.5, fy-0.45)
			disc := 60 * math.Exp(-d*d*18)
			r := 40 + 150*fx + disc + grain
			g := 60 + 120*fy + 30*math.Sin(fx*9) + disc + grain
			b := 90 + 80*(1-fx) + 40*math.Cos(fy*7) + grain
			i := m.PixOffset(x, y)
			m.Pix[i] = clamp8(r)
			m.Pix[i+1] = clamp8(g)
			m.Pix[i+2] = clamp8(b)
			m.Pix[i+3] = 0xFF
		}
	}
	return m
}

// Quadrants is w×h split in four flat colours (red, green / blue, yellow,
// top row first): any flip or turn moves them, so orientation is testable
// even through JPEG.
func Quadrants(w, h int) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.SetNRGBA(x, y, QuadrantColour(x*2/w, y*2/h))
		}
	}
	return m
}

// QuadrantColour is the colour of quadrant (qx, qy), each 0 or 1.
func QuadrantColour(qx, qy int) color.NRGBA {
	return [2][2]color.NRGBA{
		{{R: 220, G: 30, B: 30, A: 255}, {R: 30, G: 30, B: 220, A: 255}},
		{{R: 30, G: 200, B: 30, A: 255}, {R: 230, G: 220, B: 30, A: 255}},
	}[qx][qy]
}

// WithExif inserts an Exif APP1 segment carrying the orientation right
// after a JPEG's SOI marker. order is "II" or "MM".
func WithExif(jpg []byte, orientation uint16, order string) []byte {
	tiff := ExifTIFF(orientation, order)
	seg := make([]byte, 0, 10+len(tiff))
	seg = append(seg, 0xFF, 0xE1)
	seg = binary.BigEndian.AppendUint16(seg, uint16(2+6+len(tiff)))
	seg = append(seg, "Exif\x00\x00"...)
	seg = append(seg, tiff...)
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

// ExifTIFF is a TIFF structure with an IFD0 holding an unrelated tag
// (ImageDescription, ASCII) followed by Orientation, so a reader must walk
// the entries rather than read the first one.
func ExifTIFF(orientation uint16, order string) []byte {
	var bo binary.AppendByteOrder = binary.LittleEndian
	if order == "MM" {
		bo = binary.BigEndian
	}
	b := []byte(order)
	b = bo.AppendUint16(b, 42)
	b = bo.AppendUint32(b, 8) // IFD0 right after the header
	b = bo.AppendUint16(b, 2) // two entries
	// ImageDescription "hi\0", 3 bytes, fits in the value field.
	b = bo.AppendUint16(b, 0x010E)
	b = bo.AppendUint16(b, 2)
	b = bo.AppendUint32(b, 3)
	b = append(b, 'h', 'i', 0, 0)
	// Orientation, SHORT, count 1, value left-justified.
	b = bo.AppendUint16(b, 0x0112)
	b = bo.AppendUint16(b, 3)
	b = bo.AppendUint32(b, 1)
	b = bo.AppendUint16(b, orientation)
	b = append(b, 0, 0)
	return bo.AppendUint32(b, 0) // no next IFD
}

func clamp8(v float64) uint8 {
	return uint8(max(0, min(255, math.Round(v))))
}
