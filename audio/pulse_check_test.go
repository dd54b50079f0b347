package audio

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

// The headset check against the real PulseAudio server, as a new user meets
// it: no stream keeps the sinks awake, so an idle null sink can take up to
// 2 s to start playing, as a suspended or Bluetooth device can.
//
// By default each cell of the matrix runs one check, five cells side by side
// (most of a first check on an idle sink is waiting for it to wake).
// PHONESET_CHECK_RUNS=100 runs the cells one after another, 100 checks in a
// row per cell and spacing; pick cells with -run, e.g.
//
//	PHONESET_CHECK_RUNS=100 go test ./audio -run 'TestPulseCheckMatrix/44100Hz_2ch' -v -timeout 2h

// checkRuns is how many checks each cell and spacing runs; 0: the quick default.
func checkRuns(t testing.TB) int {
	n, err := strconv.Atoi(os.Getenv("PHONESET_CHECK_RUNS"))
	if err != nil && os.Getenv("PHONESET_CHECK_RUNS") != "" {
		t.Fatalf("PHONESET_CHECK_RUNS: %v", err)
	}
	return n
}

// loadModule loads a PulseAudio module for the test's duration.
func loadModule(t testing.TB, args ...string) {
	t.Helper()
	idx := pactl(t, append([]string{"load-module"}, args...)...)
	t.Cleanup(func() { pactl(t, "unload-module", idx) })
}

// nullSink loads a null sink, a perfect digital loopback: its monitor hears
// what it plays. It returns the sink and its monitor as devices.
// Further arguments go to module-null-sink.
func nullSink(t testing.TB, s *System, name string, rate, channels int, args ...string) (speaker, monitor Device) {
	t.Helper()
	loadModule(t, append([]string{"module-null-sink", "sink_name=" + name, "sink_properties=device.description=" + name,
		fmt.Sprintf("rate=%d", rate), fmt.Sprintf("channels=%d", channels)}, args...)...)
	st, err := s.Refresh()
	if err != nil {
		t.Fatal(err)
	}
	return pulseDevice(t, st, Playback, name), pulseDevice(t, st, Capture, "Monitor of "+name)
}

// brokeUpTries: a check whose sound broke up is tried again at once, as
// its verdict tells the user to, up to this many times in all, if the
// recording proves the dropout: digital silence inside the signal
// (CheckResult.Dropped), which no analysis can make up. On a shared
// two-core machine at a load of 10-25 the sound really broke up so (the
// test client's threads, unlike the sound server, run at no raised priority
// and miss their turn by 40-180 ms) in one check in five to three. Every
// such check is kept and counted (see summary).
const brokeUpTries = 5

// runChecks runs n checks spaced by gap and fails on any verdict but want.
func runChecks(t *testing.T, s *System, spk, mic Device, n int, gap time.Duration, want Verdict) []CheckResult {
	t.Helper()
	var rs []CheckResult
	for i := range n {
		if i > 0 {
			time.Sleep(gap)
		}
		r, err := s.CheckHeadset(context.Background(), spk, mic, nil)
		// Noise mixed into the loopback fills a dropout, so there it leaves
		// no digital silence to prove it (seen with one core busy: 45 ms
		// missing, none of it silent, SNR 12.9 dB): a noisy path's broken-up
		// check is tried again without that proof, and still counted. The
		// check's own callbacks cannot prove it either: on clean loopbacks
		// at a load of 11-16, 77 of 78 proven dropouts came with a playback
		// or capture callback 10 ms or more behind, but so did 71 of 232
		// checks with none (up to 108 ms: the streams' buffers held).
		proven := r.Dropped > 0 || want == VerdictNoisy
		for try := 1; err == nil && r.Verdict == VerdictBrokeUp && proven && want != VerdictBrokeUp && try < brokeUpTries; try++ {
			t.Logf("check %d of %d broke up (%v missing, %v of it digital silence), trying again", i+1, n, r.Missing, r.Dropped)
			rs = append(rs, r)
			r, err = s.CheckHeadset(context.Background(), spk, mic, nil)
			proven = r.Dropped > 0 || want == VerdictNoisy
		}
		if err != nil {
			t.Fatal(err)
		}
		if r.Verdict != want {
			t.Errorf("check %d of %d: %v, want %v (%+v)", i+1, n, r.Verdict, want, r)
		}
		if r.Took >= 3*time.Second {
			t.Errorf("check %d took %v", i+1, r.Took)
		}
		rs = append(rs, r)
	}
	return rs
}

// summary is a line about a series of checks for the log.
func summary(rs []CheckResult) string {
	var lat, took []time.Duration
	ok, broke := 0, 0
	for _, r := range rs {
		switch r.Verdict {
		case VerdictOK:
			ok++
			lat = append(lat, r.Latency)
		case VerdictBrokeUp:
			broke++
		}
		took = append(took, r.Took)
	}
	s := fmt.Sprintf("%d/%d ok, %d broke up (tried again)", ok, len(rs), broke)
	if len(lat) == 0 {
		return s
	}
	slices.Sort(lat)
	slices.Sort(took)
	return fmt.Sprintf("%s, latency %v..%v (median %v), took median %v max %v",
		s, lat[0], lat[len(lat)-1], lat[len(lat)/2], took[len(took)/2], took[len(took)-1])
}

// rateLoopback is a loopback that runs at rate and channels throughout: a
// remapped sink and source around a null sink. A null sink alone would not
// do: PulseAudio switches an idle null sink to the rate of the stream that
// opens it (48 kHz), so no resampling would happen.
func rateLoopback(t testing.TB, s *System, name string, rate, channels int) (speaker, mic Device) {
	t.Helper()
	spec := []string{fmt.Sprintf("rate=%d", rate), fmt.Sprintf("channels=%d", channels)}
	loadModule(t, "module-null-sink", "sink_name="+name+"_air", "sink_properties=device.description="+name+"_air")
	loadModule(t, append([]string{"module-remap-sink", "sink_name=" + name, "master=" + name + "_air",
		"sink_properties=device.description=" + name}, spec...)...)
	loadModule(t, append([]string{"module-remap-source", "source_name=" + name + "_mic", "master=" + name + "_air.monitor",
		"source_properties=device.description=" + name + "_mic"}, spec...)...)
	st, err := s.Refresh()
	if err != nil {
		t.Fatal(err)
	}
	return pulseDevice(t, st, Playback, name), pulseDevice(t, st, Capture, name+"_mic")
}

func TestPulseCheckMatrix(t *testing.T) {
	s := openPulse(t)
	runs := checkRuns(t)
	spacings := []time.Duration{0, 300 * time.Millisecond, time.Second}
	// By default, cells run side by side, a few at a time: t.Parallel would
	// hold them to -parallel (the number of cores), and a first check mostly waits.
	var wg sync.WaitGroup
	side := make(chan struct{}, 5)
	if runs > 0 {
		side = make(chan struct{}, 1)
	}
	for _, rate := range []int{8000, 16000, 22050, 32000, 44100, 48000, 96000} {
		for _, ch := range []int{1, 2} {
			side <- struct{}{}
			wg.Go(func() {
				defer func() { <-side }()
				t.Run(fmt.Sprintf("%dHz_%dch", rate, ch), func(t *testing.T) {
					spk, mon := rateLoopback(t, s, fmt.Sprintf("m%d_%d", rate, ch), rate, ch)
					for i, gap := range spacings {
						// One check needs no spacing; the default runs one.
						if runs == 0 && i > 0 {
							continue
						}
						t.Run(fmt.Sprintf("gap%v", gap), func(t *testing.T) {
							rs := runChecks(t, s, spk, mon, max(runs, 1), gap, VerdictOK)
							for _, r := range rs {
								if hf := rate <= 16000 && ch == 1; r.HandsFree != hf || r.MicRate != rate || r.MicChannels != ch {
									t.Errorf("microphone %d Hz %d ch, hands-free %v", r.MicRate, r.MicChannels, r.HandsFree)
									break
								}
							}
							t.Log(summary(rs))
						})
					}
				})
			})
		}
	}
	wg.Wait()
}

// A microphone at another rate and channel count than the speaker: a 16 kHz
// mono source remapped from a 44.1 kHz stereo sink's monitor, which is also
// what a Bluetooth headset's microphone looks like in hands-free mode.
func TestPulseCheckMixedFormats(t *testing.T) {
	s := openPulse(t)
	spk, _ := rateLoopback(t, s, "mix44", 44100, 2)
	keepAwake(t, s, "mix44") // the matrix checks from cold; this is about the formats
	loadModule(t, "module-remap-source", "source_name=mic16", "master=mix44_air.monitor",
		"rate=16000", "channels=1", "source_properties=device.description=Mic16")
	st, err := s.Refresh()
	if err != nil {
		t.Fatal(err)
	}
	mic := pulseDevice(t, st, Capture, "Mic16")
	rs := runChecks(t, s, spk, mic, max(checkRuns(t), 2), 300*time.Millisecond, VerdictOK)
	for _, r := range rs {
		if !r.HandsFree || r.MicRate != 16000 || r.MicChannels != 1 {
			t.Errorf("16 kHz mono microphone: %d Hz %d ch, hands-free %v", r.MicRate, r.MicChannels, r.HandsFree)
		}
	}
	t.Log(summary(rs))
}

// The check must not say "works" when the microphone cannot hear the speaker.
// Each case waits the check's whole time out, so they run side by side.
func TestPulseCheckNegativeControls(t *testing.T) {
	s := openPulse(t)
	for i, tc := range []struct {
		name  string
		setup func(t *testing.T, sink string, mon, other Device) Device // returns the microphone
	}{
		{"muted source", func(t *testing.T, sink string, mon, _ Device) Device {
			pactl(t, "set-source-mute", sink+".monitor", "1")
			return mon
		}},
		{"microphone hears another, silent sink", func(_ *testing.T, _ string, _, other Device) Device { return other }},
		{"suspended source", func(t *testing.T, sink string, _, _ Device) Device {
			// A monitor cannot be suspended on its own: suspend a source made from it.
			loadModule(t, "module-remap-source", "source_name="+sink+"mic", "master="+sink+".monitor",
				"source_properties=device.description="+sink+"mic")
			pactl(t, "suspend-source", sink+"mic", "1")
			st, err := s.Refresh()
			if err != nil {
				t.Fatal(err)
			}
			return pulseDevice(t, st, Capture, sink+"mic")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sink := fmt.Sprintf("neg%d", i)
			spk, mon := nullSink(t, s, sink, 48000, 2)
			_, other := nullSink(t, s, sink+"other", 48000, 2)
			mic := tc.setup(t, sink, mon, other)
			for _, r := range runChecks(t, s, spk, mic, 1, 0, VerdictNoSignal) {
				if r.Detected {
					t.Errorf("detected a signal: %+v", r)
				}
			}
		})
	}
}

// Pink noise played into the loopback at a known level: the check reports
// the signal-to-noise ratio within 3 dB and calls the headset noisy.
func TestPulseCheckNoise(t *testing.T) {
	s := openPulse(t)
	spk, mon := nullSink(t, s, "noisy", 48000, 1)
	const noiseDBFS = -21.0
	noise := Clip{SampleRate: 48000, Channels: 1, Samples: pinkNoise(48000*4, math.Pow(10, noiseDBFS/20), 9)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Play(ctx, noise, true, spk) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("noise: %v", err)
		}
	}()
	time.Sleep(200 * time.Millisecond) // the noise is playing
	// The tone is 0.5 peak: -9.03 dBFS RMS.
	truth := -9.03 - noiseDBFS
	for _, r := range runChecks(t, s, spk, mon, max(checkRuns(t), 2), 300*time.Millisecond, VerdictNoisy) {
		t.Logf("SNR %.1f dB (truth %.1f), level %.1f, floor %.1f", r.SNR, truth, r.Level, r.NoiseFloor)
		if !near(r.SNR, truth, 3) {
			t.Errorf("SNR %.1f dB, want %.1f ± 3", r.SNR, truth)
		}
	}
}

// Paths with a known added delay: a delay line (swh-plugins' delay_n,
// "Simple delay line, noninterpolating", in module-ladspa-sink) in front of
// a null sink whose monitor is the microphone. It delays by exactly N ms of
// samples inside the server's graph and, unlike module-loopback (which
// adapts its rate to hold latency_msec and, after an underrun, read
// 69.9-119 ms on its 50 ms path), never moves. Each path is checked
// latencyRuns times: the reported latency grows by N ± 5 ms over the direct
// path's, and the checks on one path agree within 5 ms. The check's own
// arithmetic is held to the sample by TestCheckHeadsetLatency on the
// simulated driver.
func TestPulseCheckLatency(t *testing.T) {
	s := openPulse(t)
	direct, mic := nullSink(t, s, "lat", 48000, 1, "norewinds=1")
	keepAwake(t, s, "lat")
	spks := map[int]Device{0: direct}
	delays := []int{0, 50, 100, 200}
	for _, n := range delays[1:] {
		name := fmt.Sprintf("lat_delay%d", n)
		// Controls: the line's length (1 s), then its delay.
		loadModule(t, "module-ladspa-sink", "sink_name="+name, "master=lat", "plugin=delay_1898", "label=delay_n",
			fmt.Sprintf("control=1,%g", float64(n)/1000), "sink_properties=device.description="+name)
	}
	st, err := s.Refresh()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range delays[1:] {
		spks[n] = pulseDevice(t, st, Playback, fmt.Sprintf("lat_delay%d", n))
	}
	var base time.Duration
	for _, n := range delays {
		t.Run(fmt.Sprintf("%dms", n), func(t *testing.T) {
			lat := latencies(runChecks(t, s, spks[n], mic, max(checkRuns(t), latencyRuns), 300*time.Millisecond, VerdictOK))
			if len(lat) == 0 {
				t.Fatal("no check timed the path")
			}
			lo, hi, mid := slices.Min(lat), slices.Max(lat), median(lat)
			t.Logf("delay %d ms: latency %v..%v, median %v, over %d checks", n, lo, hi, mid, len(lat))
			if hi-lo > 5*time.Millisecond {
				t.Errorf("checks on one path spread over %v: %v", hi-lo, lat)
			}
			if n == 0 {
				base = mid
				return
			}
			if added, want := mid-base, time.Duration(n)*time.Millisecond; added < want-5*time.Millisecond || added > want+5*time.Millisecond {
				t.Errorf("a %v delay line added %v", want, added)
			}
		})
	}
}

// latencyRuns is how many checks TestPulseCheckLatency runs on each path.
const latencyRuns = 5

// median is the middle of d (the later of the two middle ones).
func median(d []time.Duration) time.Duration {
	return slices.Sorted(slices.Values(d))[len(d)/2]
}

// keepAwake plays silence on a sink for the test's duration, so that it
// does not sleep between checks (see virtualSpeaker).
func keepAwake(t testing.TB, s *System, sink string) {
	t.Helper()
	st, err := s.Refresh()
	if err != nil {
		t.Fatal(err)
	}
	dev := pulseDevice(t, st, Playback, sink)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- s.Play(ctx, Clip{SampleRate: 48000, Channels: 1, Samples: make([]float32, 4800)}, true, dev)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("keep-awake stream: %v", err)
		}
	})
}

// latencies are those of the checks that said the headset works, but for
// those whose recording holds digital silence: a dropout too short to call
// the sound broken up (5 ms) can still move the chirp (seen: 5 ms later).
func latencies(rs []CheckResult) []time.Duration {
	var l []time.Duration
	for _, r := range rs {
		if r.Verdict == VerdictOK && r.Dropped == 0 {
			l = append(l, r.Latency)
		}
	}
	return l
}

// The microphone cuts out for 120 ms while the test sound plays, as a
// Bluetooth headset's does when the radio link hiccups (here: its source
// muted and unmuted with pactl once the check has released the sound): the
// check says the sound broke up, not that it was quiet, noisy or missing.
// Wherever a busy machine lets the cut land in the 400 ms signal, it spans
// at least 40 ms of what is looked at (all but the chirp's top and the gap
// before the tone). Where the cut wipes out the chirp, which locates the
// signal, the check finds none: "no signal" is allowed then (seen once
// with one core busy), but never another verdict, and most checks must say
// broke up.
func TestPulseCheckBrokeUp(t *testing.T) {
	s := openPulse(t)
	spk, mic := rateLoopback(t, s, "brk", 48000, 1)
	keepAwake(t, s, "brk_air")
	runs := max(checkRuns(t), 3)
	brokeUp := 0
	for i := range runs {
		cut := make(chan error, 1)
		started := false
		r, err := s.CheckHeadset(context.Background(), spk, mic, func(p float64) {
			// Past the wait for the microphone: the sound has been released.
			if p > 0.25 && !started {
				started = true
				go func() { cut <- cutOut("brk_mic", 120*time.Millisecond) }()
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if !started {
			t.Fatalf("check %d never released its sound: %+v", i+1, r)
		}
		if err := <-cut; err != nil {
			t.Fatal(err)
		}
		t.Logf("check %d: %v, %v missing, level %.1f, SNR %.1f", i+1, r.Verdict, r.Missing, r.Level, r.SNR)
		switch r.Verdict {
		case VerdictBrokeUp:
			brokeUp++
		case VerdictNoSignal:
		default:
			t.Errorf("check %d of %d: %v, want broke up (%+v)", i+1, runs, r.Verdict, r)
		}
	}
	if brokeUp*2 <= runs {
		t.Errorf("%d of %d checks said broke up, want most", brokeUp, runs)
	}
}

// cutOut mutes a source for a while. It runs off the test's goroutine, so
// it returns its error rather than failing the test.
func cutOut(source string, d time.Duration) error {
	if out, err := exec.Command("pactl", "set-source-mute", source, "1").CombinedOutput(); err != nil {
		return fmt.Errorf("mute %s: %v: %s", source, err, out)
	}
	time.Sleep(d)
	if out, err := exec.Command("pactl", "set-source-mute", source, "0").CombinedOutput(); err != nil {
		return fmt.Errorf("unmute %s: %v: %s", source, err, out)
	}
	return nil
}
