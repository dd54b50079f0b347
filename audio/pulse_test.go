package audio

import (
	"context"
	"errors"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/phoneset/phoneset/internal/testenv"
)

// Integration tests against the PulseAudio server scripts/test.sh starts: null
// sink "vspk" (VirtualSpeaker), whose monitor source hears what it plays.

func openPulse(t testing.TB) *System { return openPulsePolling(t, 0) }

// openPulsePolling opens the System with a PollInterval (0: the default).
func openPulsePolling(t testing.TB, poll time.Duration) *System {
	t.Helper()
	testenv.Require(t, "PHONESET_TEST_PULSE", "PulseAudio with null sink vspk")
	s, err := Open(Options{Backends: []Backend{BackendPulseAudio}, PollInterval: poll})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// pulseDevice finds a present device by kind and name.
func pulseDevice(t testing.TB, st State, k Kind, name string) Device {
	t.Helper()
	for _, d := range st.OfKind(k) {
		if d.Name == name {
			return d
		}
	}
	t.Fatalf("no %s device %q in %+v", k, name, st.Devices)
	return Device{}
}

// virtualSpeaker returns vspk and its monitor, keeping vspk awake for the test.
//
// An idle null sink sleeps for its maximum latency (2 s) and does not wake for
// a new stream, so every stream opened on it could stall for up to 2 s; a real
// sound card's sink wakes at once. A silent stream kept on the sink for the
// test's duration makes it behave like a card.
func virtualSpeaker(t testing.TB, s *System) (speaker, monitor Device) {
	t.Helper()
	st := s.Snapshot()
	speaker = pulseDevice(t, st, Playback, "VirtualSpeaker")
	monitor = pulseDevice(t, st, Capture, "Monitor of VirtualSpeaker")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- s.Play(ctx, Clip{SampleRate: 48000, Channels: 1, Samples: make([]float32, 4800)}, true, speaker)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("keep-awake stream: %v", err)
		}
	})
	// Once the monitor delivers audio, the sink runs.
	if _, err := s.Record(context.Background(), monitor, 100*time.Millisecond, nil); err != nil {
		t.Fatal(err)
	}
	return speaker, monitor
}

func TestPulseHeadsetCheck(t *testing.T) {
	s := openPulse(t)
	spk, mon := virtualSpeaker(t, s)
	// Twice: the second check reopens both devices right after the first closed them.
	for _, r := range runChecks(t, s, spk, mon, 2, 0, VerdictOK) {
		if r.Verdict == VerdictBrokeUp {
			continue // tried again by runChecks
		}
		t.Logf("latency %v level %.2f dBFS peak %.2f floor %.1f SNR %.1f corr %.3f took %v",
			r.Latency, r.Level, r.Peak, r.NoiseFloor, r.SNR, r.Correlation, r.Took)
		if r.Verdict != VerdictOK || !r.Detected {
			t.Fatalf("verdict %v, detected %v", r.Verdict, r.Detected)
		}
		// The null sink passes samples through unchanged: the 1 kHz tone at
		// amplitude 0.5 comes back at its RMS, -9.03 dBFS.
		if !near(r.Level, -9.03, 1) || !near(r.Peak, -6.02, 1) || r.Clipped {
			t.Errorf("level %.2f peak %.2f clipped %v; want -9.03 and -6.02", r.Level, r.Peak, r.Clipped)
		}
		if r.SNR < 60 {
			t.Errorf("SNR %.1f dB on a digital loopback", r.SNR)
		}
		// Zero: not timed, which a machine too busy to call back on time gives.
		if r.Latency < 0 || r.Latency > 500*time.Millisecond {
			t.Errorf("latency %v out of [0, 500ms]", r.Latency)
		}
	}
}

func TestPulsePlayAndRecord(t *testing.T) {
	s := openPulse(t)
	spk, mon := virtualSpeaker(t, s)
	played := make(chan error, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var levels []Level
	go func() {
		// Start playing once the recording is running.
		time.Sleep(200 * time.Millisecond)
		played <- s.Play(ctx, TestTone(), false, spk)
	}()
	clip, err := s.Record(context.Background(), mon, 2*time.Second, func(l Level) { levels = append(levels, l) })
	if err != nil {
		t.Fatal(err)
	}
	if err := <-played; err != nil {
		t.Fatal(err)
	}
	if len(levels) != 80 {
		t.Errorf("%d levels for 2 s, want 80", len(levels))
	}
	// TestTone is 1 kHz at amplitude 0.25: the monitor hears it unchanged.
	mono := make([]float32, clip.Frames())
	for i := range mono {
		mono[i] = clip.Samples[i*clip.Channels]
	}
	var best float64
	for i := 0; i+2400 <= len(mono); i += 1200 {
		best = max(best, goertzel(mono[i:i+2400], 1000, clip.SampleRate))
	}
	if !near(best, 0.25, 0.02) {
		t.Errorf("1 kHz amplitude %.3f in the recording, want 0.25", best)
	}
	loudest := slices.MaxFunc(levels, func(a, b Level) int { return int(a.Peak*100 - b.Peak*100) })
	if !near(loudest.Peak, -12.04, 0.5) || loudest.Clipped {
		t.Errorf("loudest level %+v, want peak -12 dBFS", loudest)
	}
}

// pactl runs pactl against the test server.
func pactl(t testing.TB, args ...string) string {
	t.Helper()
	out, err := exec.Command("pactl", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("pactl %v: %v: %s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// plugHeadset loads a null sink (a "USB headset" with its monitor as the
// microphone) and returns a function that unplugs it, at most once.
func plugHeadset(t testing.TB, sinkName string) (unplug func()) {
	idx := pactl(t, "load-module", "module-null-sink", "sink_name="+sinkName,
		"sink_properties=device.description=PhonesetHeadset", "rate=48000")
	done := false
	unplug = func() {
		if !done {
			done = true
			pactl(t, "unload-module", idx)
		}
	}
	t.Cleanup(unplug)
	return unplug
}

// waitFor returns the first event that satisfies ok, failing after 10 s.
func waitFor(t testing.TB, ch <-chan Event, what string, ok func(Event) bool) Event {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ev := <-ch:
			if ok(ev) {
				return ev
			}
		case <-deadline:
			t.Fatalf("no event: %s", what)
		}
	}
}

func hasName(ds []Device, name string) bool {
	return slices.ContainsFunc(ds, func(d Device) bool { return d.Name == name })
}

func TestPulseHotPlug(t *testing.T) {
	// Polled often, to keep the test short; BenchmarkHotPlugNotice times the default.
	s := openPulsePolling(t, 200*time.Millisecond)
	spk, _ := virtualSpeaker(t, s)
	ch := events(t, s)
	waitEvent(t, ch)

	unplug := plugHeadset(t, "phs_headset")
	ev := waitFor(t, ch, "headset plugged", func(ev Event) bool { return hasName(ev.Added, "PhonesetHeadset") })
	if !hasName(ev.Added, "Monitor of PhonesetHeadset") {
		t.Errorf("added %v: the headset's microphone is missing", ev.Added)
	}
	headset := pulseDevice(t, ev.State, Playback, "PhonesetHeadset")
	mic := pulseDevice(t, ev.State, Capture, "Monitor of PhonesetHeadset")
	st := s.SetPrefs(s.Prefs().Prefer(Speaker, headset).Prefer(Microphone, mic))
	if sel := st.Selection(Speaker); sel.Device != headset || sel.Match != MatchID {
		t.Fatalf("speaker %+v, want the headset", sel)
	}

	// Unplugging mid-test ends the test with ErrDeviceLost, not silence or a hang.
	monitorErr := make(chan error, 1)
	firstLevel := make(chan struct{}, 1)
	go func() {
		monitorErr <- s.MonitorInput(context.Background(), mic, func(Level) {
			select {
			case firstLevel <- struct{}{}:
			default:
			}
		})
	}()
	<-firstLevel
	unplug()
	ev = waitFor(t, ch, "headset unplugged", func(ev Event) bool { return hasName(ev.Removed, "PhonesetHeadset") })
	sel := ev.State.Selection(Speaker)
	if !sel.Fallback || sel.Device != spk || !sel.Device.Default || !slices.Contains(ev.Changed, Speaker) {
		t.Errorf("after unplug: speaker %+v, want fallback to the default VirtualSpeaker", sel)
	}
	if err := <-monitorErr; !errors.Is(err, ErrDeviceLost) {
		t.Errorf("monitor on the unplugged microphone: %v, want ErrDeviceLost", err)
	}

	// Back again: the role returns to it, found by ID.
	unplug = plugHeadset(t, "phs_headset")
	ev = waitFor(t, ch, "headset back", func(ev Event) bool { return hasName(ev.Added, "PhonesetHeadset") })
	if sel := ev.State.Selection(Speaker); sel.Device.Name != "PhonesetHeadset" || sel.Match != MatchID || sel.Fallback {
		t.Errorf("after replug: speaker %+v, want the headset by ID", sel)
	}
	unplug()
	waitFor(t, ch, "headset unplugged again", func(ev Event) bool { return hasName(ev.Removed, "PhonesetHeadset") })

	// Back under another ID (another port, say): found by name.
	plugHeadset(t, "phs_headset_port2")
	ev = waitFor(t, ch, "headset on another port", func(ev Event) bool { return hasName(ev.Added, "PhonesetHeadset") })
	sel = ev.State.Selection(Speaker)
	if sel.Device.Name != "PhonesetHeadset" || sel.Device.ID == headset.ID || sel.Match != MatchName || sel.Rank != 0 {
		t.Errorf("on another port: speaker %+v, want the headset by name", sel)
	}
	if m := ev.State.Selection(Microphone); m.Device.Name != "Monitor of PhonesetHeadset" || m.Match != MatchName {
		t.Errorf("on another port: microphone %+v", m)
	}
}
