package audio

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// Tests on miniaudio's null backend: the real malgo path (context, enumeration,
// pinned device IDs, f32 streams) with one silent device of each kind.

func openNull(t testing.TB, prefs Prefs) *System {
	t.Helper()
	s, err := Open(Options{Backends: []Backend{BackendNull}, Prefs: prefs, PollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func TestNullDevices(t *testing.T) {
	absent := DeviceRef{Backend: string(BackendNull), ID: "ff", Name: "Jabra Evolve"}
	s := openNull(t, Prefs{Speaker: []DeviceRef{absent}})
	st := s.Snapshot()
	want := []Device{
		{Kind: Playback, Backend: BackendNull, ID: "00", Name: "NULL Playback Device", Default: true},
		{Kind: Capture, Backend: BackendNull, ID: "00", Name: "NULL Capture Device", Default: true},
	}
	if st.Backend != BackendNull || len(st.Devices) != 2 || st.Devices[0] != want[0] || st.Devices[1] != want[1] {
		t.Fatalf("state %+v", st)
	}
	if sel := st.Selection(Speaker); !sel.Fallback || sel.Device != want[0] {
		t.Errorf("speaker %+v, want fallback to the null device", sel)
	}
	if sel := st.Selection(Microphone); sel.Fallback || sel.Match != MatchDefault || sel.Device != want[1] {
		t.Errorf("microphone %+v", sel)
	}
}

func TestOneContextPerProcess(t *testing.T) {
	s := openNull(t, Prefs{})
	if _, err := Open(Options{Backends: []Backend{BackendNull}}); !errors.Is(err, ErrContextInUse) {
		t.Fatalf("second Open: %v, want ErrContextInUse", err)
	}
	s.Close()
	s2, err := Open(Options{Backends: []Backend{BackendNull}})
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	s2.Close()
}

func TestOpenUnknownBackend(t *testing.T) {
	if _, err := Open(Options{Backends: []Backend{"nosuch"}}); err == nil {
		t.Fatal("unknown backend accepted")
	}
	// A failed Open releases the one-context guard.
	openNull(t, Prefs{})
}

func TestNullSessions(t *testing.T) {
	s := openNull(t, Prefs{})
	st := s.Snapshot()
	spk, mic := st.Selection(Speaker).Device, st.Selection(Microphone).Device

	clip, err := s.Record(context.Background(), mic, 100*time.Millisecond, nil)
	if err != nil {
		t.Fatal(err)
	}
	if clip.SampleRate != 48000 || clip.Frames() != 4800 {
		t.Errorf("recording %d Hz, %d frames; want 4800 at 48 kHz", clip.SampleRate, clip.Frames())
	}
	if l := MeasureLevel(clip.Samples, clip.Channels); l.Peak != MinDBFS {
		t.Errorf("the null microphone is silent, got %+v", l)
	}
	if err := s.Play(context.Background(), clip, false, spk); err != nil {
		t.Errorf("playing the recording back: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	err = s.MonitorInput(ctx, mic, func(l Level) {
		if l.RMS != MinDBFS || l.Clipped {
			t.Errorf("level %+v", l)
		}
		if n++; n == 3 {
			cancel()
		}
	})
	if err != nil {
		t.Errorf("monitor: %v", err)
	}

	if err := s.Play(context.Background(), Clip{SampleRate: 44100, Channels: 1, Samples: tone(440, 0.2, 0.05, 44100)}, false, spk); err != nil {
		t.Errorf("play: %v", err)
	}

	r, err := s.CheckHeadset(context.Background(), spk, mic, nil)
	if err != nil || r.Verdict != VerdictNoSignal || r.Detected {
		t.Errorf("check on null devices: %+v, %v; want no signal", r, err)
	}
}

func TestNullBadDeviceID(t *testing.T) {
	s := openNull(t, Prefs{})
	drv := s.drv.(*malgoDriver)
	for _, dev := range []Device{
		{Kind: Playback, Backend: BackendNull, ID: "zz"},
		{Kind: Playback, Backend: BackendNull, ID: strings.Repeat("00", 300)},
		{Kind: Playback, Backend: BackendPulseAudio, ID: "00"},
	} {
		if _, err := drv.open(streamConfig{device: dev, sampleRate: 48000}); !errors.Is(err, ErrDeviceMissing) {
			t.Errorf("ID %.8q on %s: %v", dev.ID, dev.Backend, err)
		}
	}
}
