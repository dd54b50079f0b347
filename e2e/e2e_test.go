// Package e2e drives the built app in a real X window (Xvfb) against a real
// phoneset-server, with xdotool, the way a user would.
package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/api/client"
	"github.com/phoneset/phoneset/internal/testenv"
)

const (
	demoLogin    = "agent1"
	demoPassword = "Phoneset-demo-1"
)

// harness holds what one end-to-end run shares: binaries, display, dirs.
type harness struct {
	t       *testing.T
	bin     string
	display string
	win     string        // id of the window last waited for
	app     chan struct{} // closed when the running app exits
	home    string        // XDG dirs of the app's user, kept across restarts
	data    string        // server data dir, kept across restarts
	shots   string
}

func newHarness(t *testing.T) *harness {
	display := testenv.Require(t, "PHONESET_TEST_DISPLAY", "an Xvfb display")
	h := &harness{t: t, display: display, home: t.TempDir(), data: t.TempDir()}
	h.bin = os.Getenv("PHONESET_BIN_DIR")
	if h.bin == "" {
		h.bin = t.TempDir()
		for _, cmd := range []string{"phoneset", "phoneset-server"} {
			build := exec.Command("go", "build", "-tags", testenv.BuildTags(), "-o", filepath.Join(h.bin, cmd), "../cmd/"+cmd)
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("build %s: %v\n%s", cmd, err, out)
			}
		}
	}
	h.shots = os.Getenv("PHONESET_SCREENSHOT_DIR")
	if h.shots == "" {
		h.shots = t.TempDir()
	}
	for _, d := range []string{filepath.Join(h.home, "config"), filepath.Join(h.home, "cache"), filepath.Join(h.home, "data"), h.shots} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

// start runs a binary and stops it (SIGTERM, then SIGKILL) at cleanup or stop.
func (h *harness) start(name string, env []string, args ...string) (stop func()) {
	stop, _ = h.startWatched(name, env, args...)
	return stop
}

// startWatched is start that also returns a channel closed when the process
// exits, whoever ended it.
func (h *harness) startWatched(name string, env []string, args ...string) (stop func(), exited chan struct{}) {
	h.t.Helper()
	cmd := exec.Command(filepath.Join(h.bin, name), args...)
	cmd.Env = append(os.Environ(), env...)
	log, err := os.Create(filepath.Join(h.t.TempDir(), name+".log"))
	if err != nil {
		h.t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		h.t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		if h.t.Failed() {
			out, _ := os.ReadFile(log.Name())
			h.t.Logf("%s log:\n%s", name, out)
		}
	}
	h.t.Cleanup(stop)
	return stop, done
}

func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServer runs phoneset-server on the kept data dir and waits until it
// answers.
func (h *harness) startServer(addr string) (stop func()) {
	stop = h.start("phoneset-server", nil, "--addr", addr, "--db", filepath.Join(h.data, "phoneset.db"), "--data", h.data, "--seed-demo")
	h.eventually("server answers", 30*time.Second, func() bool {
		resp, err := http.Get("http://" + addr + "/v1/me")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusUnauthorized
	})
	return stop
}

func (h *harness) startApp(args ...string) (stop func()) {
	stop, exited := h.startWatched("phoneset", h.appEnv(), args...)
	h.app = exited
	return stop
}

// appEnv is the app's environment: the display and the kept user dirs.
func (h *harness) appEnv() []string {
	return []string{
		"DISPLAY=" + h.display,
		"LANG=en_US.UTF-8",
		"HOME=" + h.home,
		"XDG_CONFIG_HOME=" + filepath.Join(h.home, "config"),
		"XDG_CACHE_HOME=" + filepath.Join(h.home, "cache"),
		"XDG_DATA_HOME=" + filepath.Join(h.home, "data"),
	}
}

func (h *harness) x(args ...string) string {
	h.t.Helper()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), "DISPLAY="+h.display)
	out, err := cmd.CombinedOutput()
	if err != nil {
		h.t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// window waits for a viewable window with exactly this title and focuses it.
func (h *harness) window(title string) {
	h.t.Helper()
	var info string
	h.eventually("window "+title, 60*time.Second, func() bool {
		select {
		case <-h.app:
			h.t.Fatalf("the app exited while waiting for window %q", title)
		default:
		}
		cmd := exec.Command("xwininfo", "-name", title)
		cmd.Env = append(os.Environ(), "DISPLAY="+h.display)
		out, err := cmd.Output()
		info = string(out)
		return err == nil && strings.Contains(info, "IsViewable")
	})
	// "xwininfo: Window id: 0x400007 "title"": xdotool's own name search
	// does not match titles with non-ASCII characters reliably.
	_, after, _ := strings.Cut(info, "Window id: ")
	h.win = strings.Fields(after)[0]
	h.x("xdotool", "windowfocus", "--sync", h.win)
	time.Sleep(300 * time.Millisecond) // let the first frame paint before typing
}

func (h *harness) typeText(s string) { h.x("xdotool", "type", "--delay", "30", s) }
func (h *harness) key(k ...string)   { h.x(append([]string{"xdotool", "key", "--delay", "60"}, k...)...) }

func (h *harness) screenshot(name string) {
	h.t.Helper()
	h.x("import", "-window", h.win, filepath.Join(h.shots, name))
}

func (h *harness) eventually(what string, limit time.Duration, ok func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// storedDisplayName asks the server, as the user, for the stored value.
func storedDisplayName(t *testing.T, url string) string {
	t.Helper()
	c, err := client.New(url)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.SignIn(ctx, api.SignInRequest{Login: demoLogin, Password: demoPassword, Device: "e2e check"}); err != nil {
		t.Fatalf("sign in to check: %v", err)
	}
	p, err := c.Profile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return p.DisplayName
}

func TestSignInChangeDisplayNameSurvivesRestart(t *testing.T) {
	h := newHarness(t)
	addr := freePort(t)
	url := "http://" + addr
	stopServer := h.startServer(addr)
	stopApp := h.startApp("--server", url)

	h.window("Phoneset — Sign in")
	h.typeText(demoLogin)
	h.key("Return")
	h.typeText(demoPassword)
	h.key("Return")
	h.window("Phoneset — Bo Agent")

	newName := fmt.Sprintf("Bo Renamed %d", time.Now().Unix()%1000)
	h.key("ctrl+a")
	h.typeText(newName)
	h.key("Return")
	h.window("Phoneset — " + newName)
	h.eventually("server stores the new display name", 30*time.Second, func() bool {
		return storedDisplayName(t, url) == newName
	})
	h.screenshot("profile.png")

	// Restart both: the server keeps the value, the app resumes the session
	// (from the keyring when there is one) and shows it.
	stopApp()
	stopServer()
	h.startServer(addr)
	if got := storedDisplayName(t, url); got != newName {
		t.Fatalf("after server restart display name = %q, want %q", got, newName)
	}
	h.startApp("--server", url)
	if os.Getenv("PHONESET_TEST_KEYRING") == "" {
		// Without a keyring the session is not kept: sign in again.
		h.window("Phoneset — Sign in")
		h.typeText(demoLogin)
		h.key("Return")
		h.typeText(demoPassword)
		h.key("Return")
	}
	h.window("Phoneset — " + newName)
}

// With no --server the app runs the backend itself, seeded with the demo
// organisation, and keeps it in the user's data directory.
func TestEmbeddedDemo(t *testing.T) {
	h := newHarness(t)
	h.startApp()
	h.window("Phoneset — Sign in")
	h.screenshot("signin.png")
	h.typeText("admin")
	h.key("Return")
	h.typeText(demoPassword)
	h.key("Return")
	h.window("Phoneset — Ada Admin")

	// Every page is a keystroke away (Ctrl+1…); each gets a screenshot for
	// the README. Pages load from the server, so give each a moment.
	// The admin sees Organisation; the embedded demo adds its inbox.
	for i, page := range []string{"profile", "photo", "status", "security", "devices", "notifications", "plan", "apikey", "org", "inbox"} {
		h.key(fmt.Sprintf("ctrl+%d", (i+1)%10))
		time.Sleep(time.Second)
		h.screenshot(page + ".png")
	}
	db := filepath.Join(h.home, "data", "phoneset", "server", "phoneset.db")
	if fi, err := os.Stat(db); err != nil || fi.Size() == 0 {
		t.Fatalf("embedded database not in the data directory: %v", err)
	}
}
