package single

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// helperVar makes the test binary act as another process: a first
// instance that can be killed, or another user's attempts.
const helperVar = "SINGLE_TEST_HELPER"

// helpers are those other processes, by the value of helperVar.
var helpers = map[string]func() int{
	// A first instance that says when it holds the lock and then waits to
	// be killed.
	"claim": func() int {
		if _, err := Claim(os.Getenv("SINGLE_TEST_DIR"), time.Second); err != nil {
			fmt.Println("error:", err)
			return 1
		}
		fmt.Println("ready")
		time.Sleep(time.Minute)
		return 0
	},
}

func TestMain(m *testing.M) {
	if h := os.Getenv(helperVar); h != "" {
		os.Exit(helpers[h]())
	}
	os.Exit(m.Run())
}

// tempDir is t.TempDir without os.RemoveAll, which fails under Wine 8 since
// Go 1.25 ("unlinkat: Invalid function"): the files go one by one.
func tempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "single-test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		var paths []string
		filepath.WalkDir(dir, func(path string, _ fs.DirEntry, _ error) error {
			paths = append(paths, path)
			return nil
		})
		for i := len(paths) - 1; i >= 0; i-- { // children before their directory
			if err := os.Remove(paths[i]); err != nil {
				t.Errorf("cleanup: %v", err)
			}
		}
	})
	return dir
}

func claim(t *testing.T, dir string) *Instance {
	t.Helper()
	in, err := Claim(dir, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	return in
}

// requested reports whether a show request is waiting, waiting a moment
// for one in flight.
func requested(in *Instance, wait time.Duration) bool {
	select {
	case _, ok := <-in.Requests():
		return ok
	case <-time.After(wait):
		return false
	}
}

func readInfo(t *testing.T, dir string) info {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, infoName))
	if err != nil {
		t.Fatal(err)
	}
	var inf info
	if err := json.Unmarshal(b, &inf); err != nil {
		t.Fatal(err)
	}
	return inf
}

func TestSecondStartAsksTheFirst(t *testing.T) {
	dir := filepath.Join(tempDir(t), "phoneset")
	first := claim(t, dir)
	for i := range 3 {
		second, err := Claim(dir, time.Second)
		if !errors.Is(err, ErrOtherInstance) {
			t.Fatalf("start %d: Claim = %v, %v; want ErrOtherInstance", i+2, second, err)
		}
		if !requested(first, 5*time.Second) {
			t.Fatalf("start %d: the first instance got no request to show", i+2)
		}
	}
	if requested(first, 100*time.Millisecond) {
		t.Fatal("a request nobody made")
	}
	if runtime.GOOS != "windows" {
		for _, name := range []string{"", infoName, lockName} {
			fi, err := os.Stat(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if perm := fi.Mode().Perm(); perm&0o077 != 0 {
				t.Errorf("%s is %v, want owner-only", filepath.Join(dir, name), perm)
			}
		}
	}
}

// When the check can't be made at all, Claim says so with neither
// ErrOtherInstance nor ErrNoAnswer, and the app runs without it: a nil
// *Instance is safe to use.
func TestClaimThatCannotCheck(t *testing.T) {
	notADir := filepath.Join(tempDir(t), "file")
	os.WriteFile(notADir, nil, 0o600)
	in, err := Claim(notADir, time.Second)
	if err == nil || errors.Is(err, ErrOtherInstance) || errors.Is(err, ErrNoAnswer) {
		t.Fatalf("Claim in a file = %v", err)
	}
	if in.Requests() != nil || in.Close() != nil {
		t.Fatal("a nil *Instance is not inert")
	}
}

func TestSeparateDirsAreSeparateInstances(t *testing.T) {
	a, b := claim(t, tempDir(t)), claim(t, tempDir(t))
	if readInfo(t, filepath.Dir(a.infoPath)).Addr == readInfo(t, filepath.Dir(b.infoPath)).Addr {
		t.Fatal("two instances share an address")
	}
}

func TestCloseHandsOver(t *testing.T) {
	dir := tempDir(t)
	first := claim(t, dir)
	first.Close()
	if _, err := os.Stat(filepath.Join(dir, infoName)); !os.IsNotExist(err) {
		t.Fatalf("address file left after Close: %v", err)
	}
	if _, ok := <-first.Requests(); ok {
		t.Fatal("Requests not closed")
	}
	claim(t, dir) // the next start is the instance
}

// A first instance that died (killed, crashed) leaves its lock file and
// address behind; the next start takes over.
func TestDeadInstanceTakenOver(t *testing.T) {
	dir := tempDir(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperVar+"=claim", "SINGLE_TEST_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	if line != "ready\n" {
		cmd.Process.Kill()
		t.Fatalf("helper: %q", line)
	}
	dead := readInfo(t, dir)
	// While it lives, it is the instance.
	if _, err := Claim(dir, time.Second); !errors.Is(err, ErrOtherInstance) {
		t.Fatalf("Claim beside a live instance = %v", err)
	}
	cmd.Process.Kill()
	cmd.Wait()

	in := claim(t, dir)
	if now := readInfo(t, dir); now.Addr == dead.Addr || now.Secret == dead.Secret || now.PID != os.Getpid() {
		t.Fatalf("address file not replaced: %+v", now)
	}
	if _, err := Claim(dir, time.Second); !errors.Is(err, ErrOtherInstance) || !requested(in, 5*time.Second) {
		t.Fatalf("the new instance does not answer: %v", err)
	}
}

// An address file whose writer is gone, pointing at a port nobody (or
// somebody else) listens on, does not stop a start.
func TestStaleAddressFileIgnored(t *testing.T) {
	dir := tempDir(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	b, _ := json.Marshal(info{Addr: ln.Addr().String(), Secret: strings.Repeat("ab", 32), PID: 1})
	os.WriteFile(filepath.Join(dir, infoName), b, 0o600)
	os.WriteFile(filepath.Join(dir, lockName), nil, 0o600)
	claim(t, dir)
}

// Ten starts at once: exactly one becomes the instance, the other nine
// reach it.
func TestConcurrentStarts(t *testing.T) {
	dir := tempDir(t)
	const n = 10
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		winners []*Instance
		asked   int
		other   []error
	)
	start := make(chan struct{})
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			in, err := Claim(dir, 10*time.Second)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				winners = append(winners, in)
			case errors.Is(err, ErrOtherInstance):
				asked++
			default:
				other = append(other, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	for _, in := range winners {
		t.Cleanup(func() { in.Close() })
	}
	if len(winners) != 1 || asked != n-1 || len(other) != 0 {
		t.Fatalf("%d instances, %d asked, errors %v; want 1, %d, none", len(winners), asked, other, n-1)
	}
	if !requested(winners[0], 5*time.Second) {
		t.Fatal("the instance got no request")
	}
}

// converse speaks to an instance as a client would: request makes the
// line to send from the instance's nonce. It returns the answer.
func converse(t *testing.T, addr string, request func(n1 string) string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReader(c)
	hello, err := r.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c, request(strings.TrimSpace(strings.TrimPrefix(hello, greeting))))
	answer, _ := io.ReadAll(r)
	return string(answer)
}

func TestBadRequestsRefused(t *testing.T) {
	dir := tempDir(t)
	in := claim(t, dir)
	inf := readInfo(t, dir)
	secret, _ := hex.DecodeString(inf.Secret)
	n2 := nonce()
	show := func(key []byte) func(string) string {
		return func(n1 string) string { return "show " + n2 + " " + mac(key, "show", n1, n2) + "\n" }
	}
	fixed := func(line string) func(string) string { return func(string) string { return line } }
	cases := []struct {
		name    string
		request func(n1 string) string
	}{
		{"wrong secret", show([]byte(strings.Repeat("x", 32)))},
		{"the secret itself", fixed("show " + n2 + " " + inf.Secret + "\n")},
		{"another conversation's proof", fixed("show " + n2 + " " + mac(secret, "show", nonce(), n2) + "\n")},
		{"no proof", fixed("show\n")},
		{"other verb", func(n1 string) string { return "quit " + n2 + " " + mac(secret, "quit", n1, n2) + "\n" }},
		{"garbage", fixed("GET / HTTP/1.1\r\n\r\n")},
		{"endless line", fixed(strings.Repeat("a", 4096) + "\n")},
		{"silence", fixed("")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if answer := converse(t, inf.Addr, tc.request); answer != "" {
				t.Fatalf("answered %q", answer)
			}
			if requested(in, 50*time.Millisecond) {
				t.Fatal("the window was asked to show")
			}
		})
	}
	// The same conversation with the right secret works.
	if answer := converse(t, inf.Addr, show(secret)); !strings.HasPrefix(answer, "ok ") || !requested(in, 5*time.Second) {
		t.Fatalf("right secret: answer %q", answer)
	}
}

// A start must not believe a listener that can't prove it knows the secret:
// such as another user's program on a dead instance's port, while the real
// instance has the lock but has not written its address yet.
func TestImpostorNotBelieved(t *testing.T) {
	dir := tempDir(t)
	lock, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := lockFile(lock); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			fmt.Fprintf(c, "%s %s\n", greeting, nonce())
			bufio.NewReader(c).ReadString('\n')
			fmt.Fprintf(c, "ok %s\n", strings.Repeat("0", 64))
			c.Close()
		}
	}()
	b, _ := json.Marshal(info{Addr: ln.Addr().String(), Secret: hex.EncodeToString([]byte(strings.Repeat("s", 32)))})
	os.WriteFile(filepath.Join(dir, infoName), b, 0o600)
	if _, err := Claim(dir, 300*time.Millisecond); !errors.Is(err, ErrNoAnswer) {
		t.Fatalf("Claim = %v, want ErrNoAnswer: the answer was not authentic", err)
	}
}
