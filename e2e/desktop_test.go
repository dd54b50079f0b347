package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A second start of the app brings the running one's window forward and
// exits 0; the user still has exactly one Phoneset window. The display has
// no window manager, so "forward" is what X itself keeps: the input focus
// and the stacking order.
func TestSecondStartRaisesTheFirst(t *testing.T) {
	h := newHarness(t)
	h.startApp()
	h.window("Phoneset — Sign in")
	app := h.win

	// Another client's window on top, with the focus.
	cover := exec.Command("xmessage", "-geometry", "1280x800+0+0", "another program")
	cover.Env = append(os.Environ(), "DISPLAY="+h.display)
	if err := cover.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cover.Process.Kill(); cover.Wait() })
	var coverWin string
	h.eventually("the covering window", 10*time.Second, func() bool {
		coverWin = h.topWindow()
		return coverWin != "" && coverWin != app
	})
	h.x("xdotool", "windowfocus", "--sync", coverWin)
	if h.focused() == app {
		t.Fatal("the app still has the focus; the test would prove nothing")
	}

	h.startAgain()
	h.eventually("the first window focused and on top", 10*time.Second, func() bool {
		return h.focused() == app && h.topWindow() == app
	})
	h.onlyOneWindow()

	// Unmapped, as a minimised or hidden window is: the next start maps it.
	h.x("xdotool", "windowunmap", "--sync", app)
	h.x("xdotool", "windowfocus", "--sync", coverWin)
	h.startAgain()
	h.eventually("the first window shown again and focused", 10*time.Second, func() bool {
		return h.viewable(app) && h.focused() == app && h.topWindow() == app
	})
	h.onlyOneWindow()
	select {
	case <-h.app:
		t.Fatal("the first instance exited")
	default:
	}
}

// The switch on Notifications → This computer writes and removes the XDG
// autostart entry that starts this very binary.
func TestStartAtSignInSwitch(t *testing.T) {
	h := newHarness(t)
	h.startApp()
	h.window("Phoneset — Sign in")
	h.signIn(demoLogin)
	h.window("Phoneset — Bo Agent")
	h.key("ctrl+6") // Notifications; the first email choice has the focus
	time.Sleep(time.Second)
	h.key("Tab", "Tab", "space")

	entry := filepath.Join(h.home, "config", "autostart", "io.phoneset.app.desktop")
	var b []byte
	h.eventually("the autostart entry", 10*time.Second, func() bool {
		var err error
		b, err = os.ReadFile(entry)
		return err == nil
	})
	if want := "\nExec=" + filepath.Join(h.bin, "phoneset") + "\n"; !strings.Contains(string(b), want) {
		t.Fatalf("the entry does not start %s:\n%s", filepath.Join(h.bin, "phoneset"), b)
	}
	h.key("space")
	h.eventually("the entry removed", 10*time.Second, func() bool {
		_, err := os.Stat(entry)
		return os.IsNotExist(err)
	})
}

// wineX11 is Wine's X11 driver settings key.
const wineX11 = `HKCU\Software\Wine\X11 Driver`

// The Windows build under Wine: a second start restores the minimised first
// window and brings it to the front, then exits 0. The display has no window
// manager, and Wine leaves stacking and focus of "managed" windows to one;
// unmanaged, Wine does it itself, as Windows does.
func TestSecondStartRestoresTheFirstUnderWine(t *testing.T) {
	h := newWineHarness(t)
	h.x("wine", "reg", "add", wineX11, "/v", "Managed", "/d", "N", "/f")
	t.Cleanup(func() { h.x("wine", "reg", "delete", wineX11, "/v", "Managed", "/f") })
	// winwindow minimises the window and reads its state from another
	// Windows process: X can't tell a minimised Wine window.
	tool := filepath.Join(t.TempDir(), "winwindow.exe")
	build := exec.Command("go", "build", "-o", tool, "./winwindow")
	build.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build winwindow: %v\n%s", err, out)
	}
	h.startApp()
	h.window("Phoneset — Sign in")
	app := h.win
	h.x("wine", tool, "minimize")
	if state := h.x("wine", tool, "state"); !strings.Contains(state, "iconic=true") {
		t.Fatalf("not minimised: %s", state)
	}

	h.startAgain()
	var state string
	h.eventually("the first window restored, in front and focused", 20*time.Second, func() bool {
		state = h.x("wine", tool, "state")
		return strings.Contains(state, "iconic=false foreground=true") && h.focused() == app
	})
	h.onlyOneWindow()
}

// startAgain starts the app as the same user and waits for it to exit,
// which it must do at once, successfully, saying why.
func (h *harness) startAgain() {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // a hang guard, not a target
	defer cancel()
	cmd := exec.CommandContext(ctx, h.command[0], h.command[1:]...)
	cmd.Env = append(os.Environ(), h.appEnv()...)
	began := time.Now()
	out, err := cmd.CombinedOutput()
	h.t.Logf("second start exited after %v", time.Since(began).Round(time.Millisecond))
	if err != nil {
		h.t.Fatalf("second start: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "already running") {
		h.t.Fatalf("second start did not say it found the first:\n%s", out)
	}
}

// topWindow is the id of the topmost viewable top-level window.
func (h *harness) topWindow() string {
	// xwininfo lists the root's children top first.
	for _, line := range strings.Split(h.x("xwininfo", "-root", "-children"), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || !strings.HasPrefix(f[0], "0x") {
			continue
		}
		if h.viewable(f[0]) {
			return f[0]
		}
	}
	return ""
}

// xTry runs an X client on the display and returns its output.
func (h *harness) xTry(args ...string) (string, error) {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), "DISPLAY="+h.display)
	out, err := cmd.Output()
	return string(out), err
}

func (h *harness) viewable(win string) bool {
	out, err := h.xTry("xwininfo", "-id", win)
	return err == nil && strings.Contains(out, "IsViewable")
}

// focused is the id of the window with the input focus, as xwininfo writes
// ids, or "" when the focus is on no window.
func (h *harness) focused() string {
	out, err := h.xTry("xdotool", "getwindowfocus")
	if err != nil {
		return ""
	}
	id, err := strconv.ParseUint(strings.TrimSpace(out), 10, 32)
	if err != nil {
		return ""
	}
	return "0x" + strconv.FormatUint(id, 16)
}

// onlyOneWindow fails unless exactly one Phoneset window exists.
func (h *harness) onlyOneWindow() {
	h.t.Helper()
	out, _ := h.xTry("xdotool", "search", "--name", "^Phoneset") // exits 1 when nothing matches
	if ids := strings.Fields(out); len(ids) != 1 {
		h.t.Fatalf("Phoneset windows: %v, want exactly one", ids)
	}
}
