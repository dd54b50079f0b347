package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// ownPulse starts a PulseAudio server for this test's app alone, with the
// same null sink "vspk" as scripts/services.sh's, and returns its address.
// The shared server is not enough: the audio package's tests, running at
// the same time, load sources there, and PulseAudio makes a newly loaded
// real source the default microphone over vspk's monitor (seen: the app's
// check listened to another test's source and heard nothing).
func (h *harness) ownPulse() string {
	h.t.Helper()
	// Not t.TempDir: a socket's path must stay under 108 bytes.
	dir, err := os.MkdirTemp("", "e2e-pulse")
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "native")
	// Started as scripts/services.sh starts the shared one (see there); its
	// state and runtime files go to dir, not to the shared server's.
	_, _, exited := h.startWatched("pulseaudio", []string{"pulseaudio", "-n", "--daemonize=no",
		"--exit-idle-time=-1", "--use-pid-file=no", "--system=no", "--disallow-exit",
		"--log-target=stderr", "--disable-shm=yes", "--no-cpu-limit",
		"--load=module-native-protocol-unix auth-anonymous=1 socket=" + sock,
		"--load=module-null-sink sink_name=vspk sink_properties=device.description=VirtualSpeaker rate=48000",
		"--load=module-always-sink",
	}, []string{"HOME=" + dir, "XDG_RUNTIME_DIR=" + dir, "XDG_CONFIG_HOME=" + dir, "XDG_STATE_HOME=" + dir})
	server := "unix:" + sock
	h.eventually("the test's PulseAudio answers", 30*time.Second, func() bool {
		select {
		case <-exited:
			h.t.Fatal("the test's PulseAudio exited")
		default:
		}
		info := exec.Command("pactl", "info")
		info.Env = append(os.Environ(), "PULSE_SERVER="+server)
		return info.Run() == nil
	})
	return server
}

// keepSinkAwake records vspk's monitor with a 20 ms latency for the rest of
// the test, so that vspk runs as a sound card does. A null sink that no
// stream uses sleeps for up to 2 s; a stream that Wine's WASAPI starts on
// it takes sound at two thirds of the speed it plays until the sink wakes
// (see the audio package's steadyWindow). The check waits that out, and
// then needed 2.9-3.3 s where it may take 2.75 (about 1 s on an awake sink).
func (h *harness) keepSinkAwake() {
	h.t.Helper()
	h.startWatched("parec", []string{"parec", "--latency-msec=20", "--device=vspk.monitor", "--raw", os.DevNull},
		[]string{"PULSE_SERVER=" + h.pulse})
}
