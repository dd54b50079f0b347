// Package packaging tests the installers `make package` builds, with the
// real tools: the .deb installed with dpkg on this machine, the MSI installed
// with msiexec under Wine, each then started against a real phoneset-server.
// The packages are built by the same scripts the Makefile runs, from the
// binaries in $PHONESET_BIN_DIR (built here when it is unset).
package packaging

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/api/client"
	"github.com/phoneset/phoneset/internal/testenv"
)

const (
	agentLogin    = "agent1"
	agentPassword = "Phoneset-demo-1"
)

// binary returns the path of a built command: from $PHONESET_BIN_DIR, or
// built into a temp dir (goos "windows" cross-builds with MinGW, as
// `make build-windows` does).
func binary(t *testing.T, name, goos string) string {
	t.Helper()
	file := name
	if goos == "windows" {
		file += ".exe"
	}
	if dir := os.Getenv("PHONESET_BIN_DIR"); dir != "" {
		path := filepath.Join(dir, file)
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("PHONESET_BIN_DIR has no %s: %v", file, err)
		}
		return path
	}
	path := filepath.Join(t.TempDir(), file)
	build := exec.Command("go", "build", "-tags", testenv.BuildTags(), "-o", path, "../cmd/"+name)
	if goos == "windows" {
		build.Env = append(os.Environ(), "CGO_ENABLED=1", "GOOS=windows", "GOARCH=amd64", "CC=x86_64-w64-mingw32-gcc")
	}
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", file, err, out)
	}
	return path
}

// appVersion is FyneApp.toml's Version, which `make package` stamps on every
// package.
func appVersion(t *testing.T) string {
	t.Helper()
	toml, err := os.ReadFile("../FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^Version\s*=\s*"([^"]+)"`).FindSubmatch(toml)
	if m == nil {
		t.Fatal(`FyneApp.toml has no Version = "…"`)
	}
	return string(m[1])
}

// run runs a command and returns its combined output, failing the test when
// it does not succeed.
func run(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	out, err := tryRun(env, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

func tryRun(env []string, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// server is a real phoneset-server with the demo organisation, on a
// loopback port, stopped at cleanup.
func startServer(t *testing.T) (url string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	data := t.TempDir()
	p := start(t, "phoneset-server", nil, binary(t, "phoneset-server", ""),
		"--addr", addr, "--db", filepath.Join(data, "phoneset.db"), "--data", data, "--seed-demo")
	url = "http://" + addr
	eventually(t, "the server answers", 30*time.Second, p, func() bool {
		resp, err := http.Get(url + "/v1/me")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusUnauthorized
	})
	return url
}

// renameAgent gives the demo agent a display name only this server knows:
// the app showing it after sign-in proves which server the app talks to (the
// built-in demo backend has the same accounts).
func renameAgent(t *testing.T, url, name string) {
	t.Helper()
	c, err := client.New(url)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := c.SignIn(ctx, api.SignInRequest{Login: agentLogin, Password: agentPassword, Device: "packaging test"}); err != nil {
		t.Fatalf("sign in: %v", err)
	}
	p, err := c.Profile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateProfile(ctx, p.Version, api.ProfilePatch{DisplayName: &name}); err != nil {
		t.Fatalf("rename: %v", err)
	}
}

// proc is a started program whose output is kept in a log file.
type proc struct {
	name   string
	log    string
	exited chan struct{}
	stop   func()
}

// start runs a program until stop or cleanup (SIGTERM, then SIGKILL); on
// failure its output goes to the test log.
func start(t *testing.T, name string, env []string, path string, args ...string) *proc {
	t.Helper()
	p := &proc{name: name, log: filepath.Join(t.TempDir(), name+".log"), exited: make(chan struct{})}
	logf, err := os.Create(p.log)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(path, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { cmd.Wait(); logf.Close(); close(p.exited) }()
	stopped := false
	p.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-p.exited
		}
		if t.Failed() {
			out, _ := os.ReadFile(p.log)
			t.Logf("%s log:\n%s", name, out)
		}
	}
	t.Cleanup(p.stop)
	return p
}

// output is what the program has written so far.
func (p *proc) output() string {
	out, _ := os.ReadFile(p.log)
	return string(out)
}

// eventually polls ok until it holds, failing after limit or when p exits.
func eventually(t *testing.T, what string, limit time.Duration, p *proc, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		select {
		case <-p.exited:
			t.Fatalf("%s exited while waiting for %s:\n%s", p.name, what, p.output())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", limit, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// signIn waits for the app's sign-in window on display, signs in as the demo
// agent by typing, and waits for the window titled with the agent's name.
func signIn(t *testing.T, display string, app *proc, name string) {
	t.Helper()
	xenv := []string{"DISPLAY=" + display}
	window := func(title string) string {
		var info string
		eventually(t, "window "+title, 90*time.Second, app, func() bool {
			out, err := tryRun(xenv, "xwininfo", "-name", title)
			info = out
			return err == nil && strings.Contains(out, "IsViewable")
		})
		_, after, _ := strings.Cut(info, "Window id: ")
		return strings.Fields(after)[0]
	}
	win := window("Phoneset — Sign in")
	run(t, xenv, "xdotool", "windowfocus", "--sync", win)
	time.Sleep(500 * time.Millisecond) // the first frame paints before typing
	run(t, xenv, "xdotool", "type", "--delay", "30", agentLogin)
	run(t, xenv, "xdotool", "key", "Return")
	run(t, xenv, "xdotool", "type", "--delay", "30", agentPassword)
	run(t, xenv, "xdotool", "key", "Return")
	window("Phoneset — " + name)
}

// userEnv points a Linux app at fresh per-test user directories.
func userEnv(t *testing.T, display string) []string {
	home := t.TempDir()
	env := []string{"DISPLAY=" + display, "LANG=en_US.UTF-8", "HOME=" + home}
	for _, d := range []string{"CONFIG", "CACHE", "DATA"} {
		dir := filepath.Join(home, strings.ToLower(d))
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		env = append(env, "XDG_"+d+"_HOME="+dir)
	}
	return env
}

// containsLine reports whether out has a line matching the pattern.
func containsLine(out, pattern string) bool {
	return regexp.MustCompile(`(?m)` + pattern).MatchString(out)
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// sameFiles reports the first difference between two snapshots.
func sameFiles(before, after map[string][]byte) error {
	for path, data := range before {
		got, ok := after[path]
		if !ok {
			return fmt.Errorf("%s is gone", path)
		}
		if !bytes.Equal(got, data) {
			return fmt.Errorf("%s changed", path)
		}
	}
	return nil
}
