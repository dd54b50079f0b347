package audio

import (
	"cmp"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/gen2brain/malgo"
)

// miniaudio's ma_backend values. malgo's own constants are off by one from
// "custom" on (its BackendNull selects the custom backend), so map names here.
var maBackends = map[Backend]malgo.Backend{
	BackendWASAPI:      0,
	BackendDirectSound: 1,
	BackendWinMM:       2,
	BackendCoreAudio:   3,
	BackendSndio:       4,
	BackendAudio4:      5,
	BackendOSS:         6,
	BackendPulseAudio:  7,
	BackendALSA:        8,
	BackendJACK:        9,
	BackendAAudio:      10,
	BackendOpenSL:      11,
	BackendWebAudio:    12,
	BackendNull:        14,
}

// defaultBackends is miniaudio's own priority order, without the null backend:
// a machine with no audio system must report that, not play into a void.
// Backends not compiled in on this platform fail at once and are skipped.
var defaultBackends = []Backend{
	BackendWASAPI, BackendDirectSound, BackendWinMM, BackendCoreAudio,
	BackendSndio, BackendAudio4, BackendOSS, BackendPulseAudio, BackendALSA,
	BackendJACK, BackendAAudio, BackendOpenSL, BackendWebAudio,
}

// streamPeriodMs is the period every stream asks for. miniaudio's low-latency
// default (10 ms) underruns when the machine is busy; settings tests value
// unbroken sound over the last milliseconds of latency.
const streamPeriodMs = 20

// contextOpen enforces one miniaudio context per process.
var contextOpen atomic.Bool

type malgoDriver struct {
	// mu serialises context calls: enumeration and device init/uninit.
	mu    sync.Mutex
	ctx   *malgo.AllocatedContext
	name  Backend
	epoch time.Time
}

// openMalgo initialises the first backend of the list that works. Each is tried
// on its own so the driver knows which one it got (malgo does not say).
func openMalgo(backends []Backend) (*malgoDriver, error) {
	if !contextOpen.CompareAndSwap(false, true) {
		return nil, ErrContextInUse
	}
	if len(backends) == 0 {
		backends = defaultBackends
	}
	var errs []error
	for _, b := range backends {
		mb, ok := maBackends[b]
		if !ok {
			errs = append(errs, fmt.Errorf("unknown backend %q", b))
			continue
		}
		ctx, err := malgo.InitContext([]malgo.Backend{mb}, malgo.ContextConfig{}, nil)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", b, err))
			continue
		}
		return &malgoDriver{ctx: ctx, name: b, epoch: time.Now()}, nil
	}
	contextOpen.Store(false)
	return nil, fmt.Errorf("audio: no usable backend: %w", errors.Join(errs...))
}

func (d *malgoDriver) backend() Backend { return d.name }

func (d *malgoDriver) now() time.Duration { return time.Since(d.epoch) }

func (d *malgoDriver) devices() ([]Device, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []Device
	for _, k := range []Kind{Playback, Capture} {
		infos, err := d.ctx.Devices(maKind(k))
		if err != nil {
			return nil, fmt.Errorf("audio: enumerate %s devices: %w", k, err)
		}
		for i := range infos {
			out = append(out, Device{
				Kind:    k,
				Backend: d.name,
				ID:      infos[i].ID.String(),
				Name:    infos[i].Name(),
				Default: infos[i].IsDefault != 0,
			})
		}
	}
	return out, nil
}

func maKind(k Kind) malgo.DeviceType {
	if k == Capture {
		return malgo.Capture
	}
	return malgo.Playback
}

func (d *malgoDriver) open(cfg streamConfig) (stream, error) {
	if cfg.device.Backend != d.name {
		return nil, fmt.Errorf("%w: %q belongs to backend %s", ErrDeviceMissing, cfg.device.Name, cfg.device.Backend)
	}
	raw, err := hex.DecodeString(cfg.device.ID)
	if err != nil || len(raw) > len(malgo.DeviceID{}) {
		return nil, fmt.Errorf("%w: bad device ID %q", ErrDeviceMissing, cfg.device.ID)
	}
	s := &malgoStream{d: d, id: new(malgo.DeviceID)}
	copy(s.id[:], raw)
	// miniaudio reads the ID through a pointer; pin it instead of ID.Pointer(),
	// which leaks a C allocation on every call.
	s.pin.Pin(s.id)

	mc := malgo.DefaultDeviceConfig(maKind(cfg.device.Kind))
	mc.SampleRate = uint32(cfg.sampleRate)
	mc.PeriodSizeInMilliseconds = streamPeriodMs
	sub := &mc.Playback
	if cfg.device.Kind == Capture {
		sub = &mc.Capture
	}
	sub.Format = malgo.FormatF32
	sub.Channels = uint32(cfg.channels)
	sub.DeviceID = unsafe.Pointer(s.id)

	data := cfg.data
	cb := malgo.DeviceCallbacks{
		Data: func(out, in []byte, frames uint32) {
			data(floats(out), floats(in), int(frames), d.now())
		},
		Stop: cfg.stopped,
	}
	d.mu.Lock()
	dev, err := malgo.InitDevice(d.ctx.Context, mc, cb)
	d.mu.Unlock()
	if err != nil {
		s.pin.Unpin()
		return nil, fmt.Errorf("audio: open %s %q: %w", cfg.device.Kind, cfg.device.Name, err)
	}
	s.dev = dev
	s.rate = int(dev.SampleRate())
	if cfg.device.Kind == Capture {
		s.ch = int(dev.CaptureChannels())
		s.nativeRate, s.nativeCh = int(dev.CaptureInternalSampleRate()), int(dev.CaptureInternalChannels())
	} else {
		s.ch = int(dev.PlaybackChannels())
		s.nativeRate, s.nativeCh = int(dev.PlaybackInternalSampleRate()), int(dev.PlaybackInternalChannels())
	}
	// A sound server (PulseAudio) converts to the stream's format itself, so
	// the stream's internal format is ours: ask for the device's own.
	d.mu.Lock()
	info, err := d.ctx.DeviceInfo(maKind(cfg.device.Kind), *s.id, malgo.Shared)
	d.mu.Unlock()
	if err == nil && len(info.Formats) > 0 {
		f := info.Formats[0]
		s.nativeRate = cmp.Or(int(f.SampleRate), s.nativeRate)
		s.nativeCh = cmp.Or(int(f.Channels), s.nativeCh)
	}
	return s, nil
}

func (d *malgoDriver) close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	_ = d.ctx.Uninit()
	d.ctx.Free()
	contextOpen.Store(false)
}

// floats views a malgo byte buffer of f32 samples as floats, without copying.
func floats(b []byte) []float32 {
	if len(b) < 4 {
		return nil
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(&b[0])), len(b)/4)
}

type malgoStream struct {
	d    *malgoDriver
	dev  *malgo.Device
	id   *malgo.DeviceID
	pin  runtime.Pinner
	rate int
	ch   int
	// the device's own format, before miniaudio's conversion
	nativeRate, nativeCh int
}

func (s *malgoStream) start() error       { return s.dev.Start() }
func (s *malgoStream) stop() error        { return s.dev.Stop() }
func (s *malgoStream) sampleRate() int    { return s.rate }
func (s *malgoStream) channels() int      { return s.ch }
func (s *malgoStream) native() (int, int) { return s.nativeRate, s.nativeCh }

func (s *malgoStream) close() {
	s.d.mu.Lock()
	s.dev.Uninit()
	s.d.mu.Unlock()
	s.pin.Unpin()
}
