package widgets

import (
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Level meter scale and timing.
const (
	// MeterFloor is the level at the meter's left edge; quieter reads empty.
	MeterFloor = -60.0
	// MeterHot is where the bar turns from the success to the warning
	// colour: speech peaking above it is close to distorting.
	MeterHot = -9.0
	// PeakHold is how long the peak marker stays at a peak before it falls
	// back to the current peak.
	PeakHold = 1500 * time.Millisecond
	// ClipHold keeps the clipping light on long enough to be seen.
	ClipHold = 2 * time.Second
)

// LevelMeter shows a microphone's level: a bar for the RMS level, a marker
// holding the recent peak, and a light that turns red when the input clips.
// SetLevel is meant to be called 20 to 50 times a second and allocates
// nothing.
type LevelMeter struct {
	widget.BaseWidget

	rms, hold float64
	holdAt    time.Time
	clipAt    time.Time
	clipping  bool
	now       func() time.Time
	r         *meterRenderer
}

// NewLevelMeter returns an empty meter.
func NewLevelMeter() *LevelMeter {
	m := &LevelMeter{rms: MeterFloor, hold: MeterFloor, now: time.Now}
	m.ExtendBaseWidget(m)
	return m
}

// SetLevel shows a new reading: RMS and peak in dBFS, and whether the input
// clipped. Call it on the UI goroutine.
func (m *LevelMeter) SetLevel(rms, peak float64, clipped bool) {
	now := m.now()
	m.rms = rms
	if peak >= m.hold || now.Sub(m.holdAt) >= PeakHold {
		m.hold, m.holdAt = peak, now
	}
	if clipped {
		m.clipAt = now
	}
	m.clipping = !m.clipAt.IsZero() && now.Sub(m.clipAt) < ClipHold
	if m.r != nil {
		m.r.update()
	}
}

// Reset empties the meter and turns off the clipping light.
func (m *LevelMeter) Reset() {
	m.rms, m.hold = MeterFloor, MeterFloor
	m.holdAt, m.clipAt = time.Time{}, time.Time{}
	m.clipping = false
	if m.r != nil {
		m.r.update()
	}
}

// Clipping reports whether the clipping light is on.
func (m *LevelMeter) Clipping() bool { return m.clipping }

// Reading is what the meter shows: the RMS bar and the held peak, in dBFS.
func (m *LevelMeter) Reading() (rms, peakHold float64) { return m.rms, m.hold }

// MinSize is a slim bar.
func (m *LevelMeter) MinSize() fyne.Size {
	m.ExtendBaseWidget(m)
	return fyne.NewSize(200, 16)
}

// fraction maps dBFS to 0…1 of the bar.
func fraction(db float64) float32 {
	return float32(clamp((db-MeterFloor)/-MeterFloor, 0, 1))
}

// CreateRenderer is part of fyne.Widget.
func (m *LevelMeter) CreateRenderer() fyne.WidgetRenderer {
	r := &meterRenderer{m: m}
	r.track = canvas.NewRectangle(color.Transparent)
	r.bar = canvas.NewRectangle(color.Transparent)
	r.peak = canvas.NewRectangle(color.Transparent)
	r.light = canvas.NewRectangle(color.Transparent)
	r.objects = []fyne.CanvasObject{r.track, r.bar, r.peak, r.light}
	m.r = r
	r.Refresh()
	return r
}

// meterRenderer resolves theme colours in Refresh (a theme change) only, so
// a level update just moves rectangles and swaps colours already boxed.
type meterRenderer struct {
	m                       *LevelMeter
	track, bar, peak, light *canvas.Rectangle
	objects                 []fyne.CanvasObject

	ok, hot, marker, off, clip color.Color
}

func (r *meterRenderer) Destroy() { r.m.r = nil }

func (r *meterRenderer) MinSize() fyne.Size { return r.m.MinSize() }

func (r *meterRenderer) Objects() []fyne.CanvasObject { return r.objects }

func (r *meterRenderer) Layout(size fyne.Size) {
	light := size.Height
	gap := theme.InnerPadding() / 2
	width := max(size.Width-light-gap, 0)
	r.track.Move(fyne.Position{})
	r.track.Resize(fyne.NewSize(width, size.Height))
	r.bar.Move(fyne.Position{})
	r.bar.Resize(fyne.NewSize(width*fraction(r.m.rms), size.Height))
	const markerWidth = 3
	x := min(width*fraction(r.m.hold), width-markerWidth)
	r.peak.Move(fyne.NewPos(max(x, 0), 0))
	r.peak.Resize(fyne.NewSize(markerWidth, size.Height))
	r.light.Move(fyne.NewPos(width+gap, 0))
	r.light.Resize(fyne.NewSize(light, size.Height))
}

func (r *meterRenderer) Refresh() {
	r.ok = theme.Color(theme.ColorNameSuccess)
	r.hot = theme.Color(theme.ColorNameWarning)
	r.marker = theme.Color(theme.ColorNameForeground)
	r.off = theme.Color(theme.ColorNameInputBorder)
	r.clip = theme.Color(theme.ColorNameError)
	r.track.FillColor = theme.Color(theme.ColorNameInputBackground)
	radius := theme.InputRadiusSize() / 2
	for _, o := range []*canvas.Rectangle{r.track, r.bar, r.light} {
		o.CornerRadius = radius
	}
	r.track.Refresh()
	r.update()
}

// update shows the meter's current reading.
func (r *meterRenderer) update() {
	r.bar.FillColor = r.ok
	if r.m.rms >= MeterHot {
		r.bar.FillColor = r.hot
	}
	r.peak.FillColor = r.marker
	r.peak.Hidden = r.m.hold <= MeterFloor
	r.light.FillColor = r.off
	if r.m.clipping {
		r.light.FillColor = r.clip
	}
	r.Layout(r.m.Size())
	r.bar.Refresh()
	r.peak.Refresh()
	r.light.Refresh()
}
