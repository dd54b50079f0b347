package audio

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"
)

func near(got, want, tol float64) bool { return math.Abs(got-want) <= tol }

func TestDBFS(t *testing.T) {
	for _, tc := range []struct {
		amp, want float64
	}{
		{1, 0},
		{0.5, -6.0206},
		{0.1, -20},
		{2, 6.0206},
		{1e-9, MinDBFS}, // -180 clamps
		{0, MinDBFS},
		{-1, MinDBFS},
	} {
		if got := DBFS(tc.amp); !near(got, tc.want, 1e-3) {
			t.Errorf("DBFS(%g) = %g, want %g", tc.amp, got, tc.want)
		}
	}
}

// interleave builds frames of ch channels from per-channel generators.
func interleave(frames int, gens ...func(i int) float32) []float32 {
	out := make([]float32, 0, frames*len(gens))
	for i := range frames {
		for _, g := range gens {
			out = append(out, g(i))
		}
	}
	return out
}

func sine(freq, amp float64) func(int) float32 {
	return func(i int) float32 { return float32(amp * math.Sin(2*math.Pi*freq*float64(i)/48000)) }
}

func constant(v float32) func(int) float32 { return func(int) float32 { return v } }

// runs returns a generator that is v for the first n samples of every period, else 0.
func runs(v float32, n, period int) func(int) float32 {
	return func(i int) float32 {
		if i%period < n {
			return v
		}
		return 0
	}
}

func TestMeasureLevel(t *testing.T) {
	for _, tc := range []struct {
		name      string
		samples   []float32
		channels  int
		rms, peak float64
		clipped   bool
	}{
		{"empty", nil, 1, MinDBFS, MinDBFS, false},
		{"silence", make([]float32, 480), 1, MinDBFS, MinDBFS, false},
		{"half-scale sine", interleave(4800, sine(1000, 0.5)), 1, -9.031, -6.021, false},
		// Its peaks touch full scale one sample at a time: loud, not clipped.
		{"full-scale sine", interleave(4800, sine(1000, 1)), 1, -3.010, 0, false},
		{"full-scale square", interleave(480, func(i int) float32 { return float32(1 - 2*(i/24%2)) }), 1, 0, 0, true},
		{"negative run of three", interleave(500, runs(-1, 3, 100)), 1, DBFS(math.Sqrt(0.03)), 0, true},
		{"runs of two", interleave(500, runs(1, 2, 100)), 1, DBFS(math.Sqrt(0.02)), 0, false},
		{"run just under threshold", interleave(500, runs(0.998, 10, 100)), 1, DBFS(0.998 * math.Sqrt(0.1)), DBFS(0.998), false},
		// Left clips on every frame, right is quiet: counted per channel, it clips.
		{"stereo, left clipped", interleave(480, constant(1), constant(0.1)), 2, DBFS(math.Sqrt(1.01 / 2)), 0, true},
		// The same samples read as mono never have three full-scale samples in a row.
		{"same, read as mono", interleave(480, constant(1), constant(0.1)), 1, DBFS(math.Sqrt(1.01 / 2)), 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := MeasureLevel(tc.samples, tc.channels)
			if !near(got.RMS, tc.rms, 0.01) || !near(got.Peak, tc.peak, 0.01) || got.Clipped != tc.clipped {
				t.Errorf("got %+v, want rms %.3f peak %.3f clipped %v", got, tc.rms, tc.peak, tc.clipped)
			}
		})
	}
}

func TestWindowedMeter(t *testing.T) {
	for _, tc := range []struct {
		name    string
		chunk   int // frames fed per call, as uneven callbacks would
		signal  []float32
		levels  int
		clipped []int // windows expected to report clipping
	}{
		{"one second, 333-frame chunks", 333, interleave(48000, sine(440, 0.25), sine(440, 0.25)), 40, nil},
		{"one second, one chunk", 48000, interleave(48000, sine(440, 0.25), sine(440, 0.25)), 40, nil},
		// A clipped run straddling the boundary of windows 0 and 1 (frames
		// 1198..1201) flags the window where it reaches three samples.
		{"run across windows", 100, interleave(2400, func(i int) float32 {
			if i >= 1198 && i <= 1201 {
				return -1
			}
			return 0
		}, constant(0)), 2, []int{1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newWindowedMeter(2, 1200)
			var got []Level
			for s := tc.signal; len(s) > 0; {
				n := min(len(s), tc.chunk*2)
				m.add(s[:n], func(l Level) { got = append(got, l) })
				s = s[n:]
			}
			if len(got) != tc.levels {
				t.Fatalf("%d levels, want %d", len(got), tc.levels)
			}
			for i, l := range got {
				want := false
				for _, c := range tc.clipped {
					want = want || c == i
				}
				if l.Clipped != want {
					t.Errorf("window %d clipped = %v, want %v", i, l.Clipped, want)
				}
			}
		})
	}
}

func TestGoertzel(t *testing.T) {
	for _, tc := range []struct {
		name   string
		signal []float32
		freq   float64
		want   float64
	}{
		{"on frequency", interleave(4800, sine(1000, 0.5)), 1000, 0.5},
		{"off frequency", interleave(4800, sine(3000, 0.5)), 1000, 0},
		{"tone in noise", func() []float32 {
			r := rand.New(rand.NewPCG(1, 2))
			return interleave(4800, func(i int) float32 { return sine(1000, 0.1)(i) + float32(r.Float64()-0.5)*0.2 })
		}(), 1000, 0.1},
		{"silence", make([]float32, 4800), 1000, 0},
		{"empty", nil, 1000, 0},
	} {
		if got := goertzel(tc.signal, tc.freq, 48000); !near(got, tc.want, 0.005) {
			t.Errorf("%s: goertzel = %.4f, want %.4f", tc.name, got, tc.want)
		}
	}
}

func TestToneAndChirp(t *testing.T) {
	tn := tone(1000, 0.25, 0.5, 48000)
	if len(tn) != 24000 || tn[0] != 0 || tn[len(tn)-1] != 0 {
		t.Errorf("tone: len %d, ends %g %g; want 24000 samples starting and ending at 0", len(tn), tn[0], tn[len(tn)-1])
	}
	if a := goertzel(tn[2400:21600], 1000, 48000); !near(a, 0.25, 0.001) {
		t.Errorf("tone amplitude %.4f, want 0.25", a)
	}
	// A linear 300→3400 Hz sweep over 0.2 s passes 1000 Hz near 45 ms and 3000 Hz near 174 ms.
	ch := chirp(300, 3400, 0.5, 0.2, 48000)
	early, late := ch[1680:2640], ch[7872:8832] // 20 ms around each
	if goertzel(early, 1000, 48000) < 4*goertzel(early, 3000, 48000) {
		t.Error("chirp: no 1 kHz early on")
	}
	if goertzel(late, 3000, 48000) < 4*goertzel(late, 1000, 48000) {
		t.Error("chirp: no 3 kHz late")
	}
}

func TestTestTone(t *testing.T) {
	c := TestTone()
	if c.SampleRate != 48000 || c.Channels != 1 || c.validate() != nil {
		t.Fatalf("TestTone format %d Hz × %d, %v", c.SampleRate, c.Channels, c.validate())
	}
	if l := MeasureLevel(c.Samples, 1); !near(l.Peak, -12.04, 0.05) || l.Clipped {
		t.Errorf("TestTone level %+v, want peak -12 dBFS", l)
	}
}

func dft(x []complex128) []complex128 {
	out := make([]complex128, len(x))
	for k := range x {
		for n, v := range x {
			out[k] += v * cmplx.Rect(1, -2*math.Pi*float64(k*n)/float64(len(x)))
		}
	}
	return out
}

func TestFFT(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 2, 4, 8, 64, 256} {
		x := make([]complex128, n)
		for i := range x {
			x[i] = complex(r.NormFloat64(), r.NormFloat64())
		}
		want := dft(x)
		got := append([]complex128(nil), x...)
		fft(got, false)
		for i := range got {
			if cmplx.Abs(got[i]-want[i]) > 1e-9*float64(n) {
				t.Fatalf("n=%d: bin %d = %v, want %v", n, i, got[i], want[i])
			}
		}
		fft(got, true)
		for i := range got {
			if cmplx.Abs(got[i]/complex(float64(n), 0)-x[i]) > 1e-9 {
				t.Fatalf("n=%d: inverse sample %d = %v, want %v", n, i, got[i], x[i])
			}
		}
	}
}

func TestXcorr(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, tc := range []struct{ nx, nref int }{{10, 3}, {100, 100}, {257, 31}, {5, 6}, {5, 0}} {
		x := make([]float32, tc.nx)
		ref := make([]float32, tc.nref)
		for i := range x {
			x[i] = float32(r.NormFloat64())
		}
		for i := range ref {
			ref[i] = float32(r.NormFloat64())
		}
		got := xcorr(x, ref)
		lags := max(tc.nx-tc.nref+1, 0)
		if tc.nref == 0 {
			lags = 0
		}
		if len(got) != lags {
			t.Fatalf("%d/%d: %d lags, want %d", tc.nx, tc.nref, len(got), lags)
		}
		for k := range got {
			var want float64
			for i, v := range ref {
				want += float64(x[k+i]) * float64(v)
			}
			if !near(got[k], want, 1e-6) {
				t.Fatalf("%d/%d: r[%d] = %g, want %g", tc.nx, tc.nref, k, got[k], want)
			}
		}
	}
}
