package photo

import (
	"image"
	"math"
)

// Crop is the cropper's state. It is independent of screen and image
// resolution, so the app (working on a scaled preview) and the server
// (working on the upload) derive the same source rectangle from it.
type Crop struct {
	// Zoom magnifies: 1 shows the largest region of the viewport's aspect
	// that fits in the image (the image just covers the viewport), 2 shows
	// a region half as wide. Values below 1 are clamped to 1.
	Zoom float64 `json:"zoom"`
	// X and Y move the region's centre away from the image's centre, as
	// fractions of the image's width and height (−0.5…0.5). The zero Crop
	// is centred at zoom 1.
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// Zoom bounds and steps.
const (
	MinZoom = 1.0
	// MaxZoom caps magnification; MinCropSide may cap it lower.
	MaxZoom = 8.0
	// MinCropSide is the fewest source pixels the region may have on its
	// shorter side: beyond that the stored sizes would be mostly blur.
	MinCropSide = 64
	// ZoomStep is the zoom factor of one mouse-wheel notch.
	ZoomStep = 1.1
)

// Frame is what a Crop applies to: the upright source size (Info.Size) and
// the viewport's aspect ratio (Kind.Aspect).
type Frame struct {
	Src    image.Point
	Aspect image.Point
}

// region is a rectangle in source pixels with fractional edges.
type region struct{ x0, y0, x1, y1 float64 }

func (r region) dx() float64 { return r.x1 - r.x0 }
func (r region) dy() float64 { return r.y1 - r.y0 }

// base is the region's size at zoom 1: the largest rectangle of the aspect
// inside the source.
func (f Frame) base() (w, h float64) {
	sw, sh := float64(f.Src.X), float64(f.Src.Y)
	a := float64(f.Aspect.X) / float64(f.Aspect.Y)
	if sw/sh > a {
		return sh * a, sh
	}
	return sw, sw / a
}

func (f Frame) valid() bool {
	return f.Src.X > 0 && f.Src.Y > 0 && f.Aspect.X > 0 && f.Aspect.Y > 0
}

// MaxZoom is the largest zoom for this frame: MaxZoom, lowered so the
// region keeps at least MinCropSide source pixels, and never below 1.
func (f Frame) MaxZoom() float64 {
	if !f.valid() {
		return MinZoom
	}
	w, h := f.base()
	return max(MinZoom, min(MaxZoom, min(w, h)/MinCropSide))
}

// Clamp bounds the zoom and moves the centre so the region stays inside
// the image: the viewport is always covered.
func (f Frame) Clamp(c Crop) Crop {
	if !f.valid() {
		return Crop{Zoom: MinZoom}
	}
	z := c.Zoom
	if math.IsNaN(z) || z < MinZoom {
		z = MinZoom
	}
	z = min(z, f.MaxZoom())
	bw, bh := f.base()
	w, h := bw/z, bh/z
	sw, sh := float64(f.Src.X), float64(f.Src.Y)
	cx := clampF(sw*(0.5+finite(c.X)), w/2, sw-w/2)
	cy := clampF(sh*(0.5+finite(c.Y)), h/2, sh-h/2)
	return Crop{Zoom: z, X: cx/sw - 0.5, Y: cy/sh - 0.5}
}

// region is the clamped crop in source pixels.
func (f Frame) region(c Crop) region {
	c = f.Clamp(c)
	bw, bh := f.base()
	w, h := bw/c.Zoom, bh/c.Zoom
	cx := float64(f.Src.X) * (0.5 + c.X)
	cy := float64(f.Src.Y) * (0.5 + c.Y)
	return region{cx - w/2, cy - h/2, cx + w/2, cy + h/2}
}

// Rect is the source rectangle the crop selects, in upright source pixels,
// always inside the image.
func (f Frame) Rect(c Crop) image.Rectangle {
	if !f.valid() {
		return image.Rectangle{}
	}
	return f.region(c).pixels(image.Rectangle{Max: f.Src})
}

// pixels rounds the region to whole pixels inside bounds, keeping at least
// one pixel each way when a sliver would round to nothing.
func (r region) pixels(bounds image.Rectangle) image.Rectangle {
	x0 := min(int(math.Round(r.x0)), bounds.Max.X-1)
	y0 := min(int(math.Round(r.y0)), bounds.Max.Y-1)
	x1 := max(int(math.Round(r.x1)), x0+1)
	y1 := max(int(math.Round(r.y1)), y0+1)
	return image.Rect(x0, y0, x1, y1).Intersect(bounds)
}

// scale is viewport pixels per source pixel for a viewport of size view.
func (f Frame) scale(c Crop, view image.Point) float64 {
	r := f.region(c)
	return max(float64(view.X)/r.dx(), float64(view.Y)/r.dy())
}

// Drag moves the image with the pointer: a drag of (dx, dy) viewport pixels
// moves the picture by the same amount on screen, within bounds.
func (f Frame) Drag(c Crop, view image.Point, dx, dy float64) Crop {
	if !f.valid() || view.X <= 0 || view.Y <= 0 {
		return f.Clamp(c)
	}
	c = f.Clamp(c)
	s := f.scale(c, view)
	c.X -= dx / s / float64(f.Src.X)
	c.Y -= dy / s / float64(f.Src.Y)
	return f.Clamp(c)
}

// ZoomAt sets the zoom keeping the source point under viewport position
// (px, py) where it is, as a pinch or wheel zoom should.
func (f Frame) ZoomAt(c Crop, view image.Point, zoom, px, py float64) Crop {
	if !f.valid() || view.X <= 0 || view.Y <= 0 {
		return f.Clamp(Crop{Zoom: zoom, X: c.X, Y: c.Y})
	}
	c = f.Clamp(c)
	r := f.region(c)
	s := f.scale(c, view)
	// The source point under the pointer.
	sx, sy := r.x0+px/s, r.y0+py/s
	next := f.Clamp(Crop{Zoom: zoom, X: c.X, Y: c.Y})
	ns := s * next.Zoom / c.Zoom
	// Put the region's top-left where that point stays under the pointer.
	bw, bh := f.base()
	w, h := bw/next.Zoom, bh/next.Zoom
	x0, y0 := sx-px/ns, sy-py/ns
	next.X = (x0+w/2)/float64(f.Src.X) - 0.5
	next.Y = (y0+h/2)/float64(f.Src.Y) - 0.5
	return f.Clamp(next)
}

// Wheel zooms by ZoomStep per notch (positive zooms in) around the pointer.
func (f Frame) Wheel(c Crop, view image.Point, notches, px, py float64) Crop {
	z := f.Clamp(c).Zoom
	return f.ZoomAt(c, view, z*math.Pow(ZoomStep, notches), px, py)
}

// Placement says where to draw the whole upright source image so that the
// viewport shows exactly the crop: its top-left corner (x, y), usually
// negative, and its size (w, h), in viewport pixels.
func (f Frame) Placement(c Crop, view image.Point) (x, y, w, h float64) {
	if !f.valid() || view.X <= 0 || view.Y <= 0 {
		return 0, 0, 0, 0
	}
	r := f.region(c)
	s := f.scale(c, view)
	return -r.x0 * s, -r.y0 * s, float64(f.Src.X) * s, float64(f.Src.Y) * s
}

func clampF(v, lo, hi float64) float64 {
	if hi < lo {
		return (lo + hi) / 2
	}
	return max(lo, min(v, hi))
}

func finite(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}
