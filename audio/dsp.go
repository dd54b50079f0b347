package audio

import "math"

// MinDBFS is the floor every level is clamped to: digital silence reads -120 dBFS,
// never -Inf, so levels can be compared, shown and JSON encoded.
const MinDBFS = -120.0

// Clipping: a run of clipRun consecutive samples of one channel at or above
// clipThreshold. A single full-scale sample can be a legitimate peak; a flat run
// is what a converter driven past full scale produces.
const (
	clipThreshold = 0.999
	clipRun       = 3
)

// DBFS converts a linear amplitude (1.0 = full scale) to dBFS.
func DBFS(amplitude float64) float64 {
	if amplitude <= 0 {
		return MinDBFS
	}
	return max(20*math.Log10(amplitude), MinDBFS)
}

// Level is the loudness of a stretch of input.
type Level struct {
	RMS     float64 // dBFS; a full-scale sine reads -3 dBFS
	Peak    float64 // dBFS of the largest sample
	Clipped bool
}

// MeasureLevel measures interleaved samples of the given channel count.
func MeasureLevel(samples []float32, channels int) Level {
	var m levelMeter
	m.reset(channels)
	m.add(samples)
	return m.level()
}

// levelMeter accumulates a level over interleaved samples, with per-channel
// clipping runs. It does not allocate after reset, so it can run on the audio thread.
type levelMeter struct {
	channels int
	n        int
	sum      float64
	peak     float32
	runs     [maxMeterChannels]int
	clipped  bool
}

// maxMeterChannels bounds the per-channel state; further channels share the last slot.
const maxMeterChannels = 8

func (m *levelMeter) reset(channels int) {
	*m = levelMeter{channels: max(channels, 1)}
}

func (m *levelMeter) add(samples []float32) {
	ch := 0
	for _, s := range samples {
		a := s
		if a < 0 {
			a = -a
		}
		m.sum += float64(s) * float64(s)
		if a > m.peak {
			m.peak = a
		}
		slot := min(ch, maxMeterChannels-1)
		if a >= clipThreshold {
			m.runs[slot]++
			if m.runs[slot] >= clipRun {
				m.clipped = true
			}
		} else {
			m.runs[slot] = 0
		}
		ch++
		if ch == m.channels {
			ch = 0
		}
	}
	m.n += len(samples)
}

func (m *levelMeter) level() Level {
	if m.n == 0 {
		return Level{RMS: MinDBFS, Peak: MinDBFS}
	}
	return Level{
		RMS:     DBFS(math.Sqrt(m.sum / float64(m.n))),
		Peak:    DBFS(float64(m.peak)),
		Clipped: m.clipped,
	}
}

// windowedMeter emits a Level every window frames; the clipping runs carry over
// window boundaries so a run split across two callbacks still counts.
type windowedMeter struct {
	levelMeter
	window int // samples (frames × channels) per level
	fill   int
}

func newWindowedMeter(channels, windowFrames int) *windowedMeter {
	w := &windowedMeter{window: max(windowFrames, 1) * max(channels, 1)}
	w.reset(channels)
	return w
}

func (w *windowedMeter) add(samples []float32, emit func(Level)) {
	for len(samples) > 0 {
		n := min(len(samples), w.window-w.fill)
		w.levelMeter.add(samples[:n])
		w.fill += n
		samples = samples[n:]
		if w.fill == w.window {
			emit(w.level())
			runs := w.runs
			w.reset(w.channels)
			w.runs = runs
			w.fill = 0
		}
	}
}

// rms is the root mean square of x (linear).
func rms(x []float32) float64 {
	if len(x) == 0 {
		return 0
	}
	var sum float64
	for _, s := range x {
		sum += float64(s) * float64(s)
	}
	return math.Sqrt(sum / float64(len(x)))
}

// goertzel estimates the amplitude (peak, linear) of the freq component of x.
func goertzel(x []float32, freq float64, rate int) float64 {
	if len(x) == 0 {
		return 0
	}
	w := 2 * math.Pi * freq / float64(rate)
	coeff := 2 * math.Cos(w)
	var s1, s2 float64
	for _, v := range x {
		s0 := float64(v) + coeff*s1 - s2
		s2, s1 = s1, s0
	}
	re := s1 - s2*math.Cos(w)
	im := s2 * math.Sin(w)
	return 2 * math.Hypot(re, im) / float64(len(x))
}
