// Package e2e drives the built app in a real X window (Xvfb) against a real
// phoneset-server, with xdotool, the way a user would.
package e2e

import (
	"bytes"
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
	command []string      // starts the app: its binary, or wine and the .exe
	prefix  string        // of screenshot names: "" for Linux, "windows-" for Wine
	win     string        // id of the window last waited for
	app     chan struct{} // closed when the running app exits
	stopApp func()        // stops the running app
	appLog  string        // the running app's log file
	home    string        // XDG dirs of the app's user, kept across restarts
	data    string        // server data dir, kept across restarts
	shots   string
	pulse   string   // PULSE_SERVER of the app's own sound server, if any
	env     []string // more of the app's environment, e.g. its own D-Bus
}

func newHarness(t *testing.T) *harness {
	display := testenv.Require(t, "PHONESET_TEST_DISPLAY", "an Xvfb display")
	h := &harness{t: t, display: display, home: t.TempDir(), data: t.TempDir()}
	h.bin = os.Getenv("PHONESET_BIN_DIR")
	if h.bin == "" {
		h.bin = t.TempDir()
		for _, cmd := range []string{"phoneset", "phoneset-server"} {
			goBuild(t, filepath.Join(h.bin, cmd), cmd)
		}
	}
	h.command = []string{filepath.Join(h.bin, "phoneset")}
	if os.Getenv("PHONESET_TEST_PULSE") != "" {
		h.pulse = h.ownPulse()
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

// goBuild builds cmd/<cmd> into out with extra environment (a cross build).
func goBuild(t *testing.T, out, cmd string, env ...string) {
	build := exec.Command("go", "build", "-tags", testenv.BuildTags(), "-o", out, "../cmd/"+cmd)
	build.Env = append(os.Environ(), env...)
	if msg, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", out, err, msg)
	}
}

// newWineHarness is newHarness for the Windows build, run under Wine
// (scripts/services.sh svc_start_wine) on the same display and services.
func newWineHarness(t *testing.T) *harness {
	testenv.Require(t, "PHONESET_TEST_WINE", "Wine")
	h := newHarness(t)
	exe := filepath.Join(h.bin, "phoneset.exe")
	if _, err := os.Stat(exe); err != nil {
		// make test builds it before go test (make build-windows); a plain
		// go test builds it here.
		testenv.RequireCommand(t, "x86_64-w64-mingw32-gcc", "the MinGW C compiler")
		exe = filepath.Join(t.TempDir(), "phoneset.exe")
		goBuild(t, exe, "phoneset", "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=1", "CC=x86_64-w64-mingw32-gcc")
	}
	// Wine's WASAPI plays through PulseAudio: PULSE_SERVER, from appEnv,
	// points it at the test's own server.
	h.command = []string{"wine", exe}
	h.prefix = "windows-"
	return h
}

// start runs a binary from the bin dir and stops it (SIGTERM, then SIGKILL)
// at cleanup or stop.
func (h *harness) start(name string, env []string, args ...string) (stop func()) {
	stop, _, _ = h.startWatched(name, append([]string{filepath.Join(h.bin, name)}, args...), env)
	return stop
}

// startWatched runs the command line argv as start does and also returns
// its log file and a channel closed when the process exits, whoever ended
// it. Stopping it fails the test if the log holds a translation failure.
func (h *harness) startWatched(name string, argv, env []string) (stop func(), log string, exited chan struct{}) {
	h.t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	logf, err := os.Create(filepath.Join(h.t.TempDir(), name+".log"))
	if err != nil {
		h.t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
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
		out, _ := os.ReadFile(logf.Name())
		// Fyne logs a string missing from a translation and shows its key.
		if bytes.Contains(out, []byte("Translation failure")) {
			h.t.Errorf("%s logged a translation failure", name)
		}
		if h.t.Failed() {
			h.t.Logf("%s log:\n%s", name, out)
		}
	}
	h.t.Cleanup(stop)
	return stop, logf.Name(), done
}

func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServer runs phoneset-server on the kept data dir, with more flags
// if given, and waits until it answers.
func (h *harness) startServer(addr string, flags ...string) (stop func()) {
	stop = h.start("phoneset-server", nil, append([]string{"--addr", addr, "--db", filepath.Join(h.data, "phoneset.db"), "--data", h.data, "--seed-demo"}, flags...)...)
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
	stop, log, exited := h.startWatched("phoneset", append(h.command[:len(h.command):len(h.command)], args...), h.appEnv())
	h.app, h.appLog, h.stopApp = exited, log, stop
	// Runs before stop (cleanups run last first): what the window showed,
	// kept outside the test's temp dirs.
	h.t.Cleanup(func() {
		select {
		case <-exited:
		default:
			if h.t.Failed() && h.win != "" {
				shot := filepath.Join(os.TempDir(), fmt.Sprintf("phoneset-%s-%d.png", h.t.Name(), time.Now().Unix()))
				h.grab(shot)
				h.t.Logf("the window when the test failed: %s", shot)
			}
		}
	})
	return stop
}

// appEnv is the app's environment: the display and the kept user dirs.
func (h *harness) appEnv() []string {
	env := []string{
		"DISPLAY=" + h.display,
		"LANG=en_US.UTF-8",
		"HOME=" + h.home,
		"XDG_CONFIG_HOME=" + filepath.Join(h.home, "config"),
		"XDG_CACHE_HOME=" + filepath.Join(h.home, "cache"),
		"XDG_DATA_HOME=" + filepath.Join(h.home, "data"),
	}
	if h.pulse != "" {
		env = append(env, "PULSE_SERVER="+h.pulse)
	}
	return append(env, h.env...)
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
	h.win = windowID(info)
	if h.command[0] == "wine" {
		h.moveWineTray()
	}
	h.x("xdotool", "windowfocus", "--sync", h.win)
	time.Sleep(300 * time.Millisecond) // let the first frame paint before typing
}

// windowID reads the id from xwininfo's "xwininfo: Window id: 0x400007
// "title"": xdotool's own name search does not match titles with non-ASCII
// characters reliably.
func windowID(xwininfo string) string {
	_, after, _ := strings.Cut(xwininfo, "Window id: ")
	return strings.Fields(after)[0]
}

func (h *harness) typeText(s string) { h.x("xdotool", "type", "--delay", "30", s) }
func (h *harness) key(k ...string)   { h.x(append([]string{"xdotool", "key", "--delay", "60"}, k...)...) }

func (h *harness) screenshot(name string) {
	h.t.Helper()
	h.grab(filepath.Join(h.shots, name))
}

// grab saves the window last waited for as a PNG. It cuts the window out of
// the screen rather than reading the window itself: under Wine the window's
// own contents miss the part the app draws first (its menu bar, black).
func (h *harness) grab(path string) {
	h.t.Helper()
	info := h.x("xwininfo", "-id", h.win)
	geo := map[string]string{}
	for _, line := range strings.Split(info, "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), ":"); ok {
			geo[k] = strings.TrimSpace(v)
		}
	}
	crop := fmt.Sprintf("%sx%s+%s+%s", geo["Width"], geo["Height"], geo["Absolute upper-left X"], geo["Absolute upper-left Y"])
	h.x("import", "-window", "root", "-crop", crop, "+repage", path)
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

// agentClient is a client signed in to the server as the demo agent.
func agentClient(t *testing.T, url string) *client.Client { return clientAs(t, url, demoLogin) }

// clientAs is a client signed in to the server as a demo account.
func clientAs(t *testing.T, url, login string) *client.Client {
	t.Helper()
	c, err := client.New(url)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.SignIn(ctx, api.SignInRequest{Login: login, Password: demoPassword, Device: "e2e check"}); err != nil {
		t.Fatalf("sign in to check: %v", err)
	}
	return c
}

// storedDisplayName asks the server, as the user, for the stored value.
func storedDisplayName(t *testing.T, url string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p, err := agentClient(t, url).Profile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return p.DisplayName
}

func TestSignInChangeDisplayNameSurvivesRestart(t *testing.T) {
	h := newHarness(t)
	accountPath(h, os.Getenv("PHONESET_TEST_KEYRING") != "")
	if os.Getenv("PHONESET_TEST_PULSE") != "" {
		devicesPath(h, "pulseaudio")
	}
}

// accountPath signs in, changes the display name, checks the server has it,
// then restarts server and app: the app shows the name again, resuming the
// session from the keyring when restored says there is one. It returns the
// server's URL and the new name; the app is left running.
func accountPath(h *harness, restored bool) (url, name string) {
	t := h.t
	addr := freePort(t)
	url = "http://" + addr
	stopServer := h.startServer(addr)
	stopApp := h.startApp("--server", url)

	h.window("Phoneset — Sign in")
	h.signIn(demoLogin)
	h.window("Phoneset — Bo Agent")

	name = fmt.Sprintf("Bo Renamed %d", time.Now().Unix()%1000)
	h.key("ctrl+a")
	h.typeText(name)
	h.key("Return")
	h.window("Phoneset — " + name)
	h.eventually("server stores the new display name", 30*time.Second, func() bool {
		return storedDisplayName(t, url) == name
	})
	h.screenshot(h.prefix + "profile.png")

	// Restart both: the server keeps the value, the app resumes the session
	// (from the keyring when there is one) and shows it.
	stopApp()
	stopServer()
	h.startServer(addr)
	if got := storedDisplayName(t, url); got != name {
		t.Fatalf("after server restart display name = %q, want %q", got, name)
	}
	h.startApp("--server", url)
	if !restored {
		// Without a keyring the session is not kept: sign in again.
		h.window("Phoneset — Sign in")
		h.signIn(demoLogin)
	}
	h.window("Phoneset — " + name)
	return url, name
}

func (h *harness) signIn(login string) {
	h.typeText(login)
	h.key("Return")
	h.typeText(demoPassword)
	h.key("Return")
}

// With no --server the app runs the backend itself, seeded with the demo
// organisation, and keeps it in the user's data directory.
func TestEmbeddedDemo(t *testing.T) {
	h := newHarness(t)
	h.startApp()
	h.window("Phoneset — Sign in")
	h.screenshot("signin.png")
	h.signIn("admin")
	h.window("Phoneset — Ada Admin")

	// Every page is a keystroke away (Ctrl+1…0, then Ctrl+Page Down); each
	// gets a screenshot for the README. Pages load from the server, so give
	// each a moment. The demo admin sees Organisation and, as a supervisor
	// of both offices, Supervisor; the embedded demo adds its inbox.
	for i, page := range []string{"profile", "photo", "status", "security", "devices", "notifications", "plan", "apikey", "org", "supervisor", "inbox"} {
		if i < 10 {
			h.key(fmt.Sprintf("ctrl+%d", (i+1)%10))
		} else {
			h.key("ctrl+Next")
		}
		time.Sleep(time.Second)
		h.screenshot(page + ".png")
	}
	db := filepath.Join(h.home, "data", "phoneset", "server", "phoneset.db")
	if fi, err := os.Stat(db); err != nil || fi.Size() == 0 {
		t.Fatalf("embedded database not in the data directory: %v", err)
	}
}
