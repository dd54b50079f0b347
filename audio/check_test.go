package audio

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// simulateCapture is what a microphone would record of sig: silence until
// offset, the signal delay frames later, scaled by gain, plus uniform noise of
// the given peak, clamped to full scale.
func simulateCapture(sig checkSignal, offset, delay int, gain, noise float64) []float32 {
	out := make([]float32, len(sig.samples)+sig.maxLag+sig.rate/2)
	r := rand.New(rand.NewPCG(7, 8))
	for i := range out {
		v := noise * (2*r.Float64() - 1)
		if j := i - offset - delay; j >= 0 && j < len(sig.samples) {
			v += gain * float64(sig.samples[j])
		}
		out[i] = float32(math.Max(-1, math.Min(1, v)))
	}
	return out
}

func TestAnalyzeCheck(t *testing.T) {
	sig := newCheckSignal(48000)
	ms := func(m float64) int { return int(m * 48) }
	for _, tc := range []struct {
		name          string
		offset, delay int
		gain, noise   float64
		verdict       Verdict
		latency       time.Duration // checked when detected
		level, floor  float64       // dBFS, checked when detected
	}{
		{"ok", 1000, ms(50), 0.5, 1e-4, VerdictOK, 50 * time.Millisecond, -15.05, -84.8},
		{"playback started first", -3000, ms(10), 0.5, 1e-4, VerdictOK, 10 * time.Millisecond, -15.05, -84.8},
		{"zero latency", 0, 0, 0.5, 1e-4, VerdictOK, 0, -15.05, -84.8},
		{"near the longest latency", 0, ms(590), 0.5, 1e-4, VerdictOK, 590 * time.Millisecond, -15.05, -84.8},
		{"inverted polarity", 200, ms(25), -0.5, 1e-4, VerdictOK, 25 * time.Millisecond, -15.05, -84.8},
		{"quiet", 0, ms(40), 0.005, 1e-5, VerdictTooQuiet, 40 * time.Millisecond, -55.05, -104.8},
		{"buried in noise", 0, ms(40), 0.1, 0.1, VerdictTooQuiet, 40 * time.Millisecond, -29.03, -24.8},
		{"clipping", 0, ms(40), 4, 1e-4, VerdictClipping, 40 * time.Millisecond, 0, 0},
		{"silence", 0, ms(40), 0, 0, VerdictNoSignal, 0, 0, 0},
		{"noise only", 0, ms(40), 0, 0.01, VerdictNoSignal, 0, 0, 0},
		{"later than the longest latency", 0, ms(800), 0.5, 1e-4, VerdictNoSignal, 0, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := analyzeCheck(sig, simulateCapture(sig, tc.offset, tc.delay, tc.gain, tc.noise), tc.offset)
			if v := judge(r); v != tc.verdict {
				t.Fatalf("verdict %v, want %v (%+v)", v, tc.verdict, r)
			}
			if tc.verdict == VerdictNoSignal {
				if r.Detected {
					t.Errorf("detected a signal that is not there: %+v", r)
				}
				return
			}
			if !r.Detected || r.Correlation < minCorrelation {
				t.Fatalf("not detected: %+v", r)
			}
			if d := r.Latency - tc.latency; d < -time.Millisecond/10 || d > time.Millisecond/10 {
				t.Errorf("latency %v, want %v", r.Latency, tc.latency)
			}
			if tc.verdict == VerdictClipping {
				return
			}
			if !near(r.Level, tc.level, 0.3) || !near(r.NoiseFloor, tc.floor, 1) {
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
		r := analyzeCheck(sig, make([]float32, n), 0)
		if r.Detected || judge(r) != VerdictNoSignal {
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
		{"low SNR", with(func(r *CheckResult) { r.NoiseFloor = -29; r.SNR = 14 }), VerdictTooQuiet},
	} {
		if got := judge(tc.r); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestVerdictString(t *testing.T) {
	want := map[Verdict]string{VerdictOK: "ok", VerdictTooQuiet: "too quiet", VerdictClipping: "clipping",
		VerdictNoSignal: "no signal", VerdictDeviceMissing: "device missing", Verdict(99): "unknown"}
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
		verdict     Verdict
	}{
		{"loopback", 0.5, 0.001, fakeHeadMic, VerdictOK},
		{"deaf microphone", 0, 0.001, fakeHeadMic, VerdictNoSignal},
		{"hot microphone", 3, 0.001, fakeHeadMic, VerdictClipping},
		{"unplugged microphone", 0.5, 0.001, Device{Kind: Capture, Backend: "fake", ID: "99", Name: "Gone"}, VerdictDeviceMissing},
		{"a playback device as microphone", 0.5, 0.001, fakeHeadset, VerdictDeviceMissing},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, d := newFakeSystem(t, Prefs{}, fakeHeadset, fakeHeadMic)
			d.mu.Lock()
			d.outLat, d.inLat, d.gain, d.noise = 1000, 440, tc.gain, tc.noise
			d.mu.Unlock()
			r, err := s.CheckHeadset(context.Background(), fakeHeadset, tc.mic)
			if err != nil {
				t.Fatal(err)
			}
			if r.Verdict != tc.verdict || r.Speaker != fakeHeadset || r.Microphone != tc.mic {
				t.Fatalf("verdict %v for %q → %q, want %v (%+v)", r.Verdict, r.Speaker.Name, r.Microphone.Name, tc.verdict, r)
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
	r, err := s.CheckHeadset(context.Background(), fakeHeadset, fakeHeadMic)
	if err != nil || r.Verdict != VerdictDeviceMissing {
		t.Fatalf("got %v, %v; want device missing", r.Verdict, err)
	}
}

func TestCheckHeadsetCancelAndClose(t *testing.T) {
	s, _ := newFakeSystem(t, Prefs{}, fakeHeadset, fakeHeadMic)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.CheckHeadset(ctx, fakeHeadset, fakeHeadMic); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled check: %v, want context.Canceled", err)
	}
	s.Close()
	if _, err := s.CheckHeadset(context.Background(), fakeHeadset, fakeHeadMic); !errors.Is(err, ErrClosed) {
		t.Errorf("check after Close: %v, want ErrClosed", err)
	}
}

func TestToneLevel(t *testing.T) {
	withGap := func(from, to int) []float32 {
		x := interleave(17280, sine(1000, 0.5)) // 360 ms, the check's tone window
		clear(x[from:to])
		return x
	}
	for _, tc := range []struct {
		name string
		x    []float32
		want float64
	}{
		{"whole tone", withGap(0, 0), 0.5},
		{"a 100 ms dropout is ignored", withGap(5000, 9800), 0.5},
		{"mostly missing reads low", withGap(0, 12000), 0},
		{"short input: one Goertzel", interleave(1000, sine(1000, 0.25)), 0.25},
		{"off frequency", interleave(17280, sine(440, 0.5)), 0},
	} {
		if got := toneLevel(tc.x, 1000, 48000); !near(got, tc.want, 0.01) {
			t.Errorf("%s: %.3f, want %.3f", tc.name, got, tc.want)
		}
	}
}

func TestAnalyzeCheckSurvivesDropoutsAndClicks(t *testing.T) {
	sig := newCheckSignal(48000)
	const delay = 960 // 20 ms
	clean := analyzeCheck(sig, simulateCapture(sig, 0, delay, 0.5, 1e-3), 0)
	x := simulateCapture(sig, 0, delay, 0.5, 1e-3)
	// 60 ms of the tone lost...
	tone := sig.toneAt + delay + 4800
	clear(x[tone : tone+2880])
	// ...and a 15 ms click in the silence before the chirp.
	click := sig.chirpAt + delay - 4800
	for i := click; i < click+720; i++ {
		x[i] = 0.3
	}
	got := analyzeCheck(sig, x, 0)
	if !got.Detected || judge(got) != VerdictOK {
		t.Fatalf("%+v", got)
	}
	if !near(got.Level, clean.Level, 0.3) || !near(got.NoiseFloor, clean.NoiseFloor, 1) || got.Latency != clean.Latency {
		t.Errorf("with a dropout and a click: level %.2f floor %.2f latency %v; clean: %.2f %.2f %v",
			got.Level, got.NoiseFloor, got.Latency, clean.Level, clean.NoiseFloor, clean.Latency)
	}
}
