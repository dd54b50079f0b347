//go:build unix

package testoidc

import (
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// Chromium returns a function that opens a URL in headless Chromium, as
// the person's system browser, and stops it when the test ends.
func Chromium(t testing.TB, bin string) func(string) error {
	return func(u string) error {
		args := ChromiumArgs(bin, t.TempDir(), u)
		cmd := exec.Command(args[0], args[1:]...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		out := &strings.Builder{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			return err
		}
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		t.Cleanup(func() {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // Chromium's helpers too
			<-done
			if t.Failed() {
				t.Logf("chromium said:\n%s", out)
			}
		})
		return nil
	}
}
