package photo

import (
	"bytes"
	"errors"
	"image"
	"image/jpeg"
	"sync"
)

// Kind is what an image is stored as.
type Kind int

// Kinds of stored image.
const (
	Avatar Kind = iota + 1
	Cover
)

func (k Kind) String() string {
	switch k {
	case Avatar:
		return "avatar"
	case Cover:
		return "cover"
	}
	return "unknown"
}

// Aspect is the viewport's width:height.
func (k Kind) Aspect() image.Point {
	if k == Cover {
		return image.Pt(3, 1)
	}
	return image.Pt(1, 1)
}

// Sizes are the stored sizes, largest first; each is half the previous.
func (k Kind) Sizes() []image.Point {
	if k == Cover {
		return []image.Point{{1500, 500}, {750, 250}}
	}
	return []image.Point{{512, 512}, {256, 256}, {128, 128}, {64, 64}}
}

// Frame is the crop frame of this kind for an upright source size.
func (k Kind) Frame(src image.Point) Frame {
	return Frame{Src: src, Aspect: k.Aspect()}
}

// JPEGQuality of stored sizes: visually lossless for faces at a third of
// the bytes of 95.
const JPEGQuality = 88

// Rendition is one stored size, encoded as JPEG with no metadata.
type Rendition struct {
	Size image.Point
	JPEG []byte
}

// Result is what Process made of an upload.
type Result struct {
	Info Info
	// Rect is the region used, in upright full-size source pixels.
	Rect image.Rectangle
	// Renditions follow Kind.Sizes: largest first.
	Renditions []Rendition
}

// Process turns raw upload bytes and the user's crop into the stored sizes
// of kind k: Inspect, decode (shrinking JPEGs on load as far as the largest
// size allows), crop, orient, resize, re-encode. Re-encoding drops all
// metadata (EXIF, GPS, ICC, text chunks). Errors are *Error values.
func Process(data []byte, k Kind, c Crop) (Result, error) {
	info, err := Inspect(data)
	if err != nil {
		return Result{Info: info}, err
	}
	f := k.Frame(info.Size())
	reg := f.region(c)
	sizes := k.Sizes()
	scale := max(float64(sizes[0].X)/reg.dx(), float64(sizes[0].Y)/reg.dy())
	img, err := decodeStored(data, info, scale)
	if err != nil {
		return Result{Info: info}, err
	}
	// Crop in stored orientation, on the possibly shrunk image, so only the
	// small result is ever rotated.
	sr := info.Orientation.stored(reg, info.Width, info.Height)
	b := img.Bounds()
	kx := float64(b.Dx()) / float64(info.Width)
	ky := float64(b.Dy()) / float64(info.Height)
	sr = region{
		float64(b.Min.X) + sr.x0*kx, float64(b.Min.Y) + sr.y0*ky,
		float64(b.Min.X) + sr.x1*kx, float64(b.Min.Y) + sr.y1*ky,
	}
	out, err := render(img, info.Orientation, sr, sizes)
	if err != nil {
		return Result{Info: info}, err
	}
	return Result{Info: info, Rect: f.Rect(c), Renditions: out}, nil
}

// Render makes the stored sizes of kind k from an upright decoded image,
// e.g. one from Decode.
func Render(img image.Image, k Kind, c Crop) ([]Rendition, error) {
	b := img.Bounds()
	reg := k.Frame(b.Size()).region(c)
	reg = region{reg.x0 + float64(b.Min.X), reg.y0 + float64(b.Min.Y), reg.x1 + float64(b.Min.X), reg.y1 + float64(b.Min.Y)}
	return render(img, OrientNormal, reg, k.Sizes())
}

// render crops reg out of src (stored orientation), resizes to the first
// size, orients, then halves down the list, encoding each.
func render(src image.Image, o Orientation, reg region, sizes []image.Point) ([]Rendition, error) {
	r := reg.pixels(src.Bounds())
	if r.Empty() {
		return nil, &Error{Reason: ReasonCorrupt, Detail: "empty image"}
	}
	first := sizes[0]
	if o.swapsAxes() {
		first = image.Pt(first.Y, first.X)
	}
	cur := uprightOpaque(resizeRGBA(premultiplied(src, r), first.X, first.Y), o)
	// Encoding a size overlaps with resizing the next one.
	out := make([]Rendition, len(sizes))
	errs := make([]error, len(sizes))
	var wg sync.WaitGroup
	for i, s := range sizes {
		if i > 0 {
			cur = resizeRGBA(cur, s.X, s.Y)
		}
		wg.Add(1)
		go func(i int, m *image.RGBA) {
			defer wg.Done()
			var buf bytes.Buffer
			errs[i] = jpeg.Encode(&buf, m, &jpeg.Options{Quality: JPEGQuality})
			out[i] = Rendition{Size: m.Rect.Size(), JPEG: buf.Bytes()}
		}(i, cur)
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// uprightOpaque copies a premultiplied image into a new one, applying the
// orientation and compositing onto white: JPEG has no alpha, and white is
// what a transparent avatar background means.
func uprightOpaque(src *image.RGBA, o Orientation) *image.RGBA {
	w, h := src.Rect.Dx(), src.Rect.Dy()
	size := image.Pt(w, h)
	if o.swapsAxes() {
		size = image.Pt(h, w)
	}
	dst := image.NewRGBA(image.Rectangle{Max: size})
	fw, fh := float64(w), float64(h)
	for y := range size.Y {
		out := dst.Pix[y*dst.Stride : y*dst.Stride+size.X*4]
		for x := range size.X {
			// Pixel centres map to pixel centres.
			sx, sy := o.storedPoint(float64(x)+0.5, float64(y)+0.5, fw, fh)
			i := int(sy)*src.Stride + int(sx)*4
			p := src.Pix[i : i+4 : i+4]
			under := 0xFF - p[3]
			q := out[x*4 : x*4+4 : x*4+4]
			q[0], q[1], q[2], q[3] = min(p[0], p[3])+under, min(p[1], p[3])+under, min(p[2], p[3])+under, 0xFF
		}
	}
	return dst
}
