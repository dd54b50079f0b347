package widgets

import (
	"image"
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/phoneset/phoneset/photo"
)

// quadrants is a test picture whose four quarters have distinct colours,
// so a rendering shows where the crop sits.
func quadrants(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	cols := []color.NRGBA{{0xD0, 0x30, 0x30, 0xFF}, {0x30, 0xA0, 0x30, 0xFF}, {0x30, 0x50, 0xD0, 0xFF}, {0xE0, 0xC0, 0x20, 0xFF}}
	for y := range h {
		for x := range w {
			q := 0
			if x >= w/2 {
				q++
			}
			if y >= h/2 {
				q += 2
			}
			c := cols[q]
			// A diagonal stripe pattern shows scaling and direction.
			if (x+y)/16%2 == 0 {
				c.R, c.G, c.B = c.R/2, c.G/2, c.B/2
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

// shownCropper puts a cropper of the given kind in a window of size s, with
// a picture of full size src shown at half resolution.
func shownCropper(t *testing.T, kind photo.Kind, src image.Point, s fyne.Size) (*Cropper, fyne.Window, *[]photo.Crop) {
	t.Helper()
	test.NewTempApp(t)
	c := NewCropper(kind)
	var changes []photo.Crop
	c.OnChanged = func(cr photo.Crop) { changes = append(changes, cr) }
	c.SetImage(quadrants(src.X/2, src.Y/2), src)
	w := test.NewWindow(c)
	w.SetPadded(false)
	w.Resize(s)
	t.Cleanup(w.Close)
	return c, w, &changes
}

func TestCropperFollowsPhotoMaths(t *testing.T) {
	src := image.Pt(1200, 800)
	size := fyne.NewSize(300, 340) // taller than wide: the viewport is centred vertically
	tests := []struct {
		name string
		do   func(c *Cropper, w fyne.Window)
		want func(f photo.Frame, c photo.Crop, view image.Point) photo.Crop
	}{
		{"drag right and down",
			func(c *Cropper, w fyne.Window) { test.Drag(w.Canvas(), fyne.NewPos(150, 170), 40, 25) },
			func(f photo.Frame, c photo.Crop, v image.Point) photo.Crop { return f.Drag(c, v, 40, 25) }},
		{"drag far left is clamped",
			func(c *Cropper, w fyne.Window) { test.Drag(w.Canvas(), fyne.NewPos(150, 170), -5000, 0) },
			func(f photo.Frame, c photo.Crop, v image.Point) photo.Crop { return f.Drag(c, v, -5000, 0) }},
		{"wheel up zooms in about the pointer",
			func(c *Cropper, w fyne.Window) {
				c.Scrolled(&fyne.ScrollEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(60, 100)}, Scrolled: fyne.NewDelta(0, 2*wheelNotch)})
			},
			func(f photo.Frame, c photo.Crop, v image.Point) photo.Crop { return f.Wheel(c, v, 2, 60, 100-20) }},
		{"wheel on the canvas",
			func(c *Cropper, w fyne.Window) { test.Scroll(w.Canvas(), fyne.NewPos(150, 170), 0, wheelNotch) },
			func(f photo.Frame, c photo.Crop, v image.Point) photo.Crop { return f.Wheel(c, v, 1, 0, 0) }},
		{"slider zoom keeps the centre",
			func(c *Cropper, w fyne.Window) { c.SetZoom(2.5) },
			func(f photo.Frame, c photo.Crop, v image.Point) photo.Crop { return f.ZoomAt(c, v, 2.5, 150, 150) }},
		{"zoom beyond the maximum is clamped",
			func(c *Cropper, w fyne.Window) { c.SetZoom(100) },
			func(f photo.Frame, c photo.Crop, v image.Point) photo.Crop {
				return f.ZoomAt(c, v, f.MaxZoom(), 150, 150)
			}},
		{"arrow key pans like a drag",
			func(c *Cropper, w fyne.Window) { c.TypedKey(&fyne.KeyEvent{Name: fyne.KeyLeft}) },
			func(f photo.Frame, c photo.Crop, v image.Point) photo.Crop { return f.Drag(c, v, keyPan, 0) }},
		{"plus zooms one notch",
			func(c *Cropper, w fyne.Window) { c.TypedRune('+') },
			func(f photo.Frame, c photo.Crop, v image.Point) photo.Crop { return f.Wheel(c, v, 1, 150, 150) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, w, changes := shownCropper(t, photo.Avatar, src, size)
			// Start zoomed so that panning has room in both directions.
			c.SetCrop(photo.Crop{Zoom: 2})
			start := c.Crop()
			origin, view := c.viewport()
			if view != image.Pt(300, 300) || origin != fyne.NewPos(0, 20) {
				t.Fatalf("viewport %v at %v, want 300x300 at (0,20)", view, origin)
			}
			f := photo.Avatar.Frame(src)
			want := tt.want(f, start, view)
			tt.do(c, w)
			if got := c.Crop(); got != want {
				t.Fatalf("crop = %+v, want %+v", got, want)
			}
			if want == start {
				t.Fatal("test does not move the crop")
			}
			if len(*changes) != 1 || (*changes)[0] != want {
				t.Errorf("OnChanged got %+v, want one call with %+v", *changes, want)
			}
			if r := f.Rect(c.Crop()); !r.In(image.Rectangle{Max: src}) {
				t.Errorf("source rect %v leaves the image", r)
			}
		})
	}
}

func TestCropperPlacesPictureAsPhotoSays(t *testing.T) {
	src := image.Pt(1200, 800)
	c, _, _ := shownCropper(t, photo.Cover, src, fyne.NewSize(600, 300))
	c.SetCrop(photo.Crop{Zoom: 1.5, X: 0.1, Y: -0.05})
	r := test.WidgetRenderer(c).(*cropperRenderer)
	origin, view := c.viewport()
	if view != image.Pt(600, 200) || origin != fyne.NewPos(0, 50) {
		t.Fatalf("viewport %v at %v", view, origin)
	}
	x, y, pw, ph := photo.Cover.Frame(src).Placement(c.Crop(), view)
	if got, want := r.picture.Position(), fyne.NewPos(float32(x), float32(y)); got != want {
		t.Errorf("picture at %v, want %v", got, want)
	}
	if got, want := r.picture.Size(), fyne.NewSize(float32(pw), float32(ph)); got != want {
		t.Errorf("picture size %v, want %v", got, want)
	}
	if r.clip.Position() != origin || r.clip.Size() != fyne.NewSize(600, 200) {
		t.Errorf("clip %v at %v, want the viewport", r.clip.Size(), r.clip.Position())
	}
}

func TestCropperIgnoresInputWithoutPicture(t *testing.T) {
	test.NewTempApp(t)
	c := NewCropper(photo.Avatar)
	called := false
	c.OnChanged = func(photo.Crop) { called = true }
	w := test.NewWindow(c)
	w.Resize(fyne.NewSize(300, 300))
	defer w.Close()
	test.Drag(w.Canvas(), fyne.NewPos(100, 100), 30, 30)
	c.Scrolled(&fyne.ScrollEvent{Scrolled: fyne.NewDelta(0, wheelNotch)})
	c.SetZoom(3)
	c.TypedKey(&fyne.KeyEvent{Name: fyne.KeyUp})
	if called || c.Crop() != (photo.Crop{Zoom: photo.MinZoom}) {
		t.Errorf("empty cropper changed: %+v (OnChanged %v)", c.Crop(), called)
	}
}

func TestCropperRenders(t *testing.T) {
	tests := []struct {
		name string
		kind photo.Kind
		src  image.Point
		crop photo.Crop
		size fyne.Size
	}{
		{"cropper_avatar.png", photo.Avatar, image.Pt(400, 300), photo.Crop{Zoom: 1.5, X: 0.1, Y: 0.1}, fyne.NewSize(120, 120)},
		{"cropper_cover.png", photo.Cover, image.Pt(400, 300), photo.Crop{Zoom: 1, Y: -0.2}, fyne.NewSize(180, 60)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			test.NewTempApp(t)
			c := NewCropper(tt.kind)
			c.SetImage(quadrants(tt.src.X, tt.src.Y), tt.src)
			c.SetCrop(tt.crop)
			c.Resize(tt.size)
			test.AssertObjectRendersToImage(t, tt.name, c)
		})
	}
}

func TestCropperMarkup(t *testing.T) {
	c, w, _ := shownCropper(t, photo.Avatar, image.Pt(800, 600), fyne.NewSize(260, 260))
	c.SetCrop(photo.Crop{Zoom: 2, X: -0.1})
	test.Tap(c)
	if w.Canvas().Focused() != c {
		t.Fatal("tapping the cropper does not focus it")
	}
	test.AssertRendersToMarkup(t, "cropper_focused.xml", w.Canvas())
}

// BenchmarkCropperDrag is one pointer move while panning: the crop maths
// and moving the picture, which must keep up with the pointer.
func BenchmarkCropperDrag(b *testing.B) {
	test.NewTempApp(b)
	c := NewCropper(photo.Avatar)
	c.SetImage(quadrants(1024, 768), image.Pt(4000, 3000))
	c.SetCrop(photo.Crop{Zoom: 3})
	w := test.NewWindow(c)
	w.Resize(fyne.NewSize(300, 300))
	defer w.Close()
	ev := &fyne.DragEvent{}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		ev.Dragged = fyne.NewDelta(float32(i%7-3), float32(i%5-2))
		c.Dragged(ev)
	}
}
