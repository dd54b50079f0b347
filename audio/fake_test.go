package audio

import (
	"cmp"
	"errors"
	"math"
	"slices"
	"sync"
	"testing"
	"time"
)

// fakeDriver is a simulated audio system: a device list tests can change, and
// streams driven by one simulated clock, faster than real time. Everything
// played goes into the "air"; capture streams hear the air after a round trip
// of outLat+inLat frames, times gain, plus the mic source and noise, clamped to
// full scale like a converter.
type fakeDriver struct {
	mu      sync.Mutex
	devs    []Device
	enumErr error
	openErr error

	outLat, inLat int
	gain          float64
	noise         float64                 // peak amplitude of added noise
	mic           func(frame int) float32 // what the microphone picks up besides the air
	channels      int                     // a device's own channel count
	nativeRate    int                     // a device's own rate; fakeRate when 0
	tick          time.Duration           // real time per simulated period
	// stall: a started stream's device takes this many frames to run, as an
	// idle sound server's or a Bluetooth headset's does. Playback streams
	// are asked for one buffer at once all the same, as a sound server does.
	stall int
	// lose: capture periods starting at these frames of a stream are lost
	// (an overrun on a busy machine).
	lose func(frame int) bool

	frame   int // simulated clock in frames at fakeRate
	air     []float32
	running []*fakeStream
	opened  []streamConfig
	played  map[string][]float32 // by device ID: every sample written
	rng     uint64

	quit chan struct{}
	done chan struct{}
}

const (
	fakeRate   = 48000
	fakePeriod = 480 // frames per callback: 10 ms
	fakeAir    = 1 << 18
)

func newFakeDriver(t testing.TB, devs ...Device) *fakeDriver {
	d := &fakeDriver{
		devs: devs, gain: 1, channels: 2, tick: 200 * time.Microsecond,
		air: make([]float32, fakeAir), played: map[string][]float32{}, rng: 1,
		quit: make(chan struct{}), done: make(chan struct{}),
	}
	go d.loop()
	t.Cleanup(d.close)
	return d
}

func (d *fakeDriver) backend() Backend { return "fake" }

func (d *fakeDriver) now() time.Duration {
	return time.Duration(d.frame) * time.Second / fakeRate
}

func (d *fakeDriver) devices() ([]Device, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.enumErr != nil {
		return nil, d.enumErr
	}
	return slices.Clone(d.devs), nil
}

func (d *fakeDriver) setDevices(devs ...Device) {
	d.mu.Lock()
	d.devs = devs
	d.mu.Unlock()
}

func (d *fakeDriver) open(cfg streamConfig) (stream, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.openErr != nil {
		return nil, d.openErr
	}
	if !slices.ContainsFunc(d.devs, cfg.device.same) {
		return nil, errors.New("fake: no such device")
	}
	d.opened = append(d.opened, cfg)
	ch := cfg.channels
	if ch == 0 {
		ch = d.channels
	}
	return &fakeStream{d: d, cfg: cfg, ch: ch}, nil
}

func (d *fakeDriver) close() {
	select {
	case <-d.quit:
	default:
		close(d.quit)
		<-d.done
	}
}

// fail stops every stream on dev as a vanished device would, and reports it.
func (d *fakeDriver) fail(dev Device) {
	d.mu.Lock()
	var failed []*fakeStream
	d.running = slices.DeleteFunc(d.running, func(s *fakeStream) bool {
		if s.cfg.device.same(dev) {
			failed = append(failed, s)
			return true
		}
		return false
	})
	d.mu.Unlock()
	for _, s := range failed {
		s.cfg.stopped()
	}
}

func (d *fakeDriver) playedOn(dev Device) []float32 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.played[dev.ID])
}

func (d *fakeDriver) loop() {
	defer close(d.done)
	d.mu.Lock()
	tick := d.tick
	d.mu.Unlock()
	for {
		select {
		case <-d.quit:
			return
		case <-time.After(tick):
		}
		d.mu.Lock()
		d.step()
		tick = d.tick
		d.mu.Unlock()
	}
}

// step runs one period: playback streams write the air ahead by outLat,
// capture streams read it from inLat ago.
func (d *fakeDriver) step() {
	d.frame += fakePeriod
	at := d.now()
	for i := range fakePeriod {
		d.air[(d.frame+d.outLat+i)%fakeAir] = 0
	}
	for _, s := range d.running {
		if s.cfg.device.Kind != Playback {
			continue
		}
		if d.stalled(s) {
			if !s.primed {
				s.primed = true
				s.cfg.data(make([]float32, fakePeriod*s.ch), nil, fakePeriod, at)
			}
			continue
		}
		out := make([]float32, fakePeriod*s.ch)
		s.cfg.data(out, nil, fakePeriod, at)
		d.played[s.cfg.device.ID] = append(d.played[s.cfg.device.ID], out...)
		for i := range fakePeriod {
			d.air[(d.frame+d.outLat+i)%fakeAir] += out[i*s.ch]
		}
	}
	for _, s := range d.running {
		if s.cfg.device.Kind != Capture || d.stalled(s) || d.lose != nil && d.lose(d.frame-s.started) {
			continue
		}
		in := make([]float32, fakePeriod*s.ch)
		for i := range fakePeriod {
			pos := d.frame - fakePeriod - d.inLat + i
			v := d.gain*float64(d.air[(pos+fakeAir)%fakeAir]) + d.noise*d.uniform()
			if d.mic != nil {
				v += float64(d.mic(pos))
			}
			v = math.Max(-1, math.Min(1, v))
			for c := range s.ch {
				in[i*s.ch+c] = float32(v)
			}
		}
		s.cfg.data(nil, in, fakePeriod, at)
	}
}

func (d *fakeDriver) stalled(s *fakeStream) bool { return d.frame-s.started < d.stall }

// uniform is deterministic noise in [-1, 1).
func (d *fakeDriver) uniform() float64 {
	d.rng ^= d.rng << 13
	d.rng ^= d.rng >> 7
	d.rng ^= d.rng << 17
	return float64(d.rng>>11)/(1<<52) - 1
}

type fakeStream struct {
	d       *fakeDriver
	cfg     streamConfig
	ch      int
	started int  // the driver's frame when started
	primed  bool // asked for its first buffer
}

func (s *fakeStream) start() error {
	s.d.mu.Lock()
	defer s.d.mu.Unlock()
	s.started = s.d.frame
	s.d.running = append(s.d.running, s)
	return nil
}

// stop takes the driver's lock, so no callback runs once it returns.
func (s *fakeStream) stop() error {
	s.d.mu.Lock()
	was := slices.Contains(s.d.running, s)
	s.d.running = slices.DeleteFunc(s.d.running, func(o *fakeStream) bool { return o == s })
	s.d.mu.Unlock()
	if was {
		s.cfg.stopped()
	}
	return nil
}

func (s *fakeStream) close()          {}
func (s *fakeStream) sampleRate() int { return s.cfg.sampleRate }
func (s *fakeStream) channels() int   { return s.ch }

func (s *fakeStream) native() (int, int) {
	s.d.mu.Lock()
	defer s.d.mu.Unlock()
	return cmp.Or(s.d.nativeRate, fakeRate), s.d.channels
}

// Devices used across tests.
var (
	fakeSpeakers  = Device{Kind: Playback, Backend: "fake", ID: "01", Name: "Speakers", Default: true}
	fakeHeadset   = Device{Kind: Playback, Backend: "fake", ID: "02", Name: "Headset"}
	fakeUSB       = Device{Kind: Playback, Backend: "fake", ID: "03", Name: "USB Speaker"}
	fakeLaptopMic = Device{Kind: Capture, Backend: "fake", ID: "11", Name: "Laptop Mic", Default: true}
	fakeHeadMic   = Device{Kind: Capture, Backend: "fake", ID: "12", Name: "Headset Mic"}
)

// newFakeSystem opens a System on a fake driver with a fast watcher.
func newFakeSystem(t testing.TB, prefs Prefs, devs ...Device) (*System, *fakeDriver) {
	t.Helper()
	d := newFakeDriver(t, devs...)
	s, err := newSystem(d, Options{PollInterval: 10 * time.Millisecond, Prefs: prefs})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s, d
}
