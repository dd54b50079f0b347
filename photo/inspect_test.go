package photo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/phoneset/phoneset/photo/internal/synth"
)

// pngBomb is a valid PNG signature and IHDR declaring w×h RGBA, with no
// pixel data: a few dozen bytes that would need w*h*4 bytes to decode.
func pngBomb(w, h uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0)
	return append(append([]byte{}, magicPNG...), pngChunk("IHDR", ihdr)...)
}

func pngChunk(typ string, data []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(c, typ...)
	c = append(c, data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
}

// jpegBomb is a real small JPEG whose SOF0 header is patched to declare
// w×h.
func jpegBomb(t testing.TB, w, h uint16) []byte {
	data := encodeJPEGT(t, synth.Photo(16, 16), 80)
	i := bytes.Index(data, []byte{0xFF, 0xC0})
	if i < 0 {
		t.Fatal("no SOF0 in Go's JPEG")
	}
	binary.BigEndian.PutUint16(data[i+5:], h)
	binary.BigEndian.PutUint16(data[i+7:], w)
	return data
}

func TestInspect(t *testing.T) {
	jpg := encodeJPEGT(t, synth.Photo(300, 200), 85)
	pngData := encodePNGT(t, synth.Photo(120, 90))
	riff := append([]byte("RIFF\x10\x00\x00\x00WEBPVP8 "), make([]byte, 20)...)
	tests := []struct {
		name   string
		data   []byte
		want   Reason
		format Format
		size   image.Point
		small  bool
	}{
		{"jpeg", jpg, 0, JPEG, image.Pt(300, 200), false},
		{"png small", pngData, 0, PNG, image.Pt(120, 90), true},
		{"gif", []byte("GIF89a\x10\x00\x10\x00\x00\x00\x00;"), ReasonType, 0, image.Point{}, false},
		{"webp", riff, ReasonType, 0, image.Point{}, false},
		{"bmp", append([]byte("BM"), make([]byte, 60)...), ReasonType, 0, image.Point{}, false},
		{"tiff", []byte("II*\x00\x08\x00\x00\x00"), ReasonType, 0, image.Point{}, false},
		{"heic", []byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00"), ReasonType, 0, image.Point{}, false},
		{"svg", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>`), ReasonType, 0, image.Point{}, false},
		{"pdf", []byte("%PDF-1.7\n"), ReasonType, 0, image.Point{}, false},
		{"text", []byte("hello"), ReasonType, 0, image.Point{}, false},
		{"empty", nil, ReasonType, 0, image.Point{}, false},
		{"jpeg magic only", []byte{0xFF, 0xD8, 0xFF}, ReasonCorrupt, 0, image.Point{}, false},
		{"png header cut", pngBomb(100, 100)[:20], ReasonCorrupt, 0, image.Point{}, false},
		{"png zero width", pngBomb(0, 100), ReasonCorrupt, 0, image.Point{}, false},
		{"png bomb", pngBomb(100000, 100000), ReasonTooManyPixels, 0, image.Point{}, false},
		{"png 40MP+1 row", pngBomb(8000, 5001), ReasonTooManyPixels, 0, image.Point{}, false},
		{"png exactly 40MP", pngBomb(8000, 5000), 0, PNG, image.Pt(8000, 5000), false},
		{"jpeg bomb", jpegBomb(t, 65000, 65000), ReasonTooManyPixels, 0, image.Point{}, false},
		{"6 MB", append(append([]byte{}, jpg...), make([]byte, 6<<20)...), ReasonTooBig, 0, image.Point{}, false},
		{"exif turned", synth.WithExif(jpg, 6, "MM"), 0, JPEG, image.Pt(200, 300), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, err := Inspect(tt.data)
			wantReason(t, err, tt.want)
			if tt.want != 0 {
				return
			}
			if info.Format != tt.format || info.Size() != tt.size || info.Small() != tt.small {
				t.Errorf("Inspect = %+v (size %v, small %v), want %v %v small=%v",
					info, info.Size(), info.Small(), tt.format, tt.size, tt.small)
			}
		})
	}
}

func TestSniffNamesRefusedFormat(t *testing.T) {
	tests := []struct {
		data string
		want string
	}{
		{"GIF87a", "GIF"},
		{"RIFF\x00\x00\x00\x00WEBP", "WebP"},
		{"BM\x00\x00", "BMP"},
		{"MM\x00*\x00\x00\x00\x08", "TIFF"},
		{"\x00\x00\x00\x1cftypavif", "HEIF/AVIF"},
		{"\x00\x00\x01\x00\x01\x00", "ICO"},
		{"  <SVG width='1'>", "SVG"},
		{"\x89PNX", "unrecognised data"},
	}
	for _, tt := range tests {
		_, err := Sniff([]byte(tt.data))
		var pe *Error
		if !errors.As(err, &pe) || pe.Reason != ReasonType || pe.Detail != tt.want {
			t.Errorf("Sniff(%q) = %v, want type error %q", tt.data, err, tt.want)
		}
		if !strings.Contains(err.Error(), "only JPEG and PNG") {
			t.Errorf("message %q does not say what is accepted", err)
		}
	}
}

func TestErrorsMapToHTTP(t *testing.T) {
	tests := []struct {
		err    error
		status int
		code   string
	}{
		{&Error{Reason: ReasonType, Detail: "GIF"}, http.StatusUnsupportedMediaType, "unsupported_type"},
		{&Error{Reason: ReasonTooBig}, http.StatusRequestEntityTooLarge, "too_big"},
		{&Error{Reason: ReasonTooManyPixels}, http.StatusUnprocessableEntity, "too_many_pixels"},
		{&Error{Reason: ReasonCorrupt, Err: errors.New("unexpected EOF")}, http.StatusUnprocessableEntity, "corrupt"},
	}
	sentinels := []error{ErrType, ErrTooBig, ErrTooManyPixels, ErrCorrupt}
	for i, tt := range tests {
		r := ReasonOf(tt.err)
		if r.HTTPStatus() != tt.status || r.String() != tt.code {
			t.Errorf("%v: status %d code %q, want %d %q", tt.err, r.HTTPStatus(), r, tt.status, tt.code)
		}
		for j, s := range sentinels {
			if got := errors.Is(tt.err, s); got != (i == j) {
				t.Errorf("errors.Is(%v, %v) = %v", tt.err, s, got)
			}
		}
	}
	wrapped := errors.Join(errors.New("upload"), &Error{Reason: ReasonCorrupt})
	if !errors.Is(wrapped, ErrCorrupt) || ReasonOf(wrapped) != ReasonCorrupt {
		t.Error("wrapped photo error not recognised")
	}
	if ReasonOf(errors.New("other")) != 0 {
		t.Error("foreign error has a reason")
	}
}

func TestReadLimited(t *testing.T) {
	tests := []struct {
		n    int
		want Reason
	}{{0, 0}, {1024, 0}, {MaxBytes, 0}, {MaxBytes + 1, ReasonTooBig}, {6 << 20, ReasonTooBig}}
	for _, tt := range tests {
		data, err := ReadLimited(bytes.NewReader(make([]byte, tt.n)))
		wantReason(t, err, tt.want)
		if tt.want == 0 && len(data) != tt.n {
			t.Errorf("read %d bytes of %d", len(data), tt.n)
		}
	}
}

// TestBombRefusedWithoutAllocating: a declared 10-gigapixel canvas costs
// only the header parse. A pixel buffer would be gigabytes.
func TestBombRefusedWithoutAllocating(t *testing.T) {
	for name, data := range map[string][]byte{
		"png":  pngBomb(100000, 100000),
		"jpeg": jpegBomb(t, 65000, 65000),
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		const runs = 100
		for range runs {
			if _, err := Inspect(data); !errors.Is(err, ErrTooManyPixels) {
				t.Fatal(err)
			}
		}
		runtime.ReadMemStats(&after)
		if per := (after.TotalAlloc - before.TotalAlloc) / runs; per > 64<<10 {
			t.Errorf("%s bomb: Inspect allocated %d bytes per call", name, per)
		}
		if _, err := Process(data, Avatar, Crop{}); !errors.Is(err, ErrTooManyPixels) {
			t.Errorf("%s bomb: Process = %v", name, err)
		}
	}
}

func BenchmarkInspectBomb(b *testing.B) {
	data := pngBomb(100000, 100000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Inspect(data); err == nil {
			b.Fatal("bomb accepted")
		}
	}
}

func TestFormatNames(t *testing.T) {
	tests := []struct {
		f          Format
		name, mime string
	}{{JPEG, "JPEG", "image/jpeg"}, {PNG, "PNG", "image/png"}, {0, "unknown", "application/octet-stream"}}
	for _, tt := range tests {
		if tt.f.String() != tt.name || tt.f.MediaType() != tt.mime {
			t.Errorf("%d: %s %s", tt.f, tt.f, tt.f.MediaType())
		}
	}
}
