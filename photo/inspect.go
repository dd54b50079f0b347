package photo

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
)

// Limits for uploads.
const (
	// MaxBytes is the largest accepted upload.
	MaxBytes = 5 << 20
	// MaxPixels caps width×height as declared by the header, checked before
	// any pixel is decoded: a tiny file can declare a huge canvas.
	MaxPixels = 40_000_000
	// MinSide is the recommended smallest side; smaller images are accepted
	// with a warning (Info.Small).
	MinSide = 200
)

// Format is an accepted image format.
type Format int

// Accepted formats.
const (
	JPEG Format = iota + 1
	PNG
)

func (f Format) String() string {
	switch f {
	case JPEG:
		return "JPEG"
	case PNG:
		return "PNG"
	}
	return "unknown"
}

// MediaType is the MIME type of the format.
func (f Format) MediaType() string {
	switch f {
	case JPEG:
		return "image/jpeg"
	case PNG:
		return "image/png"
	}
	return "application/octet-stream"
}

// Info describes an accepted upload, read from its header only.
type Info struct {
	Format Format
	// Width and Height as stored, before EXIF orientation.
	Width, Height int
	// Orientation is the EXIF orientation (1 when absent).
	Orientation Orientation
}

// Size is the displayed size: Width×Height swapped when the orientation
// turns the image a quarter.
func (i Info) Size() image.Point {
	if i.Orientation.swapsAxes() {
		return image.Pt(i.Height, i.Width)
	}
	return image.Pt(i.Width, i.Height)
}

// Small reports the MinSide warning: the image is usable but its shorter
// side is below the recommended size.
func (i Info) Small() bool {
	return min(i.Width, i.Height) < MinSide
}

var (
	magicJPEG = []byte{0xFF, 0xD8, 0xFF}
	magicPNG  = []byte("\x89PNG\r\n\x1a\n")
)

// refused names common formats that are not accepted, so the error says
// what the file really is.
var refused = []struct {
	name  string
	match func([]byte) bool
}{
	{"GIF", func(b []byte) bool { return bytes.HasPrefix(b, []byte("GIF8")) }},
	{"WebP", func(b []byte) bool { return len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP" }},
	{"BMP", func(b []byte) bool { return bytes.HasPrefix(b, []byte("BM")) }},
	{"TIFF", func(b []byte) bool {
		return bytes.HasPrefix(b, []byte("II*\x00")) || bytes.HasPrefix(b, []byte("MM\x00*"))
	}},
	{"HEIF/AVIF", func(b []byte) bool { return len(b) >= 12 && string(b[4:8]) == "ftyp" }},
	{"ICO", func(b []byte) bool { return bytes.HasPrefix(b, []byte{0, 0, 1, 0}) }},
	{"SVG", func(b []byte) bool {
		head := bytes.ToLower(b[:min(len(b), 512)])
		return bytes.Contains(head, []byte("<svg")) || bytes.Contains(head, []byte("<?xml"))
	}},
	{"PDF", func(b []byte) bool { return bytes.HasPrefix(b, []byte("%PDF")) }},
}

// Sniff returns the format from the magic bytes, or an ErrType error
// naming what the data looks like instead.
func Sniff(data []byte) (Format, error) {
	switch {
	case bytes.HasPrefix(data, magicJPEG):
		return JPEG, nil
	case bytes.HasPrefix(data, magicPNG):
		return PNG, nil
	}
	for _, r := range refused {
		if r.match(data) {
			return 0, &Error{Reason: ReasonType, Detail: r.name}
		}
	}
	return 0, &Error{Reason: ReasonType, Detail: "unrecognised data"}
}

// ReadLimited reads an upload, refusing with ErrTooBig as soon as it
// exceeds MaxBytes, so a huge body is never held in memory.
func ReadLimited(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxBytes {
		return nil, &Error{Reason: ReasonTooBig, Detail: fmt.Sprintf("more than %d bytes", MaxBytes)}
	}
	return data, nil
}

// Inspect checks an upload from its header only: size in bytes, format by
// magic bytes, declared dimensions against MaxPixels, EXIF orientation. It
// decodes no pixels, so an image bomb is refused in microseconds.
func Inspect(data []byte) (Info, error) {
	if len(data) > MaxBytes {
		return Info{}, &Error{Reason: ReasonTooBig, Detail: fmt.Sprintf("%d bytes", len(data))}
	}
	f, err := Sniff(data)
	if err != nil {
		return Info{}, err
	}
	var cfg image.Config
	switch f {
	case JPEG:
		cfg, err = jpeg.DecodeConfig(bytes.NewReader(data))
	case PNG:
		cfg, err = png.DecodeConfig(bytes.NewReader(data))
	}
	if err != nil {
		return Info{}, &Error{Reason: ReasonCorrupt, Detail: f.String() + " header", Err: err}
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return Info{}, &Error{Reason: ReasonCorrupt, Detail: fmt.Sprintf("%dx%d", cfg.Width, cfg.Height)}
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return Info{}, &Error{Reason: ReasonTooManyPixels, Detail: fmt.Sprintf("%dx%d", cfg.Width, cfg.Height)}
	}
	info := Info{Format: f, Width: cfg.Width, Height: cfg.Height, Orientation: readOrientation(f, data)}
	return info, nil
}
