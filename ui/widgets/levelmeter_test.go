package widgets

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

type reading struct {
	after     time.Duration // since the previous reading
	rms, peak float64
	clipped   bool
}

func TestLevelMeter(t *testing.T) {
	tests := []struct {
		name     string
		readings []reading
		wantBar  float32 // fraction of the track
		wantHold float64
		wantClip bool
	}{
		{"silence reads empty", []reading{{0, -120, -120, false}}, 0, -120, false},
		{"speech", []reading{{0, -30, -18, false}}, 0.5, -18, false},
		{"full scale", []reading{{0, 0, 0, true}}, 1, 0, true},
		{"peak is held", []reading{{0, -20, -6, false}, {time.Second, -40, -30, false}}, 1.0 / 3, -6, false},
		{"held peak falls back after the hold", []reading{{0, -20, -6, false}, {PeakHold, -40, -30, false}}, 1.0 / 3, -30, false},
		{"a higher peak replaces the hold at once", []reading{{0, -20, -12, false}, {100 * time.Millisecond, -10, -3, false}}, 5.0 / 6, -3, false},
		{"clip light stays on", []reading{{0, -3, 0, true}, {ClipHold - time.Millisecond, -40, -30, false}}, 1.0 / 3, -30, true},
		{"clip light goes off", []reading{{0, -3, 0, true}, {ClipHold, -40, -30, false}}, 1.0 / 3, -30, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := shownMeter(t)
			clock := time.Unix(1000, 0)
			m.now = func() time.Time { return clock }
			for _, rd := range tt.readings {
				clock = clock.Add(rd.after)
				m.SetLevel(rd.rms, rd.peak, rd.clipped)
			}
			r := test.WidgetRenderer(m).(*meterRenderer)
			track := r.track.Size().Width
			if got := r.bar.Size().Width / track; abs(got-tt.wantBar) > 0.001 {
				t.Errorf("bar = %.3f of the track, want %.3f", got, tt.wantBar)
			}
			if m.hold != tt.wantHold {
				t.Errorf("hold = %v dBFS, want %v", m.hold, tt.wantHold)
			}
			if m.Clipping() != tt.wantClip || (r.light.FillColor == r.clip) != tt.wantClip {
				t.Errorf("clipping = %v, light red = %v, want %v", m.Clipping(), r.light.FillColor == r.clip, tt.wantClip)
			}
			m.Reset()
			if r.bar.Size().Width != 0 || m.Clipping() || !r.peak.Hidden {
				t.Error("Reset left a reading on the meter")
			}
		})
	}
}

func TestLevelMeterRenders(t *testing.T) {
	m, w := shownMeter(t)
	m.SetLevel(-12, -2, true)
	test.AssertRendersToMarkup(t, "levelmeter.xml", w.Canvas())
}

func TestLevelMeterUpdateDoesNotAllocate(t *testing.T) {
	m, _ := shownMeter(t)
	i := 0
	allocs := testing.AllocsPerRun(200, func() {
		i++
		m.SetLevel(-float64(i%50), -float64(i%20), i%40 == 0)
	})
	if allocs != 0 {
		t.Errorf("SetLevel allocates %v times per update", allocs)
	}
}

func BenchmarkLevelMeterSetLevel(b *testing.B) {
	m, _ := shownMeter(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		m.SetLevel(-float64(i%50), -float64(i%20), i%40 == 0)
	}
}

// shownMeter puts a meter in a window: 200 units of track and the light.
func shownMeter(t testing.TB) (*LevelMeter, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	m := NewLevelMeter()
	w := test.NewWindow(m)
	w.SetPadded(false)
	w.Resize(fyne.NewSize(216, 16))
	t.Cleanup(w.Close)
	return m, w
}

func abs(v float32) float32 {
	if v < 0 {
		return -v
	}
	return v
}
