package audio

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Sessions (level monitor, recording, playback) block until done: call them
// from a goroutine. Cancelling ctx is the normal way to stop one and is not an
// error; a device that is missing, fails to open or goes away while in use is.

const (
	// meterWindow is the level update period: 40 updates a second.
	meterWindow = 25 * time.Millisecond
	// streamRate is the rate tests capture and play at; miniaudio converts.
	streamRate = 48000
	// playTail is silence played after a clip so the device's buffer drains
	// before the stream stops and the clip's end is not cut.
	playTail = 200 * time.Millisecond
)

// session ties streams to the devices they use, so the watcher can end it when
// one of them goes away, and so Close can wait for it.
type session struct {
	sys     *System
	devices []Device
	fail    chan error
	cancel  context.CancelFunc
	streams []*running
	ended   sync.Once
}

// running is an open stream and whether we are the ones stopping it.
type running struct {
	st       stream
	stopping atomic.Bool
}

func deviceErr(err error, d Device) error {
	return fmt.Errorf("%w: %s %q", err, d.Kind, d.Name)
}

// begin checks that the devices are present (enumerating now) and registers a
// session for them. The returned context ends with the caller's, or on Close.
func (s *System) begin(ctx context.Context, devices ...Device) (*session, context.Context, error) {
	st, err := s.Refresh()
	if err != nil {
		return nil, nil, err
	}
	for _, d := range devices {
		if !slices.ContainsFunc(st.Devices, d.same) {
			return nil, nil, deviceErr(ErrDeviceMissing, d)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, nil, ErrClosed
	}
	ctx, cancel := context.WithCancel(ctx)
	stopOnClose := context.AfterFunc(s.life, cancel)
	se := &session{sys: s, devices: devices, fail: make(chan error, 1)}
	se.cancel = func() { stopOnClose(); cancel() }
	s.active[se] = struct{}{}
	s.sessions.Add(1)
	return se, ctx, nil
}

// lose ends the session with err; the first error wins.
func (se *session) lose(err error) {
	select {
	case se.fail <- err:
	default:
	}
}

// open opens a stream on the session's driver; a stream that stops without
// being asked to loses the session its device.
func (se *session) open(cfg streamConfig) (stream, error) {
	r := &running{}
	d := cfg.device
	cfg.stopped = func() {
		if !r.stopping.Load() {
			se.lose(deviceErr(ErrDeviceLost, d))
		}
	}
	st, err := se.sys.drv.open(cfg)
	if err != nil {
		return nil, err
	}
	r.st = st
	se.streams = append(se.streams, r)
	return st, nil
}

// start starts streams in order; capture before playback keeps a test's start in view.
func (se *session) start(streams ...stream) error {
	for _, st := range streams {
		if err := st.start(); err != nil {
			return err
		}
	}
	return nil
}

// wait blocks until done is closed, ctx ends or a device is lost.
// A cancelled ctx returns nil, or ErrClosed when the System closed.
func (se *session) wait(ctx context.Context, done <-chan struct{}) error {
	select {
	case <-done:
		return nil
	case err := <-se.fail:
		return err
	case <-ctx.Done():
		return se.endErr()
	}
}

func (se *session) endErr() error {
	if se.sys.life.Err() != nil {
		return ErrClosed
	}
	return nil
}

// end stops and closes the streams, last opened first, and unregisters. Once
// it returns the audio threads no longer touch the session's buffers. It may be
// called more than once.
func (se *session) end() {
	se.ended.Do(func() {
		for _, r := range slices.Backward(se.streams) {
			r.stopping.Store(true)
			_ = r.st.stop()
			r.st.close()
		}
		se.cancel()
		se.sys.mu.Lock()
		delete(se.sys.active, se)
		se.sys.mu.Unlock()
		se.sys.sessions.Done()
	})
}

// signal is a once-only completion flag the audio thread can raise.
type signal struct {
	once sync.Once
	ch   chan struct{}
}

func newSignal() *signal { return &signal{ch: make(chan struct{})} }
func (s *signal) raise() { s.once.Do(func() { close(s.ch) }) }

// MonitorInput streams the microphone's level to onLevel, 40 times a second,
// until ctx is cancelled. onLevel runs on a goroutine of the session, never the
// audio thread; it should return quickly.
func (s *System) MonitorInput(ctx context.Context, mic Device, onLevel func(Level)) error {
	_, err := s.capture(ctx, mic, 0, onLevel)
	return err
}

// Record captures up to d of the microphone (48 kHz, the device's channels),
// reporting levels to onLevel if it is not nil. Cancelling ctx ends the
// recording early and returns what was captured.
func (s *System) Record(ctx context.Context, mic Device, d time.Duration, onLevel func(Level)) (Clip, error) {
	if d <= 0 {
		return Clip{}, errors.New("audio: record duration must be positive")
	}
	return s.capture(ctx, mic, d, onLevel)
}

// capture runs a capture stream, metering it, and keeps up to d of it (d = 0:
// keep nothing, run until ctx ends).
func (s *System) capture(ctx context.Context, mic Device, d time.Duration, onLevel func(Level)) (Clip, error) {
	if mic.Kind != Capture {
		return Clip{}, deviceErr(ErrDeviceMissing, mic)
	}
	se, ctx, err := s.begin(ctx, mic)
	if err != nil {
		return Clip{}, err
	}
	defer se.end()

	type tap struct {
		meter *windowedMeter
		buf   []float32
	}
	var (
		cur    atomic.Pointer[tap]
		filled atomic.Int64
		full   = newSignal()
		// A recording's levels all fit, so none is dropped; a monitor keeps the latest.
		levels = make(chan Level, max(64, int(d/meterWindow)+2))
	)
	emit := func(l Level) {
		select {
		case levels <- l:
		default: // the consumer is behind: drop, the next level follows in 25 ms
		}
	}
	st, err := se.open(streamConfig{
		device:     mic,
		sampleRate: streamRate,
		data: func(_, in []float32, _ int, _ time.Duration) {
			t := cur.Load()
			if t.buf == nil {
				t.meter.add(in, emit)
				return
			}
			n := int(filled.Load())
			k := copy(t.buf[n:], in)
			t.meter.add(in[:k], emit)
			filled.Store(int64(n + k))
			if k > 0 && n+k == len(t.buf) {
				full.raise()
			}
		},
	})
	if err != nil {
		return Clip{}, err
	}
	ch := st.channels()
	t := &tap{meter: newWindowedMeter(ch, st.sampleRate()*int(meterWindow)/int(time.Second))}
	if d > 0 {
		t.buf = make([]float32, int(d.Seconds()*float64(st.sampleRate()))*ch)
	}
	// Published before start, read by the audio thread after it.
	cur.Store(t)
	if err := se.start(st); err != nil {
		return Clip{}, err
	}

	var done <-chan struct{}
	if d > 0 {
		done = full.ch
	}
	result := make(chan error, 1)
	go func() { result <- se.wait(ctx, done) }()
	for {
		select {
		case l := <-levels:
			if onLevel != nil {
				onLevel(l)
			}
		case err := <-result:
			// Stop the stream before reading what the audio thread wrote.
			se.end()
			for len(levels) > 0 {
				if l := <-levels; onLevel != nil {
					onLevel(l)
				}
			}
			clip := Clip{SampleRate: st.sampleRate(), Channels: ch}
			if t.buf != nil {
				clip.Samples = t.buf[:filled.Load()]
			}
			return clip, err
		}
	}
}

// Play plays clip on every device at once (the ringtone on the speaker and the
// ringer, say), once or, with loop, until ctx is cancelled. A device that is
// missing or lost does not stop the others; their errors are joined.
func (s *System) Play(ctx context.Context, clip Clip, loop bool, devices ...Device) error {
	if err := clip.validate(); err != nil {
		return err
	}
	if len(devices) == 0 {
		return fmt.Errorf("%w: no device to play on", ErrDeviceMissing)
	}
	errs := make([]error, len(devices))
	var wg sync.WaitGroup
	for i, d := range devices {
		wg.Go(func() { errs[i] = s.playOn(ctx, clip, loop, d) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (s *System) playOn(ctx context.Context, clip Clip, loop bool, dev Device) error {
	if dev.Kind != Playback {
		return deviceErr(ErrDeviceMissing, dev)
	}
	se, ctx, err := s.begin(ctx, dev)
	if err != nil {
		return err
	}
	defer se.end()
	done := newSignal()
	end := len(clip.Samples) + int(playTail.Seconds()*float64(clip.SampleRate))*clip.Channels
	pos := 0 // touched by the audio thread only
	st, err := se.open(streamConfig{
		device:     dev,
		sampleRate: clip.SampleRate,
		channels:   clip.Channels,
		data: func(out, _ []float32, _ int, _ time.Duration) {
			for len(out) > 0 {
				if pos >= len(clip.Samples) && loop {
					pos = 0
				}
				if pos >= len(clip.Samples) {
					clear(out)
					pos += len(out)
					if pos >= end {
						done.raise()
					}
					return
				}
				n := copy(out, clip.Samples[pos:])
				out = out[n:]
				pos += n
			}
		},
	})
	if err != nil {
		return err
	}
	if err := se.start(st); err != nil {
		return err
	}
	return se.wait(ctx, done.ch)
}
