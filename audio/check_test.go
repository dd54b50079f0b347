package audio

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// capture is what a microphone would record of sig in a test of the
// analysis: silence until offset, the signal delay frames later (after the
// path's processing, if any), scaled by gain, plus noise, clamped to full
// scale like a converter.
type capture struct {
	offset, delay int
	gain          float64
	noise         []float32                 // added as is; nil: none
	path          func([]float32) []float32 // resampling, say; nil: none
}

func (c capture) record(sig checkSignal) []float32 {
	played := sig.samples
	if c.path != nil {
		played = c.path(played)
	}
	out := make([]float32, len(sig.samples)+sig.rate)
	for i := range out {
		var v float64
		if i < len(c.noise) {
			v = float64(c.noise[i])
		}
		if j := i - c.offset - c.delay; j >= 0 && j < len(played) {
			v += c.gain * float64(played[j])
		}
		out[i] = float32(math.Max(-1, math.Min(1, v)))
	}
	return out
}

// simulateCapture records sig with uniform noise of the given peak.
func simulateCapture(sig checkSignal, offset, delay int, gain, noise float64) []float32 {
	n := len(sig.samples) + sig.rate
	return capture{offset: offset, delay: delay, gain: gain, noise: uniformNoise(n, noise)}.record(sig)
}

func uniformNoise(n int, peak float64) []float32 {
	r := rand.New(rand.NewPCG(7, 8))
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(peak * (2*r.Float64() - 1))
	}
	return x
}

// pinkNoise is n samples of pink (1/f) noise scaled to the given RMS (linear),
// from Paul Kellet's economy filter over white noise.
func pinkNoise(n int, level float64, seed uint64) []float32 {
	r := rand.New(rand.NewPCG(seed, 1))
	x := make([]float32, n)
	var b0, b1, b2 float64
	for i := range x {
		w := r.NormFloat64()
		b0 = 0.99765*b0 + w*0.0990460
		b1 = 0.96300*b1 + w*0.2965164
		b2 = 0.57000*b2 + w*1.0526913
		x[i] = float32(b0 + b1 + b2 + w*0.1848)
	}
	g := float32(level / rms(x))
	for i := range x {
		x[i] *= g
	}
	return x
}

// resampled passes x through a sample rate converter to rate and back, as a
// sound server does for a device at another rate: linear interpolation
// after a moving-average low-pass (what miniaudio's and PulseAudio's cheap
// converters roughly do).
func resampled(rate int) func([]float32) []float32 {
	conv := func(x []float32, from, to int) []float32 {
		if to < from {
			// Average over the step to keep energy below the new Nyquist frequency.
			k := max(1, from/to)
			y := make([]float32, len(x))
			var sum float32
			for i := range x {
				sum += x[i]
				if i >= k {
					sum -= x[i-k]
				}
				y[i] = sum / float32(k)
			}
			x = y
		}
		n := len(x) * to / from
		out := make([]float32, n)
		for i := range out {
			pos := float64(i) * float64(from) / float64(to)
			j := int(pos)
			f := float32(pos - float64(j))
			if j+1 < len(x) {
				out[i] = x[j]*(1-f) + x[j+1]*f
			} else if j < len(x) {
				out[i] = x[j]
			}
		}
		return out
	}
	return func(x []float32) []float32 { return conv(conv(x, 48000, rate), rate, 48000) }
}

// softClip limits x smoothly to ±limit (tanh), as a microphone preamp's
// limiter does: the chirp still correlates, the tone loses level.
func softClip(limit float64) func([]float32) []float32 {
	return func(x []float32) []float32 {
		y := make([]float32, len(x))
		for i, v := range x {
			y[i] = float32(limit * math.Tanh(float64(v)/limit))
		}
		return y
	}
}

func TestAnalyzeCheck(t *testing.T) {
	sig := newCheckSignal(48000)
	ms := func(m float64) int { return int(m * 48) }
	n := len(sig.samples) + sig.rate
	white := func(peak float64) []float32 { return uniformNoise(n, peak) }
	for _, tc := range []struct {
		name         string
		c            capture
		from         int
		verdict      Verdict
		level, floor float64 // dBFS, checked when detected and not clipped
		tol          float64 // for level and floor
	}{
		{"ok", capture{offset: 1000, delay: ms(50), gain: 0.5, noise: white(1e-4)}, 1000, VerdictOK, -15.05, -84.8, 1},
		{"zero latency", capture{offset: 6000, delay: 0, gain: 0.5, noise: white(1e-4)}, 6000, VerdictOK, -15.05, -84.8, 1},
		{"arrives late: a speaker slow to start", capture{offset: 500, delay: ms(450), gain: 0.5, noise: white(1e-4)}, 500, VerdictOK, -15.05, -84.8, 1},
		{"inverted polarity", capture{offset: 200, delay: ms(25), gain: -0.5, noise: white(1e-4)}, 200, VerdictOK, -15.05, -84.8, 1},
		{"resampled to 8 kHz", capture{offset: 3000, delay: ms(30), gain: 0.5, noise: white(1e-4), path: resampled(8000)}, 3000, VerdictOK, -15.7, -84.8, 1}, // the test's low-pass takes 0.7 dB at 1 kHz
		{"resampled to 22.05 kHz", capture{offset: 3000, delay: ms(30), gain: 0.5, noise: white(1e-4), path: resampled(22050)}, 3000, VerdictOK, -15.05, -84.8, 1},
		{"resampled to 44.1 kHz", capture{offset: 3000, delay: ms(30), gain: 0.5, noise: white(1e-4), path: resampled(44100)}, 3000, VerdictOK, -15.05, -84.8, 1},
		{"quiet", capture{offset: 0, delay: ms(40), gain: 0.005, noise: white(1e-5)}, 0, VerdictTooQuiet, -55.05, -104.8, 1},
		{"pink noise 30 dB below", capture{offset: 6000, delay: ms(40), gain: 0.5, noise: pinkNoise(n, math.Pow(10, -45.05/20), 3)}, 6000, VerdictOK, -15.05, -45.05, 2},
		{"delayed, resampled to 16 kHz and noisy", capture{offset: 3000, delay: ms(230), gain: 0.5, noise: pinkNoise(n, math.Pow(10, -40.05/20), 6), path: resampled(16000)}, 3000, VerdictOK, -15.05, -40.05, 2},
		{"softly clipped: a hot converter's limiter", capture{offset: 3000, delay: ms(30), gain: 0.5, noise: white(1e-4), path: softClip(0.3)}, 3000, VerdictOK, -19.03, -84.8, 1}, // 0.5 peak through 0.3·tanh: a 0.316 fundamental
		{"pink noise 10 dB below: noisy", capture{offset: 6000, delay: ms(40), gain: 0.5, noise: pinkNoise(n, math.Pow(10, -25.05/20), 4)}, 6000, VerdictNoisy, -15.05, -25.05, 2},
		{"white noise as loud as the tone", capture{offset: 6000, delay: ms(40), gain: 0.1, noise: white(0.1)}, 6000, VerdictNoisy, -29.03, -24.8, 1},
		{"clipping", capture{offset: 0, delay: ms(40), gain: 4, noise: white(1e-4)}, 0, VerdictClipping, 0, 0, 0},
		{"silence", capture{offset: 0, delay: ms(40)}, 0, VerdictNoSignal, 0, 0, 0},
		{"noise only", capture{offset: 0, delay: ms(40), noise: white(0.01)}, 0, VerdictNoSignal, 0, 0, 0},
		{"pink noise only", capture{offset: 0, delay: ms(40), noise: pinkNoise(n, 0.1, 5)}, 0, VerdictNoSignal, 0, 0, 0},
		{"before the speaker played", capture{offset: 0, delay: ms(40), gain: 0.5, noise: white(1e-4)}, ms(300), VerdictNoSignal, 0, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, at := analyzeCheck(sig, tc.c.record(sig), tc.from)
			if v := judge(r); v != tc.verdict {
				t.Fatalf("verdict %v, want %v (%+v)", v, tc.verdict, r)
			}
			if tc.verdict == VerdictNoSignal {
				if r.Detected || at >= 0 {
					t.Errorf("detected a signal that is not there: %+v at %d", r, at)
				}
				return
			}
			if !r.Detected || r.Correlation < minCorrelation {
				t.Fatalf("not detected: %+v", r)
			}
			// Found to the sample; a resampler may shift it by one or two.
			want := tc.c.offset + tc.c.delay + sig.chirpAt
			if at < want-2 || at > want+2 {
				t.Errorf("chirp at %d, want %d", at, want)
			}
			if tc.verdict == VerdictClipping {
				return
			}
			if !near(r.Level, tc.level, 0.3) || !near(r.NoiseFloor, tc.floor, tc.tol) {
				t.Errorf("level %.2f floor %.2f, want %.2f and %.2f", r.Level, r.NoiseFloor, tc.level, tc.floor)
			}
			if !near(r.SNR, r.Level-r.NoiseFloor, 1e-9) {
				t.Errorf("SNR %.2f is not level minus floor", r.SNR)
			}
		})
	}
}

func TestAnalyzeCheckShortCapture(t *testing.T) {
	sig := newCheckSignal(48000)
	for _, n := range []int{0, 100, len(sig.chirp) - 1, len(sig.chirp)} {
		r, at := analyzeCheck(sig, make([]float32, n), 0)
		if r.Detected || at >= 0 || judge(r) != VerdictNoSignal {
			t.Errorf("%d frames: %+v, want no signal", n, r)
		}
	}
}

func TestJudge(t *testing.T) {
	good := CheckResult{Detected: true, Level: -15, Peak: -6, NoiseFloor: -70, SNR: 55, Correlation: 0.9}
	with := func(f func(*CheckResult)) CheckResult { r := good; f(&r); return r }
	for _, tc := range []struct {
		name string
		r    CheckResult
		want Verdict
	}{
		{"good", good, VerdictOK},
		{"digital silence beats everything", with(func(r *CheckResult) { r.Peak = -100; r.Clipped = true }), VerdictNoSignal},
		{"clipping", with(func(r *CheckResult) { r.Clipped = true }), VerdictClipping},
		{"clipping even if undetected", with(func(r *CheckResult) { r.Clipped = true; r.Detected = false }), VerdictClipping},
		{"not heard", with(func(r *CheckResult) { r.Detected = false }), VerdictNoSignal},
		{"low level", with(func(r *CheckResult) { r.Level = -41; r.SNR = 29 }), VerdictTooQuiet},
		{"level at the limit", with(func(r *CheckResult) { r.Level = -40; r.SNR = 30 }), VerdictOK},
		{"low SNR", with(func(r *CheckResult) { r.NoiseFloor = -29; r.SNR = 14 }), VerdictNoisy},
		{"low level beats low SNR", with(func(r *CheckResult) { r.Level = -50; r.SNR = 10 }), VerdictTooQuiet},
		{"broken up beats low level and low SNR", with(func(r *CheckResult) { r.BrokeUp = true; r.Level = -50; r.SNR = 10 }), VerdictBrokeUp},
		{"broken up beats not heard", with(func(r *CheckResult) { r.BrokeUp = true; r.Detected = false }), VerdictBrokeUp},
		{"clipping beats broken up", with(func(r *CheckResult) { r.BrokeUp = true; r.Clipped = true }), VerdictClipping},
	} {
		if got := judge(tc.r); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestVerdictString(t *testing.T) {
	want := map[Verdict]string{VerdictOK: "ok", VerdictTooQuiet: "too quiet", VerdictClipping: "clipping",
		VerdictNoSignal: "no signal", VerdictDeviceMissing: "device missing", VerdictNoisy: "noisy", VerdictBrokeUp: "broke up", Verdict(99): "unknown"}
	for v, s := range want {
		if v.String() != s {
			t.Errorf("%d: %q, want %q", v, v.String(), s)
		}
	}
}

func TestCheckHeadsetFake(t *testing.T) {
	for _, tc := range []struct {
		name        string
		gain, noise float64
		mic         Device
		rate, ch    int // the microphone's own format
		verdict     Verdict
		handsFree   bool
	}{
		{"loopback", 0.5, 0.001, fakeHeadMic, 48000, 2, VerdictOK, false},
		{"hands-free microphone", 0.5, 0.001, fakeHeadMic, 16000, 1, VerdictOK, true},
		{"narrow-band hands-free microphone", 0.5, 0.001, fakeHeadMic, 8000, 1, VerdictOK, true},
		{"16 kHz stereo is no hands-free profile", 0.5, 0.001, fakeHeadMic, 16000, 2, VerdictOK, false},
		{"deaf microphone", 0, 0.001, fakeHeadMic, 48000, 2, VerdictNoSignal, false},
		{"hot microphone", 3, 0.001, fakeHeadMic, 48000, 2, VerdictClipping, false},
		{"unplugged microphone", 0.5, 0.001, Device{Kind: Capture, Backend: "fake", ID: "99", Name: "Gone"}, 48000, 2, VerdictDeviceMissing, false},
		{"a playback device as microphone", 0.5, 0.001, fakeHeadset, 48000, 2, VerdictDeviceMissing, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, d := newFakeSystem(t, Prefs{}, fakeHeadset, fakeHeadMic)
			d.mu.Lock()
			d.outLat, d.inLat, d.gain, d.noise = 1000, 440, tc.gain, tc.noise
			d.nativeRate, d.channels = tc.rate, tc.ch
			d.tick = time.Millisecond // 10x real time: several polls per check, as in real time
			d.mu.Unlock()
			var progress []float64
			r, err := s.CheckHeadset(context.Background(), fakeHeadset, tc.mic, func(p float64) { progress = append(progress, p) })
			if err != nil {
				t.Fatal(err)
			}
			if r.Verdict != tc.verdict || r.Speaker != fakeHeadset || r.Microphone != tc.mic {
				t.Fatalf("verdict %v for %q → %q, want %v (%+v)", r.Verdict, r.Speaker.Name, r.Microphone.Name, tc.verdict, r)
			}
			if tc.verdict == VerdictDeviceMissing {
				return
			}
			if r.HandsFree != tc.handsFree || r.MicRate != tc.rate || r.MicChannels != tc.ch {
				t.Errorf("hands-free %v for a %d Hz %d-channel microphone, want %v", r.HandsFree, r.MicRate, r.MicChannels, tc.handsFree)
			}
			// How many steps show depends on how often the poll runs beside
			// the fake's clock (10x real time here); at least one before the end.
			inner := slices.ContainsFunc(progress, func(p float64) bool { return p > 0 && p < 1 })
			if !inner || !slices.IsSorted(progress) || progress[0] < 0 || progress[len(progress)-1] != 1 {
				t.Errorf("progress %v: want a rising series, a step before the end, ending at 1", progress)
			}
			if tc.verdict != VerdictOK {
				return
			}
			// The fake's round trip is outLat+inLat = 1440 frames, 30 ms.
			if d := r.Latency - 30*time.Millisecond; d < -50*time.Microsecond || d > 50*time.Microsecond {
				t.Errorf("latency %v, want 30ms", r.Latency)
			}
			if !near(r.Level, -15.05, 0.3) || !near(r.NoiseFloor, DBFS(0.001/math.Sqrt(3)), 1) {
				t.Errorf("level %.2f, floor %.2f", r.Level, r.NoiseFloor)
			}
		})
	}
}

// The latency is the path's, to the sample, whatever the path adds and however
// long the devices take to start: the check used to place its search window
// with callback times, which a sound server's start-up delay threw off by
// seconds ("the microphone didn't hear the test sound").
func TestCheckHeadsetLatency(t *testing.T) {
	for _, tc := range []struct {
		name  string
		added time.Duration // on top of the 30 ms base path
		stall time.Duration
	}{
		{"base", 0, 0},
		{"+50 ms", 50 * time.Millisecond, 0},
		{"+100 ms", 100 * time.Millisecond, 0},
		{"+200 ms", 200 * time.Millisecond, 0},
		{"devices start 1.9 s late", 0, 1900 * time.Millisecond},
		{"+200 ms, devices start 1 s late", 200 * time.Millisecond, time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, d := newFakeSystem(t, Prefs{}, fakeHeadset, fakeHeadMic)
			frames := func(x time.Duration) int { return int(x.Seconds() * fakeRate) }
			d.mu.Lock()
			d.outLat, d.inLat, d.gain, d.noise = 1000+frames(tc.added), 440, 0.5, 0.001
			d.stall = frames(tc.stall)
			d.mu.Unlock()
			r, err := s.CheckHeadset(context.Background(), fakeHeadset, fakeHeadMic, nil)
			if err != nil {
				t.Fatal(err)
			}
			want := 30*time.Millisecond + tc.added
			if r.Verdict != VerdictOK || r.Latency < want-50*time.Microsecond || r.Latency > want+50*time.Microsecond {
				t.Errorf("%v, latency %v; want ok, %v", r.Verdict, r.Latency, want)
			}
		})
	}
}

func TestCheckHeadsetDeviceLost(t *testing.T) {
	s, d := newFakeSystem(t, Prefs{}, fakeHeadset, fakeHeadMic)
	d.mu.Lock()
	d.gain = 0.5
	d.mu.Unlock()
	// Unplug the microphone as soon as the check has opened both streams.
	go func() {
		for {
			d.mu.Lock()
			n := len(d.opened)
			if n == 2 {
				d.devs = []Device{fakeHeadset}
			}
			d.mu.Unlock()
			if n == 2 {
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	d.mu.Lock()
	d.tick = 5 * time.Millisecond // slow the fake so the watcher sees the unplug mid-check
	d.mu.Unlock()
	r, err := s.CheckHeadset(context.Background(), fakeHeadset, fakeHeadMic, nil)
	if err != nil || r.Verdict != VerdictDeviceMissing {
		t.Fatalf("got %v, %v; want device missing", r.Verdict, err)
	}
}

func TestCheckHeadsetCancelAndClose(t *testing.T) {
	s, _ := newFakeSystem(t, Prefs{}, fakeHeadset, fakeHeadMic)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.CheckHeadset(ctx, fakeHeadset, fakeHeadMic, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled check: %v, want context.Canceled", err)
	}
	s.Close()
	if _, err := s.CheckHeadset(context.Background(), fakeHeadset, fakeHeadMic, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("check after Close: %v, want ErrClosed", err)
	}
}

func TestToneLevel(t *testing.T) {
	withGap := func(from, to int) []float32 {
		x := interleave(17280, sine(1000, 0.5)) // 360 ms
		clear(x[from:to])
		return x
	}
	late := make([]float32, 24000) // 500 ms: 200 ms of silence, then the tone
	copy(late[9600:], interleave(14400, sine(1000, 0.5)))
	for _, tc := range []struct {
		name   string
		x      []float32
		frames int // the tone's length
		want   float64
	}{
		{"whole tone", withGap(0, 0), 17280, 0.5},
		{"a 100 ms dropout is ignored", withGap(5000, 9800), 17280, 0.5},
		{"mostly missing reads low", withGap(0, 14000), 17280, 0},
		{"pushed back by a dropout", late, 14400, 0.5},
		{"short input: one Goertzel", interleave(1000, sine(1000, 0.25)), 1000, 0.25},
		{"off frequency", interleave(17280, sine(440, 0.5)), 17280, 0},
	} {
		if got := toneLevel(tc.x, 1000, 48000, tc.frames); !near(got, tc.want, 0.01) {
			t.Errorf("%s: %.3f, want %.3f", tc.name, got, tc.want)
		}
	}
}

// A dropout spoils the check: it is reported as one ("broke up, try
// again"), while the level and the noise floor are still measured around it
// and a click before the signal changes nothing.
func TestAnalyzeCheckMeasuresAroundDropoutsAndClicks(t *testing.T) {
	sig := newCheckSignal(48000)
	const offset, delay = 6000, 960 // 125 ms of quiet, then 20 ms
	clean, cleanAt := analyzeCheck(sig, simulateCapture(sig, offset, delay, 0.5, 1e-3), offset)
	x := simulateCapture(sig, offset, delay, 0.5, 1e-3)
	// 60 ms of the tone lost...
	tone := offset + sig.toneAt + delay + 4800
	clear(x[tone : tone+2880])
	// ...and a 15 ms click in the quiet before the chirp.
	click := offset + sig.chirpAt + delay - 4800
	for i := click; i < click+720; i++ {
		x[i] = 0.3
	}
	got, at := analyzeCheck(sig, x, offset)
	if !got.Detected || judge(got) != VerdictBrokeUp || !near(got.Missing.Seconds(), 0.06, 0.01) {
		t.Fatalf("%v, %v missing: %+v", judge(got), got.Missing, got)
	}
	if !near(got.Level, clean.Level, 0.3) || !near(got.NoiseFloor, clean.NoiseFloor, 1) || at != cleanAt {
		t.Errorf("with a dropout and a click: level %.2f floor %.2f chirp at %d; clean: %.2f %.2f %d",
			got.Level, got.NoiseFloor, at, clean.Level, clean.NoiseFloor, cleanAt)
	}
	if clean.Missing != 0 || clean.BrokeUp {
		t.Errorf("clean capture: %v missing", clean.Missing)
	}
}

// brokenCapture is a capture of sig through a path that breaks up: gaps
// edits what the speaker played (an underrun inserts silence and pushes the
// rest later), lost edits the recording (an overrun loses frames and pulls
// the rest earlier; a fade lowers them). Positions are in the played signal.
type brokenCapture struct {
	capture
	played func(sig checkSignal, x []float32) []float32
	rec    func(sig checkSignal, at int, x []float32) // at: where the signal starts in x
}

func (b brokenCapture) record(sig checkSignal) []float32 {
	c := b.capture
	if b.played != nil {
		path := c.path
		c.path = func(x []float32) []float32 {
			if path != nil {
				x = path(x)
			}
			return b.played(sig, slices.Clone(x))
		}
	}
	x := c.record(sig)
	if b.rec != nil {
		b.rec(sig, c.offset+c.delay, x)
	}
	return x
}

// underrun inserts d of silence into what was played at position pos.
func underrun(pos, d int) func(checkSignal, []float32) []float32 {
	return func(_ checkSignal, x []float32) []float32 {
		return slices.Concat(x[:pos], make([]float32, d), x[pos:])
	}
}

// overrun loses d frames of the recording at signal position pos.
func overrun(pos, d int) func(checkSignal, int, []float32) {
	return func(_ checkSignal, at int, x []float32) {
		copy(x[at+pos:], x[at+pos+d:])
	}
}

// dip scales the recording by gain from signal position pos for d frames.
func dip(pos, d int, gain float32) func(checkSignal, int, []float32) {
	return func(_ checkSignal, at int, x []float32) {
		for i := at + pos; i < at+pos+d; i++ {
			x[i] *= gain
		}
	}
}

func TestAnalyzeCheckBrokeUp(t *testing.T) {
	sig := newCheckSignal(48000)
	ms := func(m float64) int { return int(m * 48) }
	n := len(sig.samples) + sig.rate
	base := capture{offset: 4800, delay: ms(30), gain: 0.5, noise: uniformNoise(n, 1e-4)}
	with := func(f func(*capture)) capture { c := base; f(&c); return c }
	chirpMid, toneMid := sig.chirpAt+len(sig.chirp)/2, sig.toneAt+sig.toneLen/2
	for _, tc := range []struct {
		name    string
		c       brokenCapture
		verdict Verdict
		// gap is how much went missing. A dropout before the tone counts up to
		// twice, as the part after it is out of place too.
		gap time.Duration
	}{
		{"clean", brokenCapture{capture: base}, VerdictOK, 0},
		{"underrun in the chirp", brokenCapture{capture: base, played: underrun(chirpMid, ms(20))}, VerdictBrokeUp, 20 * time.Millisecond},
		{"underrun early in the chirp", brokenCapture{capture: base, played: underrun(sig.chirpAt+ms(30), ms(30))}, VerdictBrokeUp, 30 * time.Millisecond},
		{"underrun between chirp and tone pushes the tone late", brokenCapture{capture: base, played: underrun(sig.toneAt-ms(10), ms(30))}, VerdictBrokeUp, 30 * time.Millisecond},
		{"underrun in the tone", brokenCapture{capture: base, played: underrun(toneMid, ms(50))}, VerdictBrokeUp, 50 * time.Millisecond},
		{"overrun loses the recording's frames", brokenCapture{capture: base, rec: overrun(chirpMid, ms(30))}, VerdictBrokeUp, 30 * time.Millisecond},
		{"a Bluetooth fade of 30 dB", brokenCapture{capture: base, rec: dip(toneMid, ms(40), 0.03)}, VerdictBrokeUp, 40 * time.Millisecond},
		{"dropout in a resampled, delayed signal", brokenCapture{capture: with(func(c *capture) { c.delay = ms(250); c.path = resampled(16000) }),
			played: underrun(toneMid, ms(30))}, VerdictBrokeUp, 30 * time.Millisecond},
		{"dropout under noise 20 dB below", brokenCapture{capture: with(func(c *capture) { c.noise = pinkNoise(n, math.Pow(10, -35.05/20), 11) }),
			played: underrun(chirpMid, ms(30))}, VerdictBrokeUp, 30 * time.Millisecond},
		{"dropout under noise 10 dB below", brokenCapture{capture: with(func(c *capture) { c.noise = pinkNoise(n, math.Pow(10, -25.05/20), 12) }),
			played: underrun(toneMid, ms(30))}, VerdictBrokeUp, 30 * time.Millisecond},
		// Full level where the tone should be, but no tone: a sound server
		// replayed another part of the signal there (seen once in 300 on
		// PulseAudio; it was called too quiet).
		{"something else where the tone should be", brokenCapture{capture: base, played: func(sig checkSignal, x []float32) []float32 {
			copy(x[sig.toneAt:], tone(2500, checkAmp, 0.2, sig.rate))
			return x
		}}, VerdictBrokeUp, 0},
		// The chirp heard, the tone lost whole on a digital loopback (seen
		// on PulseAudio at a load of 16; it was called too quiet).
		{"the tone lost", brokenCapture{capture: with(func(c *capture) { c.noise = nil }), rec: dip(sig.toneAt, sig.toneLen, 0)}, VerdictBrokeUp, 200 * time.Millisecond},
		// The chirp lost whole, the tone heard: broken up, not silent.
		{"the chirp lost", brokenCapture{capture: base, rec: dip(0, sig.toneAt-ms(5), 0)}, VerdictBrokeUp, 0},
		// As the Windows build recorded it under Wine: digital silence until
		// 0.8 s in, the signal 60 ms after it was played; and the hole that
		// Wine's stream start-up left 30 ms into the chirp (see steadyWindow).
		{"Wine: late start over digital silence", brokenCapture{capture: with(func(c *capture) { c.offset, c.delay, c.noise = 38400, ms(60), nil })}, VerdictOK, 0},
		{"Wine: the start-up hole", brokenCapture{capture: with(func(c *capture) { c.offset, c.delay, c.noise = 38400, ms(60), nil }),
			played: underrun(sig.chirpAt+ms(30), ms(25))}, VerdictBrokeUp, 25 * time.Millisecond},
		// A machine that stalled again and again: 30 ms of every 50 lost,
		// most of the signal, on a digital loopback (seen under Wine at load
		// 20; it was called too quiet, nothing missing).
		{"shredded", brokenCapture{capture: with(func(c *capture) { c.noise = nil }), rec: func(sig checkSignal, at int, x []float32) {
			for i := range sig.samples {
				if i%ms(50) < ms(30) {
					x[at+i] = 0
				}
			}
		}}, VerdictBrokeUp, 150 * time.Millisecond},
		// Through PulseAudio's resamplers a 10 ms dropout keeps 6.5-8.9 ms
		// of exact zeros between their ringing: no 5 ms piece of it all
		// zeros here, as in 32 of 4,300 checks of a soak.
		{"resampled dropout: digital silence between ringing", brokenCapture{capture: with(func(c *capture) { c.noise = nil }),
			played: func(sig checkSignal, x []float32) []float32 {
				at := sig.toneAt + sig.toneLen/2 + ms(4.5) // its zeros fill no whole piece
				x = underrun(at, ms(11))(sig, x)
				for i := range ms(1.75) {
					r := float32(1e-3 * float64(1-2*(i%2)))
					x[at+i], x[at+ms(11)-1-i] = r, r
				}
				return x
			}}, VerdictBrokeUp, 10 * time.Millisecond},
		{"a 3 ms gap is too short to tell", brokenCapture{capture: base, played: underrun(toneMid, ms(3))}, VerdictOK, 0},
		{"resampled to 8 kHz is no dropout", brokenCapture{capture: with(func(c *capture) { c.path = resampled(8000) })}, VerdictOK, 0},
		{"noise 10 dB below is no dropout", brokenCapture{capture: with(func(c *capture) { c.noise = pinkNoise(n, math.Pow(10, -25.05/20), 13) })}, VerdictNoisy, 0},
		{"clipping is judged first", brokenCapture{capture: with(func(c *capture) { c.gain = 4 }), played: underrun(toneMid, ms(30))}, VerdictClipping, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := analyzeCheck(sig, tc.c.record(sig), tc.c.offset)
			if v := judge(r); v != tc.verdict {
				t.Fatalf("verdict %v, want %v (%+v)", v, tc.verdict, r)
			}
			if lo, hi := tc.gap-10*time.Millisecond, 2*tc.gap+10*time.Millisecond; r.Detected && tc.verdict != VerdictClipping && (r.Missing < lo || r.Missing > hi) {
				t.Errorf("missing %v, want %v..%v", r.Missing, lo, hi)
			}
			// Only a recording without noise proves a dropout by its digital
			// silence: noise fills a hole as it fills a deaf microphone's.
			if silent := tc.c.noise == nil && tc.gap > 0; (r.Dropped > 0) != silent || r.Dropped > r.Missing {
				t.Errorf("dropped %v of %v missing", r.Dropped, r.Missing)
			}
		})
	}
}

// Frames the capture stream lost mid-check (an overrun): the check says so.
func TestCheckHeadsetFakeBrokeUp(t *testing.T) {
	s, d := newFakeSystem(t, Prefs{}, fakeHeadset, fakeHeadMic)
	d.mu.Lock()
	d.outLat, d.inLat, d.gain, d.noise = 1000, 440, 0.5, 0.001
	// The chirp reaches the microphone about 8000 frames after it starts.
	d.lose = func(frame int) bool { return frame >= 9600 && frame < 11040 }
	d.mu.Unlock()
	r, err := s.CheckHeadset(context.Background(), fakeHeadset, fakeHeadMic, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Verdict != VerdictBrokeUp || r.Missing < 20*time.Millisecond {
		t.Errorf("%v, %v missing; want broke up (%+v)", r.Verdict, r.Missing, r)
	}
}

// The signal waits for a speaker stream that takes sound as fast as it
// plays. Wine's WASAPI over PulseAudio starts a stream taking a 20 ms period
// every 30.6 ms until PulseAudio's buffer runs dry, 0.3-2 s in, which left a
// real 20-30 ms hole in the signal of every check under Wine (callback times
// and recordings of the Windows build's checks).
func TestCheckRecorderWaitsForSteadyPlayback(t *testing.T) {
	const period = 960 // 20 ms at 48 kHz
	ms := func(m float64) time.Duration { return time.Duration(m * float64(time.Millisecond)) }
	for _, tc := range []struct {
		name string
		// every is the time between playback callbacks until slowUntil, then 20 ms.
		every, slowUntil time.Duration
		giveUp           time.Duration
		// startAfter, startBy bound when the signal starts.
		startAfter, startBy time.Duration
	}{
		{"PulseAudio: steady from the start", ms(20), 0, 2 * time.Second, ms(100), ms(130)},
		// Once it keeps time, a window that still holds one slow period passes.
		{"Wine: slow for a second", ms(30.6), time.Second, 2 * time.Second, time.Second + ms(60), time.Second + steadyWindow + ms(25)},
		{"Wine: slow until the check must play", ms(30.6), 5 * time.Second, 2 * time.Second, 2 * time.Second, 2*time.Second + ms(31)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sig := newCheckSignal(48000)
			rec := newCheckRecorder(sig, 48000, 480)
			rec.giveUp = int64(tc.giveUp)
			rec.capture(make([]float32, 480), 480, 0) // the microphone runs: armed
			out := make([]float32, period)
			// A buffer's worth at once, as a stream starts.
			for range 4 {
				rec.play(out, period, 0)
			}
			at := time.Duration(0)
			for rec.start < 0 && at < 10*time.Second {
				if at < tc.slowUntil {
					at += tc.every
				} else {
					at += ms(20)
				}
				rec.play(out, period, at)
			}
			if at < tc.startAfter || at > tc.startBy {
				t.Errorf("the signal started at %v, want %v..%v", at, tc.startAfter, tc.startBy)
			}
		})
	}
}

// The latency is timed by the playback callbacks that carried the chirp: a
// stream whose callbacks go on a later schedule after it (a short underrun
// in the tone, seen on PulseAudio at a load of 16) still reads its path's
// latency, not 5-10 ms less.
func TestCheckRecorderLatencyAfterScheduleStep(t *testing.T) {
	const period = 960 // 20 ms at 48 kHz
	const path = 30 * time.Millisecond
	ms := func(m float64) time.Duration { return time.Duration(m * float64(time.Millisecond)) }
	for _, step := range []time.Duration{0, ms(5), ms(10), ms(20)} {
		t.Run(step.String(), func(t *testing.T) {
			sig := newCheckSignal(48000)
			rec := newCheckRecorder(sig, 48000, 480)
			rec.capture(make([]float32, 480), 480, 0) // armed; the capture clock: frame 0 at 0 - 10 ms
			out := make([]float32, period)
			var handed time.Duration // when the signal's first frame went out
			// Steady 20 ms callbacks until the signal starts, then on; the
			// ones after the chirp's come step later.
			for k := 0; k < 60; k++ {
				at := ms(20 * float64(k))
				if rec.start >= 0 && rec.played-rec.start >= sig.chirpAt+len(sig.chirp) {
					at += step
				}
				waiting := rec.start < 0
				rec.play(out, period, at)
				if waiting && rec.start >= 0 {
					handed = at
				}
			}
			if rec.start < 0 {
				t.Fatal("the signal never started")
			}
			// The capture stream delivers 20 ms blocks on its own clock,
			// frame f arriving at f/48 ms - 10 ms; the chirp arrives path
			// after it went out.
			arrive := handed + time.Duration(rec.frameTime(sig.chirpAt)) + path
			at := int((arrive + ms(10)).Seconds() * 48000)
			for end := 480 + period; end <= at+len(sig.chirp)+period; end += period {
				rec.capture(make([]float32, period), period, time.Duration(rec.frameTime(end))-ms(10))
			}
			lat, ok := rec.latency(at)
			if !ok || lat < path-ms(0.1) || lat > path+ms(0.1) {
				t.Errorf("latency %v (timed %v), want %v", lat, ok, path)
			}
		})
	}
}
