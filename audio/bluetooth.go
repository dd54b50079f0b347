package audio

import (
	"encoding/hex"
	"strings"
)

// bluetoothAddr returns the Bluetooth address in a PulseAudio device name
// (bluez_sink.<address>.<profile>, bluez_source.<address>.<profile>, or
// PipeWire's bluez_output.<address>.<n> and bluez_input.<address>.<n>), and
// whether the device is a monitor of a sink rather than a microphone.
func bluetoothAddr(d Device) (addr string, monitor, ok bool) {
	raw, err := hex.DecodeString(d.ID)
	if err != nil || d.Backend != BackendPulseAudio {
		return "", false, false
	}
	name := string(raw)
	fields := strings.Split(name, ".")
	if !strings.HasPrefix(name, "bluez_") || len(fields) < 2 {
		return "", false, false
	}
	return fields[1], strings.HasSuffix(name, ".monitor"), true
}

// WithoutMicrophone reports whether speaker is a Bluetooth headset connected
// in its audio-only profile (A2DP): its microphone is not offered until the
// headset is switched to hands-free (HFP/HSP). Only PulseAudio and
// PipeWire name devices so that this can be told.
func (st State) WithoutMicrophone(speaker Device) bool {
	addr, _, ok := bluetoothAddr(speaker)
	if !ok || speaker.Kind != Playback {
		return false
	}
	for _, d := range st.OfKind(Capture) {
		if a, monitor, ok := bluetoothAddr(d); ok && !monitor && a == addr {
			return false
		}
	}
	return true
}
