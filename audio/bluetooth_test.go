package audio

import (
	"encoding/hex"
	"testing"
)

func TestWithoutMicrophone(t *testing.T) {
	dev := func(k Kind, name string) Device {
		return Device{Kind: k, Backend: BackendPulseAudio, ID: hex.EncodeToString([]byte(name)), Name: name}
	}
	const addr = "00_1B_66_AA_BB_CC"
	a2dp := dev(Playback, "bluez_sink."+addr+".a2dp_sink")
	a2dpMonitor := dev(Capture, "bluez_sink."+addr+".a2dp_sink.monitor")
	hfp := dev(Playback, "bluez_sink."+addr+".handsfree_head_unit")
	hfpMic := dev(Capture, "bluez_source."+addr+".handsfree_head_unit")
	pwOut := dev(Playback, "bluez_output.00:1B:66:AA:BB:CC.1")
	pwIn := dev(Capture, "bluez_input.00:1B:66:AA:BB:CC.0")
	otherMic := dev(Capture, "bluez_source.11_22_33_44_55_66.handsfree_head_unit")
	usb := dev(Playback, "alsa_output.usb-Jabra_Evolve2-00.analog-stereo")
	usbMic := dev(Capture, "alsa_input.usb-Jabra_Evolve2-00.mono-fallback")
	for _, tc := range []struct {
		name    string
		speaker Device
		devices []Device
		want    bool
	}{
		{"A2DP: only a monitor", a2dp, []Device{a2dp, a2dpMonitor, usbMic}, true},
		{"A2DP: another headset's microphone does not count", a2dp, []Device{a2dp, otherMic}, true},
		{"hands-free: the microphone is there", hfp, []Device{hfp, hfpMic}, false},
		{"PipeWire names", pwOut, []Device{pwOut, pwIn}, false},
		{"PipeWire, audio only", pwOut, []Device{pwOut}, true},
		{"a USB headset", usb, []Device{usb, usbMic}, false},
		{"not hex", Device{Kind: Playback, Backend: BackendPulseAudio, ID: "zz"}, nil, false},
		{"another backend", Device{Kind: Playback, Backend: BackendWASAPI, ID: a2dp.ID}, nil, false},
	} {
		st := State{Devices: tc.devices}
		if got := st.WithoutMicrophone(tc.speaker); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
