package widgets

import (
	"image"
	"image/color"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/photo"
)

// wheelNotch is the scroll distance Fyne reports for one mouse-wheel notch
// on Linux and Windows; macOS reports less, and trackpads report fractions,
// which zoom proportionally.
const wheelNotch = 25

// keyPan is how far, in viewport units, one arrow key press pans.
const keyPan = 10

// maskColour darkens what falls outside the circle: it will be cut off.
var maskColour = color.NRGBA{A: 0x99}

// Cropper shows a picture behind a fixed viewport of the crop's aspect. The
// user pans by dragging or with the arrow keys and zooms with the wheel,
// + and -, or a slider calling SetZoom. An avatar's viewport is masked to
// the circle it will be shown in. Every position is photo's crop maths.
type Cropper struct {
	widget.BaseWidget

	// OnChanged runs on the UI goroutine after each pan or zoom by the user.
	OnChanged func(photo.Crop)

	kind    photo.Kind
	frame   photo.Frame
	crop    photo.Crop
	picture image.Image
	focused bool
}

// NewCropper returns an empty cropper for avatars (square, round mask) or
// covers (3:1).
func NewCropper(kind photo.Kind) *Cropper {
	c := &Cropper{kind: kind, crop: photo.Crop{Zoom: photo.MinZoom}}
	c.ExtendBaseWidget(c)
	return c
}

// SetImage shows img, a possibly downscaled decode of an upright source of
// size full, centred at zoom 1. Crops refer to the full-size source, so
// zoom limits follow the real image.
func (c *Cropper) SetImage(img image.Image, full image.Point) {
	c.picture = img
	c.frame = c.kind.Frame(full)
	c.crop = c.frame.Clamp(photo.Crop{})
	c.Refresh()
}

// Clear removes the picture.
func (c *Cropper) Clear() {
	c.picture = nil
	c.frame = photo.Frame{}
	c.crop = photo.Crop{Zoom: photo.MinZoom}
	c.Refresh()
}

// HasImage reports whether a picture is shown.
func (c *Cropper) HasImage() bool { return c.picture != nil }

// Crop is the current crop, always clamped to the image.
func (c *Cropper) Crop() photo.Crop { return c.crop }

// SetCrop moves the viewport to cr, clamped; OnChanged does not run.
func (c *Cropper) SetCrop(cr photo.Crop) {
	c.crop = c.frame.Clamp(cr)
	c.Refresh()
}

// MaxZoom is the largest zoom the current image allows.
func (c *Cropper) MaxZoom() float64 { return c.frame.MaxZoom() }

// SetZoom zooms about the viewport's centre, as the user asked.
func (c *Cropper) SetZoom(z float64) {
	if c.picture == nil {
		return
	}
	_, view := c.viewport()
	c.update(c.frame.ZoomAt(c.crop, view, z, float64(view.X)/2, float64(view.Y)/2))
}

// Dragged pans: the picture follows the pointer.
func (c *Cropper) Dragged(ev *fyne.DragEvent) {
	if c.picture == nil {
		return
	}
	_, view := c.viewport()
	c.update(c.frame.Drag(c.crop, view, float64(ev.Dragged.DX), float64(ev.Dragged.DY)))
}

// DragEnd is needed to be Draggable; a drag has no state to finish.
func (c *Cropper) DragEnd() {}

// Scrolled zooms about the pointer; scrolling up zooms in.
func (c *Cropper) Scrolled(ev *fyne.ScrollEvent) {
	if c.picture == nil {
		return
	}
	origin, view := c.viewport()
	px := clamp(float64(ev.Position.X-origin.X), 0, float64(view.X))
	py := clamp(float64(ev.Position.Y-origin.Y), 0, float64(view.Y))
	c.update(c.frame.Wheel(c.crop, view, float64(ev.Scrolled.DY)/wheelNotch, px, py))
}

// Tapped focuses the cropper, so that after a click the arrow keys pan.
func (c *Cropper) Tapped(*fyne.PointEvent) {
	if cv := fyne.CurrentApp().Driver().CanvasForObject(c); cv != nil {
		cv.Focus(c)
	}
}

// FocusGained shows the focus ring: the arrow keys now pan.
func (c *Cropper) FocusGained() {
	c.focused = true
	c.Refresh()
}

// FocusLost hides the focus ring.
func (c *Cropper) FocusLost() {
	c.focused = false
	c.Refresh()
}

// TypedRune zooms with + and - about the centre.
func (c *Cropper) TypedRune(r rune) {
	if c.picture == nil {
		return
	}
	_, view := c.viewport()
	cx, cy := float64(view.X)/2, float64(view.Y)/2
	switch r {
	case '+', '=':
		c.update(c.frame.Wheel(c.crop, view, 1, cx, cy))
	case '-':
		c.update(c.frame.Wheel(c.crop, view, -1, cx, cy))
	}
}

// TypedKey pans with the arrow keys, as if the picture were dragged.
func (c *Cropper) TypedKey(ev *fyne.KeyEvent) {
	if c.picture == nil {
		return
	}
	var dx, dy float64
	switch ev.Name {
	case fyne.KeyLeft:
		dx = keyPan
	case fyne.KeyRight:
		dx = -keyPan
	case fyne.KeyUp:
		dy = keyPan
	case fyne.KeyDown:
		dy = -keyPan
	default:
		return
	}
	_, view := c.viewport()
	c.update(c.frame.Drag(c.crop, view, dx, dy))
}

func (c *Cropper) update(next photo.Crop) {
	if next == c.crop {
		return
	}
	c.crop = next
	c.Refresh()
	if c.OnChanged != nil {
		c.OnChanged(next)
	}
}

// MinSize leaves room to judge a face or a banner.
func (c *Cropper) MinSize() fyne.Size {
	c.ExtendBaseWidget(c)
	if c.kind == photo.Cover {
		return fyne.NewSize(480, 160)
	}
	return fyne.NewSize(240, 240)
}

// viewport is the largest rectangle of the crop's aspect centred in the
// widget, in whole units so the crop maths and the drawing agree.
func (c *Cropper) viewport() (fyne.Position, image.Point) {
	return fitAspect(c.Size(), c.kind.Aspect())
}

func fitAspect(s fyne.Size, aspect image.Point) (fyne.Position, image.Point) {
	a := float64(aspect.X) / float64(aspect.Y)
	w, h := float64(s.Width), float64(s.Height)
	if w/h > a {
		w = h * a
	} else {
		h = w / a
	}
	view := image.Pt(int(math.Floor(w)), int(math.Floor(h)))
	return fyne.NewPos((s.Width-float32(view.X))/2, (s.Height-float32(view.Y))/2), view
}

func clamp(v, lo, hi float64) float64 { return max(lo, min(v, hi)) }

// CreateRenderer is part of fyne.Widget.
func (c *Cropper) CreateRenderer() fyne.WidgetRenderer {
	r := &cropperRenderer{c: c}
	r.background = canvas.NewRectangle(color.Transparent)
	r.picture = canvas.NewImageFromImage(nil)
	r.picture.FillMode = canvas.ImageFillStretch
	r.picture.ScaleMode = canvas.ImageScaleSmooth
	r.picture.Hide()
	r.stage = container.NewWithoutLayout(r.picture)
	r.clip = container.NewClip(r.stage)
	r.mask = canvas.NewRaster(r.drawMask)
	r.ring = canvas.NewCircle(color.Transparent)
	r.border = canvas.NewRectangle(color.Transparent)
	r.objects = []fyne.CanvasObject{r.background, r.clip, r.mask, r.ring, r.border}
	r.Refresh()
	return r
}

type cropperRenderer struct {
	c          *Cropper
	background *canvas.Rectangle
	picture    *canvas.Image
	stage      *fyne.Container // holds the picture at its placement
	clip       *container.Clip
	mask       *canvas.Raster
	ring       *canvas.Circle
	border     *canvas.Rectangle
	objects    []fyne.CanvasObject
	maskImg    *image.NRGBA
}

func (r *cropperRenderer) Destroy() {}

func (r *cropperRenderer) MinSize() fyne.Size { return r.c.MinSize() }

func (r *cropperRenderer) Objects() []fyne.CanvasObject { return r.objects }

func (r *cropperRenderer) Layout(size fyne.Size) {
	origin, view := fitAspect(size, r.c.kind.Aspect())
	vs := fyne.NewSize(float32(view.X), float32(view.Y))
	for _, o := range []fyne.CanvasObject{r.background, r.clip, r.mask, r.border} {
		o.Move(origin)
		o.Resize(vs)
	}
	r.ring.Move(origin)
	r.ring.Resize(vs)
	r.stage.Resize(vs)
	x, y, w, h := r.c.frame.Placement(r.c.crop, view)
	r.picture.Move(fyne.NewPos(float32(x), float32(y)))
	r.picture.Resize(fyne.NewSize(float32(w), float32(h)))
}

func (r *cropperRenderer) Refresh() {
	round := r.c.kind == photo.Avatar
	r.background.FillColor = theme.Color(theme.ColorNameInputBackground)
	edge := theme.Color(theme.ColorNameInputBorder)
	if r.c.focused {
		edge = theme.Color(theme.ColorNameFocus)
	}
	// The avatar shows its circle; the cover, being the whole viewport, a
	// frame. Focus adds the frame to the avatar too.
	r.ring.Hidden = !round
	r.ring.StrokeColor = edge
	r.ring.StrokeWidth = theme.InputBorderSize()
	r.border.StrokeColor = edge
	r.border.StrokeWidth = theme.InputBorderSize()
	r.border.Hidden = round && !r.c.focused
	// A new picture is uploaded once; pans and zooms only move it.
	if r.picture.Image != r.c.picture {
		r.picture.Image = r.c.picture
		r.picture.Hidden = r.c.picture == nil
		r.picture.Refresh()
	}
	if hide := !round || r.c.picture == nil; hide != r.mask.Hidden {
		r.mask.Hidden = hide
		r.mask.Refresh()
	}
	r.Layout(r.c.Size())
	r.background.Refresh()
	r.ring.Refresh()
	r.border.Refresh()
}

// drawMask is the raster of the circular mask, remade only when its pixel
// size changes.
func (r *cropperRenderer) drawMask(w, h int) image.Image {
	if r.maskImg != nil && r.maskImg.Rect.Dx() == w && r.maskImg.Rect.Dy() == h {
		return r.maskImg
	}
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	cx, cy := float64(w)/2, float64(h)/2
	rad := math.Min(cx, cy)
	for y := range h {
		for x := range w {
			// Coverage of the outside, anti-aliased over one pixel.
			d := math.Hypot(float64(x)+0.5-cx, float64(y)+0.5-cy)
			out := clamp(d-rad+0.5, 0, 1)
			if out == 0 {
				continue
			}
			px := maskColour
			px.A = uint8(math.Round(float64(maskColour.A) * out))
			img.SetNRGBA(x, y, px)
		}
	}
	r.maskImg = img
	return img
}
