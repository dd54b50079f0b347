package audio

import "time"

// driver is the small surface of an audio context the rest of the package uses,
// so that preference resolution, the watcher and the sessions run against a fake
// device list in tests as well as against miniaudio.
type driver interface {
	backend() Backend
	devices() ([]Device, error) // playback then capture
	open(cfg streamConfig) (stream, error)
	// now is the clock the driver stamps callbacks with.
	now() time.Duration
	close()
}

// streamConfig describes one playback or capture stream of 32-bit float samples.
type streamConfig struct {
	device     Device
	sampleRate int
	channels   int // 0: the device's own channel count
	// data runs on the audio thread: it fills out (playback) or reads in
	// (capture). at is the driver's clock when the callback began. It must not
	// block, allocate much, or call start/stop/close.
	data func(out, in []float32, frames int, at time.Duration)
	// stopped is called when the device stops, whoever stopped it. Same rules as data.
	stopped func()
}

type stream interface {
	start() error
	stop() error
	close()
	sampleRate() int
	channels() int
	// native is the device's own format, which the stream converts from or to.
	native() (rate, channels int)
}
