package audio

import "errors"

// Kind says whether a device plays or captures sound.
type Kind int

const (
	Playback Kind = iota + 1
	Capture
)

func (k Kind) String() string {
	switch k {
	case Playback:
		return "playback"
	case Capture:
		return "capture"
	}
	return "unknown"
}

// Backend names an audio system as miniaudio knows it ("pulseaudio", "wasapi", ...).
type Backend string

const (
	BackendWASAPI      Backend = "wasapi"
	BackendDirectSound Backend = "dsound"
	BackendWinMM       Backend = "winmm"
	BackendCoreAudio   Backend = "coreaudio"
	BackendSndio       Backend = "sndio"
	BackendAudio4      Backend = "audio4"
	BackendOSS         Backend = "oss"
	BackendPulseAudio  Backend = "pulseaudio"
	BackendALSA        Backend = "alsa"
	BackendJACK        Backend = "jack"
	BackendAAudio      Backend = "aaudio"
	BackendOpenSL      Backend = "opensl"
	BackendWebAudio    Backend = "webaudio"
	// BackendNull has one silent playback and one silent capture device; for tests.
	BackendNull Backend = "null"
)

// Device is one playback or capture device as the backend enumerates it.
type Device struct {
	Kind    Kind
	Backend Backend
	// ID is the backend's device identifier, hex encoded. It is stable for a given
	// device on most backends but may change after a replug (ALSA, for example).
	ID      string
	Name    string
	Default bool // the system default device of its kind
}

// Ref is what to store to find this device again.
func (d Device) Ref() DeviceRef {
	return DeviceRef{Backend: string(d.Backend), ID: d.ID, Name: d.Name}
}

// same reports whether d and o are the same device, ignoring the default flag.
func (d Device) same(o Device) bool {
	return d.Kind == o.Kind && d.Backend == o.Backend && d.ID == o.ID && d.Name == o.Name
}

// Errors returned by System methods.
var (
	// ErrContextInUse: a System is already open in this process (one audio context per process).
	ErrContextInUse = errors.New("audio: an audio context is already open")
	// ErrClosed: the System was closed.
	ErrClosed = errors.New("audio: system closed")
	// ErrDeviceMissing: the device asked for is not present.
	ErrDeviceMissing = errors.New("audio: device not present")
	// ErrDeviceLost: the device disappeared or stopped while in use.
	ErrDeviceLost = errors.New("audio: device lost")
)
