package photo

import (
	"image"
	"math"
	"testing"
)

var (
	land  = image.Pt(4000, 3000)
	port  = image.Pt(3000, 4000)
	sq    = image.Pt(1, 1)
	three = image.Pt(3, 1)
)

func TestFrameRect(t *testing.T) {
	tests := []struct {
		name string
		f    Frame
		c    Crop
		want image.Rectangle
	}{
		{"zero crop landscape square", Frame{land, sq}, Crop{}, image.Rect(500, 0, 3500, 3000)},
		{"zero crop portrait square", Frame{port, sq}, Crop{}, image.Rect(0, 500, 3000, 3500)},
		{"cover of landscape", Frame{land, three}, Crop{}, image.Rect(0, 833, 4000, 2167)},
		{"cover of wide", Frame{image.Pt(600, 100), three}, Crop{}, image.Rect(150, 0, 450, 100)},
		{"exact aspect", Frame{image.Pt(900, 300), three}, Crop{Zoom: 1}, image.Rect(0, 0, 900, 300)},
		{"zoom 2", Frame{land, sq}, Crop{Zoom: 2}, image.Rect(1250, 750, 2750, 2250)},
		{"zoom 2 panned", Frame{land, sq}, Crop{Zoom: 2, X: 0.1, Y: -0.1}, image.Rect(1650, 450, 3150, 1950)},
		{"pan right clamps", Frame{land, sq}, Crop{X: 0.5}, image.Rect(1000, 0, 4000, 3000)},
		{"pan left clamps", Frame{land, sq}, Crop{X: -3}, image.Rect(0, 0, 3000, 3000)},
		{"no room vertically", Frame{land, sq}, Crop{Y: 0.3}, image.Rect(500, 0, 3500, 3000)},
		{"zoomed pan clamps at corner", Frame{land, sq}, Crop{Zoom: 4, X: 1, Y: 1}, image.Rect(3250, 2250, 4000, 3000)},
		{"zoom below 1", Frame{land, sq}, Crop{Zoom: 0.3}, image.Rect(500, 0, 3500, 3000)},
		{"zoom NaN", Frame{land, sq}, Crop{Zoom: math.NaN(), X: math.NaN()}, image.Rect(500, 0, 3500, 3000)},
		{"pan infinite", Frame{land, sq}, Crop{X: math.Inf(1)}, image.Rect(500, 0, 3500, 3000)},
		{"zoom above max", Frame{land, sq}, Crop{Zoom: 100}, image.Rect(1813, 1313, 2188, 1688)},
		{"small image caps zoom", Frame{image.Pt(128, 128), sq}, Crop{Zoom: 8}, image.Rect(32, 32, 96, 96)},
		{"tiny image", Frame{image.Pt(3, 2), sq}, Crop{Zoom: 5, X: 1}, image.Rect(1, 0, 3, 2)},
		{"empty source", Frame{image.Pt(0, 10), sq}, Crop{}, image.Rectangle{}},
		{"no aspect", Frame{land, image.Pt(0, 1)}, Crop{}, image.Rectangle{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.f.Rect(tt.c); got != tt.want {
				t.Errorf("Rect = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFrameClamp(t *testing.T) {
	tests := []struct {
		name string
		f    Frame
		c    Crop
		want Crop
	}{
		{"zero value", Frame{land, sq}, Crop{}, Crop{Zoom: 1}},
		{"in range", Frame{land, sq}, Crop{Zoom: 2, X: 0.1, Y: -0.1}, Crop{Zoom: 2, X: 0.1, Y: -0.1}},
		{"pan right", Frame{land, sq}, Crop{X: 0.5}, Crop{Zoom: 1, X: 0.125}},
		{"zoom capped", Frame{land, sq}, Crop{Zoom: 9}, Crop{Zoom: MaxZoom}},
		{"invalid frame", Frame{}, Crop{Zoom: 3, X: 1}, Crop{Zoom: 1}},
	}
	for _, tt := range tests {
		got := tt.f.Clamp(tt.c)
		if !cropNear(got, tt.want) {
			t.Errorf("%s: Clamp = %+v, want %+v", tt.name, got, tt.want)
		}
		if again := tt.f.Clamp(got); !cropNear(again, got) {
			t.Errorf("%s: Clamp not idempotent: %+v → %+v", tt.name, got, again)
		}
	}
}

func TestFrameMaxZoom(t *testing.T) {
	tests := []struct {
		f    Frame
		want float64
	}{
		{Frame{land, sq}, MaxZoom},
		{Frame{image.Pt(256, 400), sq}, 4},
		{Frame{image.Pt(600, 100), three}, 100.0 / 64},
		{Frame{image.Pt(50, 50), sq}, 1},
		{Frame{}, 1},
	}
	for _, tt := range tests {
		if got := tt.f.MaxZoom(); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("%+v: MaxZoom = %v, want %v", tt.f, got, tt.want)
		}
	}
}

func TestFrameDrag(t *testing.T) {
	view := image.Pt(300, 300) // 0.1 view px per source px at zoom 1 on land
	tests := []struct {
		name   string
		c      Crop
		dx, dy float64
		want   image.Rectangle
	}{
		{"right moves picture right", Crop{}, 10, 0, image.Rect(400, 0, 3400, 3000)},
		{"left", Crop{}, -20, 0, image.Rect(700, 0, 3700, 3000)},
		{"vertical has no room", Crop{}, 0, 50, image.Rect(500, 0, 3500, 3000)},
		{"past the edge clamps", Crop{}, 1000, 0, image.Rect(0, 0, 3000, 3000)},
		{"zoomed drag is finer", Crop{Zoom: 2}, 10, 10, image.Rect(1200, 700, 2700, 2200)},
	}
	f := Frame{land, sq}
	for _, tt := range tests {
		got := f.Rect(f.Drag(tt.c, view, tt.dx, tt.dy))
		if got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	if got := f.Drag(Crop{X: 9}, image.Point{}, 5, 5); !cropNear(got, f.Clamp(Crop{X: 9})) {
		t.Errorf("drag in empty view: %+v", got)
	}
}

func TestFrameZoomAt(t *testing.T) {
	f := Frame{land, sq}
	view := image.Pt(300, 300)
	tests := []struct {
		name   string
		c      Crop
		zoom   float64
		px, py float64
		want   image.Rectangle
	}{
		{"at centre", Crop{}, 2, 150, 150, image.Rect(1250, 750, 2750, 2250)},
		{"at top-left keeps the corner", Crop{}, 2, 0, 0, image.Rect(500, 0, 2000, 1500)},
		{"at bottom-right", Crop{}, 2, 300, 300, image.Rect(2000, 1500, 3500, 3000)},
		{"out to 1 clamps into the image", Crop{Zoom: 4, X: 0.3, Y: 0.3}, 1, 0, 0, image.Rect(1000, 0, 4000, 3000)},
		{"beyond max", Crop{}, 50, 150, 150, image.Rect(1813, 1313, 2188, 1688)},
	}
	for _, tt := range tests {
		got := f.Rect(f.ZoomAt(tt.c, view, tt.zoom, tt.px, tt.py))
		if got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	// Unclamped, the source point under the pointer does not move.
	c := Crop{Zoom: 2}
	for _, p := range [][2]float64{{40, 260}, {299, 1}, {150, 75}} {
		before := f.region(c)
		next := f.ZoomAt(c, view, 3, p[0], p[1])
		after := f.region(next)
		s0, s1 := 300/before.dx(), 300/after.dx()
		bx, by := before.x0+p[0]/s0, before.y0+p[1]/s0
		ax, ay := after.x0+p[0]/s1, after.y0+p[1]/s1
		if math.Abs(bx-ax) > 1e-6 || math.Abs(by-ay) > 1e-6 {
			t.Errorf("point under %v moved from (%v,%v) to (%v,%v)", p, bx, by, ax, ay)
		}
	}
}

func TestFrameWheel(t *testing.T) {
	f := Frame{land, sq}
	view := image.Pt(300, 300)
	tests := []struct {
		c       Crop
		notches float64
		want    float64
	}{
		{Crop{}, 1, 1.1},
		{Crop{}, -1, 1},
		{Crop{Zoom: 2}, -1, 2 / 1.1},
		{Crop{}, 3, 1.1 * 1.1 * 1.1},
		{Crop{Zoom: 7.9}, 5, MaxZoom},
	}
	for _, tt := range tests {
		if got := f.Wheel(tt.c, view, tt.notches, 150, 150).Zoom; math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("Wheel(%+v, %v) zoom = %v, want %v", tt.c, tt.notches, got, tt.want)
		}
	}
}

func TestFramePlacement(t *testing.T) {
	tests := []struct {
		f          Frame
		c          Crop
		view       image.Point
		x, y, w, h float64
	}{
		{Frame{land, sq}, Crop{}, image.Pt(300, 300), -50, 0, 400, 300},
		{Frame{land, sq}, Crop{Zoom: 2}, image.Pt(300, 300), -250, -150, 800, 600},
		{Frame{land, three}, Crop{}, image.Pt(600, 200), 0, -125, 600, 450},
		{Frame{land, sq}, Crop{}, image.Point{}, 0, 0, 0, 0},
	}
	for _, tt := range tests {
		x, y, w, h := tt.f.Placement(tt.c, tt.view)
		got := [4]float64{x, y, w, h}
		want := [4]float64{tt.x, tt.y, tt.w, tt.h}
		for i := range got {
			if math.Abs(got[i]-want[i]) > 0.01 {
				t.Errorf("Placement(%+v, %v) = %v, want %v", tt.c, tt.view, got, want)
				break
			}
		}
	}
}

func cropNear(a, b Crop) bool {
	return math.Abs(a.Zoom-b.Zoom) < 1e-9 && math.Abs(a.X-b.X) < 1e-9 && math.Abs(a.Y-b.Y) < 1e-9
}
