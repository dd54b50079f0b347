package audio

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"
)

// setMic makes the fake microphones hear src and nothing played.
func setMic(d *fakeDriver, src func(int) float32) {
	d.mu.Lock()
	d.mic, d.gain = src, 0
	d.mu.Unlock()
}

func TestRecord(t *testing.T) {
	for _, tc := range []struct {
		name      string
		src       func(int) float32
		rms, peak float64
		clipped   bool
	}{
		{"half-scale sine", sine(1000, 0.5), -9.03, -6.02, false},
		// The fake clamps like a converter: 1.5 × sine flattens at full scale.
		{"overdriven", sine(1000, 1.5), -1.54, 0, true},
		{"silence", constant(0), MinDBFS, MinDBFS, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, d := newFakeSystem(t, Prefs{}, fakeLaptopMic)
			setMic(d, tc.src)
			var levels []Level
			clip, err := s.Record(context.Background(), fakeLaptopMic, time.Second, func(l Level) { levels = append(levels, l) })
			if err != nil {
				t.Fatal(err)
			}
			// The fake's devices are stereo; a recording keeps the device's channels.
			if clip.SampleRate != 48000 || clip.Channels != 2 || clip.Frames() != 48000 || clip.Duration() != time.Second {
				t.Fatalf("clip %d Hz × %d, %d frames", clip.SampleRate, clip.Channels, clip.Frames())
			}
			// One level per 25 ms of audio: 40 a second, none dropped.
			if len(levels) != 40 {
				t.Errorf("%d levels for one second, want 40", len(levels))
			}
			for i, l := range levels {
				if !near(l.RMS, tc.rms, 0.15) || !near(l.Peak, tc.peak, 0.05) || l.Clipped != tc.clipped {
					t.Fatalf("level %d: %+v, want rms %.2f peak %.2f clipped %v", i, l, tc.rms, tc.peak, tc.clipped)
				}
			}
			whole := MeasureLevel(clip.Samples, clip.Channels)
			if !near(whole.RMS, tc.rms, 0.1) {
				t.Errorf("recording RMS %.2f, want %.2f", whole.RMS, tc.rms)
			}
		})
	}
}

func TestRecordCancelKeepsWhatWasCaptured(t *testing.T) {
	s, d := newFakeSystem(t, Prefs{}, fakeLaptopMic)
	setMic(d, sine(440, 0.3))
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	clip, err := s.Record(ctx, fakeLaptopMic, time.Hour, func(Level) {
		if n++; n == 8 {
			cancel()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if clip.Frames() < 8*1200 || clip.Frames() >= 3600*48000 {
		t.Errorf("%d frames after 8 levels", clip.Frames())
	}
	if _, err := s.Record(context.Background(), fakeLaptopMic, 0, nil); err == nil {
		t.Error("a zero-length recording must be refused")
	}
}

func TestMonitorInput(t *testing.T) {
	s, d := newFakeSystem(t, Prefs{}, fakeLaptopMic, fakeSpeakers)
	setMic(d, sine(1000, 0.5))
	ctx, cancel := context.WithCancel(context.Background())
	var got []Level
	err := s.MonitorInput(ctx, fakeLaptopMic, func(l Level) {
		if got = append(got, l); len(got) == 20 {
			cancel()
		}
	})
	if err != nil {
		t.Fatalf("cancelled monitor: %v, want nil", err)
	}
	for _, l := range got {
		if !near(l.RMS, -9.03, 0.15) || l.Clipped {
			t.Fatalf("level %+v", l)
		}
	}
	d.mu.Lock()
	running := len(d.running)
	d.mu.Unlock()
	if running != 0 {
		t.Errorf("%d streams still running after the monitor returned", running)
	}
}

func TestSessionDeviceErrors(t *testing.T) {
	gone := Device{Kind: Capture, Backend: "fake", ID: "98", Name: "Unplugged"}
	openErr := errors.New("device busy")
	for _, tc := range []struct {
		name string
		run  func(s *System, d *fakeDriver) error
		want error
	}{
		{"monitor a missing device", func(s *System, d *fakeDriver) error {
			return s.MonitorInput(context.Background(), gone, nil)
		}, ErrDeviceMissing},
		{"monitor a playback device", func(s *System, d *fakeDriver) error {
			return s.MonitorInput(context.Background(), fakeSpeakers, nil)
		}, ErrDeviceMissing},
		{"device fails to open", func(s *System, d *fakeDriver) error {
			d.mu.Lock()
			d.openErr = openErr
			d.mu.Unlock()
			return s.MonitorInput(context.Background(), fakeLaptopMic, nil)
		}, openErr},
		{"device stops by itself", func(s *System, d *fakeDriver) error {
			var once sync.Once
			return s.MonitorInput(context.Background(), fakeLaptopMic, func(Level) {
				once.Do(func() { go d.fail(fakeLaptopMic) })
			})
		}, ErrDeviceLost},
		{"device unplugged", func(s *System, d *fakeDriver) error {
			var once sync.Once
			return s.MonitorInput(context.Background(), fakeLaptopMic, func(Level) {
				once.Do(func() { d.setDevices(fakeSpeakers) })
			})
		}, ErrDeviceLost},
		{"play on a capture device", func(s *System, d *fakeDriver) error {
			return s.Play(context.Background(), TestTone(), false, fakeLaptopMic)
		}, ErrDeviceMissing},
		{"play on nothing", func(s *System, d *fakeDriver) error {
			return s.Play(context.Background(), TestTone(), false)
		}, ErrDeviceMissing},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, d := newFakeSystem(t, Prefs{}, fakeSpeakers, fakeLaptopMic)
			if err := tc.run(s, d); !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
}

// shortClip is 50 ms of a ramp, so its samples are easy to find in what was played.
func shortClip(channels int) Clip {
	c := Clip{SampleRate: 48000, Channels: channels, Samples: make([]float32, 2400*channels)}
	for i := range c.Samples {
		c.Samples[i] = float32(i+1) / float32(len(c.Samples)+1)
	}
	return c
}

func TestPlay(t *testing.T) {
	s, d := newFakeSystem(t, Prefs{}, fakeSpeakers, fakeHeadset, fakeLaptopMic)
	clip := shortClip(2)
	if err := s.Play(context.Background(), clip, false, fakeHeadset, fakeSpeakers); err != nil {
		t.Fatal(err)
	}
	for _, dev := range []Device{fakeHeadset, fakeSpeakers} {
		played := d.playedOn(dev)
		if len(played) < len(clip.Samples)+2*9600 || !slices.Equal(played[:len(clip.Samples)], clip.Samples) {
			t.Errorf("%s: played %d samples, want the clip then 200 ms of silence", dev.Name, len(played))
			continue
		}
		for _, v := range played[len(clip.Samples):] {
			if v != 0 {
				t.Errorf("%s: noise after the clip", dev.Name)
				break
			}
		}
	}
}

func TestPlayLoopUntilCancelled(t *testing.T) {
	s, d := newFakeSystem(t, Prefs{}, fakeSpeakers)
	clip := shortClip(1)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		// Stop once three loops have been played.
		for len(d.playedOn(fakeSpeakers)) < 3*len(clip.Samples) {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	if err := s.Play(ctx, clip, true, fakeSpeakers); err != nil {
		t.Fatal(err)
	}
	played := d.playedOn(fakeSpeakers)
	for i := range 3 {
		if !slices.Equal(played[i*len(clip.Samples):(i+1)*len(clip.Samples)], clip.Samples) {
			t.Fatalf("loop %d differs from the clip", i)
		}
	}
}

func TestPlayGoesOnWhenOneDeviceIsMissing(t *testing.T) {
	s, d := newFakeSystem(t, Prefs{}, fakeSpeakers)
	err := s.Play(context.Background(), shortClip(1), false, fakeHeadset, fakeSpeakers)
	if !errors.Is(err, ErrDeviceMissing) {
		t.Errorf("err %v, want ErrDeviceMissing for the headset", err)
	}
	if len(d.playedOn(fakeSpeakers)) < 2400 {
		t.Error("the speakers did not play")
	}
}

func TestPlayRejectsBadClips(t *testing.T) {
	s, _ := newFakeSystem(t, Prefs{}, fakeSpeakers)
	for _, c := range []Clip{
		{},
		{SampleRate: 48000, Channels: 1},
		{SampleRate: 48000, Channels: 2, Samples: make([]float32, 3)},
		{SampleRate: 100, Channels: 1, Samples: make([]float32, 3)},
		{SampleRate: 48000, Channels: 0, Samples: make([]float32, 3)},
	} {
		if err := s.Play(context.Background(), c, false, fakeSpeakers); err == nil {
			t.Errorf("clip %d Hz × %d with %d samples accepted", c.SampleRate, c.Channels, len(c.Samples))
		}
	}
}
