package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
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
	dir, err := os.MkdirTemp("", "e2e-pulse")
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "native")
	// Started as scripts/services.sh starts the shared one (see there).
	cmd := exec.Command("pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1",
		"--use-pid-file=no", "--system=no", "--disallow-exit", "--log-target=stderr",
		"--disable-shm=yes", "--no-cpu-limit",
		"--load=module-native-protocol-unix auth-anonymous=1 socket="+sock,
		"--load=module-null-sink sink_name=vspk sink_properties=device.description=VirtualSpeaker rate=48000",
		"--load=module-always-sink")
	// Its state and runtime files go to dir, not to the shared server's.
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_RUNTIME_DIR="+dir, "XDG_CONFIG_HOME="+dir, "XDG_STATE_HOME="+dir)
	log, err := os.Create(filepath.Join(dir, "pulse.log"))
	if err != nil {
		h.t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		h.t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	h.t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	server := "unix:" + sock
	h.eventually("the test's PulseAudio answers", 30*time.Second, func() bool {
		select {
		case <-done:
			out, _ := os.ReadFile(log.Name())
			h.t.Fatalf("PulseAudio exited:\n%s", out)
		default:
		}
		info := exec.Command("pactl", "info")
		info.Env = append(os.Environ(), "PULSE_SERVER="+server)
		return info.Run() == nil
	})
	return server
}
