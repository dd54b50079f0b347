package photo

import (
	"encoding/binary"
	"testing"

	"github.com/phoneset/phoneset/photo/internal/synth"
)

func TestReadOrientationJPEG(t *testing.T) {
	base := encodeJPEGT(t, synth.Photo(8, 8), 80)
	for o := uint16(1); o <= 8; o++ {
		for _, order := range []string{"II", "MM"} {
			data := synth.WithExif(base, o, order)
			if got := readOrientation(JPEG, data); got != Orientation(o) {
				t.Errorf("orientation %d (%s) read as %d", o, order, got)
			}
		}
	}
	// An XMP APP1 before the Exif one must be skipped, not mistaken.
	xmp := append([]byte{0xFF, 0xE1, 0x00, 0x0C}, "http://ns\x00"...)
	withXMP := append(append(append([]byte{}, base[:2]...), xmp...), synth.WithExif(base, 3, "II")[2:]...)
	if got := readOrientation(JPEG, withXMP); got != OrientRotate180 {
		t.Errorf("after XMP: %d", got)
	}
}

func TestReadOrientationMalformed(t *testing.T) {
	base := encodeJPEGT(t, synth.Photo(8, 8), 80)
	good := synth.ExifTIFF(6, "II")
	mutate := func(f func(b []byte) []byte) []byte {
		return f(append([]byte{}, good...))
	}
	tests := []struct {
		name string
		tiff []byte
		want Orientation
	}{
		{"good", good, OrientRotate90CW},
		{"value 0", mutate(func(b []byte) []byte { binary.LittleEndian.PutUint16(b[30:], 0); return b }), OrientNormal},
		{"value 9", mutate(func(b []byte) []byte { binary.LittleEndian.PutUint16(b[30:], 9); return b }), OrientNormal},
		{"type LONG", mutate(func(b []byte) []byte { binary.LittleEndian.PutUint16(b[24:], 4); return b }), OrientNormal},
		{"count 0", mutate(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[26:], 0); return b }), OrientNormal},
		{"one entry only", mutate(func(b []byte) []byte { binary.LittleEndian.PutUint16(b[8:], 1); return b }), OrientNormal},
		{"entry count huge", mutate(func(b []byte) []byte { binary.LittleEndian.PutUint16(b[8:], 0xFFFF); return b }), OrientRotate90CW},
		{"IFD offset past end", mutate(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[4:], 0xFFFFFFF0); return b }), OrientNormal},
		{"bad magic", mutate(func(b []byte) []byte { b[2] = 43; return b }), OrientNormal},
		{"bad byte order", mutate(func(b []byte) []byte { b[0] = 'X'; return b }), OrientNormal},
		{"cut in entry", good[:28], OrientNormal},
		{"header only", good[:8], OrientNormal},
		{"empty", nil, OrientNormal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tiffOrientation(tt.tiff); got != tt.want {
				t.Errorf("tiffOrientation = %d, want %d", got, tt.want)
			}
		})
	}
	// Segment-level damage.
	withExif := synth.WithExif(base, 6, "II")
	segs := []struct {
		name string
		data []byte
	}{
		{"segment length past end", func() []byte {
			d := append([]byte{}, withExif...)
			binary.BigEndian.PutUint16(d[4:], 0xFFF0)
			return d
		}()},
		{"segment length 1", func() []byte {
			d := append([]byte{}, withExif...)
			binary.BigEndian.PutUint16(d[4:], 1)
			return d
		}()},
		{"cut inside", withExif[:20]},
		{"no marker", append([]byte{0xFF, 0xD8, 0x00}, withExif[2:]...)},
		{"exif after scan", append(append([]byte{}, base[:len(base)-2]...), synth.WithExif([]byte{0xFF, 0xD8}, 6, "II")[2:]...)},
	}
	for _, s := range segs {
		if got := readOrientation(JPEG, s.data); got != OrientNormal {
			t.Errorf("%s: %d", s.name, got)
		}
	}
}

func TestReadOrientationPNG(t *testing.T) {
	plain := encodePNGT(t, synth.Photo(8, 8))
	beforeIEND := func(chunk []byte) []byte {
		at := len(plain) - 12
		return append(append(append([]byte{}, plain[:at]...), chunk...), plain[at:]...)
	}
	exif := pngChunk("eXIf", synth.ExifTIFF(8, "MM"))
	tests := []struct {
		name string
		data []byte
		want Orientation
	}{
		{"none", plain, OrientNormal},
		{"before IDAT", afterIHDR(plain, exif), OrientRotate90CC},
		{"after text", afterIHDR(plain, pngChunk("tEXt", []byte("Comment\x00hi")), exif), OrientRotate90CC},
		{"after IDAT ignored", beforeIEND(exif), OrientNormal},
		{"chunk length lies", afterIHDR(plain, func() []byte {
			c := append([]byte{}, exif...)
			binary.BigEndian.PutUint32(c, 0x7FFFFFFF)
			return c
		}()), OrientNormal},
	}
	for _, tt := range tests {
		if got := readOrientation(PNG, tt.data); got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
		}
		if _, err := Inspect(tt.data); err != nil && tt.name != "chunk length lies" {
			t.Errorf("%s: Inspect: %v", tt.name, err)
		}
	}
}
