package audio

import (
	"fmt"
	"math"
	"time"
)

// Clip is a sound in memory: interleaved 32-bit float samples in [-1, 1].
type Clip struct {
	SampleRate int
	Channels   int
	Samples    []float32
}

// Frames is the clip's length in frames.
func (c Clip) Frames() int {
	if c.Channels <= 0 {
		return 0
	}
	return len(c.Samples) / c.Channels
}

// Duration is the clip's length in time.
func (c Clip) Duration() time.Duration {
	if c.SampleRate <= 0 {
		return 0
	}
	return time.Duration(c.Frames()) * time.Second / time.Duration(c.SampleRate)
}

// validate checks that the clip can be played.
func (c Clip) validate() error {
	if err := c.validateFormat(); err != nil {
		return err
	}
	if len(c.Samples) == 0 || len(c.Samples)%c.Channels != 0 {
		return fmt.Errorf("audio: clip has %d samples for %d channels", len(c.Samples), c.Channels)
	}
	return nil
}

func (c Clip) validateFormat() error {
	switch {
	case c.SampleRate < 8000 || c.SampleRate > 384000:
		return fmt.Errorf("audio: sample rate %d out of range", c.SampleRate)
	case c.Channels < 1 || c.Channels > 32:
		return fmt.Errorf("audio: %d channels out of range", c.Channels)
	}
	return nil
}

// TestTone is the speaker test sound: three 1 kHz beeps at -12 dBFS, mono, 48 kHz.
func TestTone() Clip {
	const rate = 48000
	beep := tone(1000, 0.25, 0.25, rate)
	gap := make([]float32, rate*15/100)
	var s []float32
	for range 3 {
		s = append(s, beep...)
		s = append(s, gap...)
	}
	return Clip{SampleRate: rate, Channels: 1, Samples: s}
}

// fadeSeconds ramps every generated signal in and out, so it starts and stops
// without a click.
const fadeSeconds = 0.005

// tone is a sine of freq Hz and peak amplitude amp, seconds long, with fades.
func tone(freq, amp, seconds float64, rate int) []float32 {
	n := int(seconds * float64(rate))
	out := make([]float32, n)
	w := 2 * math.Pi * freq / float64(rate)
	for i := range out {
		out[i] = float32(amp * math.Sin(w*float64(i)))
	}
	fade(out, rate)
	return out
}

// chirp is a linear sweep from f0 to f1 Hz, seconds long, with fades. Its
// autocorrelation has one sharp peak, which makes it easy to find in a recording.
func chirp(f0, f1, amp, seconds float64, rate int) []float32 {
	n := int(seconds * float64(rate))
	out := make([]float32, n)
	k := (f1 - f0) / seconds
	for i := range out {
		t := float64(i) / float64(rate)
		out[i] = float32(amp * math.Sin(2*math.Pi*(f0*t+k*t*t/2)))
	}
	fade(out, rate)
	return out
}

// fade applies raised-cosine ramps of fadeSeconds to both ends of x.
func fade(x []float32, rate int) {
	n := min(int(fadeSeconds*float64(rate)), len(x)/2)
	for i := range n {
		g := float32(0.5 - 0.5*math.Cos(math.Pi*float64(i)/float64(n)))
		x[i] *= g
		x[len(x)-1-i] *= g
	}
}
