package account

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/api/client"
	"github.com/zalando/go-keyring"
)

// The fault test re-executes the test binary as the "app": TestMain runs
// faultChild instead of the tests when faultEnv is set.
const faultEnv = "PHONESET_FAULT_CHILD"

func TestMain(m *testing.M) {
	if spec := os.Getenv(faultEnv); spec != "" {
		os.Exit(faultChild(spec))
	}
	os.Exit(m.Run())
}

// faultSpec tells a child process what to do.
type faultSpec struct {
	Server   string `json:"server"`
	DataDir  string `json:"data_dir"`
	Keyring  string `json:"keyring"` // file standing in for the OS keyring, outside DataDir
	Login    string `json:"login"`
	Password string `json:"password"`
	Edits    []faultEdit
	From     int  `json:"from"`  // first edit to make
	Drain    bool `json:"drain"` // make no edits; exit once synced
}

type faultEdit struct {
	Field string          `json:"field"`
	Value json.RawMessage `json:"value"`
}

// fileKeyring keeps one session in a file, replaced atomically, so it
// survives SIGKILL like the OS keyring does.
type fileKeyring struct{ path string }

func (k fileKeyring) Get(_, _ string) (string, error) {
	b, err := os.ReadFile(k.path)
	if os.IsNotExist(err) {
		return "", keyring.ErrNotFound
	}
	return string(b), err
}

func (k fileKeyring) Set(_, _, s string) error {
	tmp := k.path + ".tmp"
	if err := os.WriteFile(tmp, []byte(s), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, k.path)
}

func (k fileKeyring) Delete(_, _ string) error {
	if err := os.Remove(k.path); os.IsNotExist(err) {
		return keyring.ErrNotFound
	}
	return nil
}

// faultChild is the app: it makes edits, printing "ok N" once edit N is
// durable, until it is killed; or, in drain mode, waits until synced.
func faultChild(specPath string) int {
	b, err := os.ReadFile(specPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	var spec faultSpec
	if err := json.Unmarshal(b, &spec); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	c, err := client.New(spec.Server, client.WithTimeout(time.Second),
		client.WithRetry(client.RetryPolicy{Attempts: 2, Base: time.Millisecond, Cap: 5 * time.Millisecond, MaxRetryAfter: time.Second}))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	m, err := Open(Config{DataDir: spec.DataDir, Client: c, Keyring: fileKeyring{spec.Keyring}, Server: spec.Server,
		RetryMin: time.Millisecond, RetryMax: 20 * time.Millisecond, PollInterval: time.Hour})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer m.Close()
	ctx := context.Background()
	for !m.SignedIn() {
		// No saved session (e.g. killed between a token refresh and saving
		// it), or offline with no outbox yet: sign in, retrying until up.
		if ok, _ := m.Restore(ctx); ok {
			break
		}
		if err := m.SignIn(ctx, spec.Login, spec.Password, "fault test"); err != nil {
			time.Sleep(5 * time.Millisecond)
		}
	}
	out := bufio.NewWriter(os.Stdout)
	if spec.Drain {
		for m.Sync().Kind != Synced {
			if m.Sync().Kind == Conflicted {
				fmt.Fprintf(os.Stderr, "unexpected conflicts %+v\n", m.Conflicts())
				return 1
			}
			m.kick()
			time.Sleep(5 * time.Millisecond)
		}
		fmt.Fprintln(out, "synced")
		_ = out.Flush()
		return 0
	}
	for i := spec.From; i < len(spec.Edits); i++ {
		e := spec.Edits[i]
		var p api.ProfilePatch
		if err := json.Unmarshal([]byte(`{"`+e.Field+`":`+string(e.Value)+`}`), &p); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		if err := m.UpdateProfile(p); err != nil {
			fmt.Fprintln(os.Stderr, "edit", i, err)
			return 1
		}
		if err := m.flush(); err != nil {
			fmt.Fprintln(os.Stderr, "writing edit", i, err)
			return 1
		}
		fmt.Fprintln(out, "ok", i)
		_ = out.Flush()
		time.Sleep(time.Duration(rand.IntN(2000)) * time.Microsecond)
	}
	// All edits made: keep syncing until killed.
	select {}
}

// proxy forwards TCP to a backend and can be stopped and started on the
// same address, as a server going down and coming back.
type proxy struct {
	addr, target string
	mu           sync.Mutex
	ln           net.Listener
	conns        map[net.Conn]bool
}

func newProxy(t *testing.T, target string) *proxy {
	p := &proxy{target: target, conns: map[net.Conn]bool{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.stop)
	return p
}

func (p *proxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.pipe(c)
		}
	}()
}

func (p *proxy) pipe(c net.Conn) {
	b, err := net.Dial("tcp", p.target)
	if err != nil {
		_ = c.Close()
		return
	}
	p.mu.Lock()
	if p.ln == nil {
		p.mu.Unlock()
		_ = c.Close()
		_ = b.Close()
		return
	}
	p.conns[c], p.conns[b] = true, true
	p.mu.Unlock()
	go func() { _, _ = io.Copy(b, c); _ = b.Close() }()
	_, _ = io.Copy(c, b)
	_ = c.Close()
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.conns, b)
	p.mu.Unlock()
}

func (p *proxy) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		_ = p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		_ = c.Close()
	}
}

func (p *proxy) start(t *testing.T) {
	p.mu.Lock()
	up := p.ln != nil
	p.mu.Unlock()
	if up {
		return
	}
	for range 100 {
		ln, err := net.Listen("tcp", p.addr)
		if err == nil {
			p.serve(ln)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("proxy cannot listen on %s again", p.addr)
}

// faultBackend is the server under test: its address, and the profile as
// the server holds it.
type faultBackend struct {
	url      string
	login    string
	password string
	profile  func() api.Profile
	// restart, when set, stops the server process and starts it again on
	// the same address and data.
	restart func()
}

// runFault makes n random profile edits through child app processes that
// are SIGKILLed at random points while the server goes up and down, then
// checks that the server holds exactly the last edit of each field and the
// outbox is empty.
func runFault(t *testing.T, be faultBackend, n int, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 1))
	host := strings.TrimPrefix(be.url, "http://")
	px := newProxy(t, host)
	dir := t.TempDir()
	spec := faultSpec{
		Server: "http://" + px.addr, DataDir: filepath.Join(dir, "data"), Keyring: filepath.Join(dir, "keyring"),
		Login: be.login, Password: be.password, Edits: randomEdits(rng, n),
	}
	last := map[string]json.RawMessage{}
	for _, e := range spec.Edits {
		last[e.Field] = e.Value
	}

	// The server goes away (the proxy stops) and comes back, and restarts,
	// on its own schedule.
	var outages, restarts int
	flapDone := make(chan struct{})
	flapStop := make(chan struct{})
	go func() {
		defer close(flapDone)
		frng := rand.New(rand.NewPCG(seed, 2))
		for {
			select {
			case <-flapStop:
				return
			case <-time.After(time.Duration(5+frng.IntN(80)) * time.Millisecond):
			}
			switch r := frng.IntN(5); {
			case r == 0 && be.restart != nil:
				be.restart()
				restarts++
			case r < 3:
				px.stop()
				outages++
			default:
				px.start(t)
			}
		}
	}()

	runs, kills := 0, 0
	for spec.From < n {
		runs++
		if runs > 50*n {
			t.Fatalf("no progress after %d runs at edit %d", runs, spec.From)
		}
		// Kill at a random point relative to the work, not the clock, so
		// a loaded machine still makes progress: after k durable edits
		// (k = 0: during start-up) plus up to 30 ms.
		lines, err := runChild(t, dir, spec, &kill{afterLines: rng.IntN(12), delay: time.Duration(1+rng.IntN(30)) * time.Millisecond})
		if err == nil {
			kills++
		}
		for _, l := range lines {
			if i, ok := strings.CutPrefix(l, "ok "); ok {
				k, _ := strconv.Atoi(i)
				spec.From = k + 1
			}
		}
	}
	close(flapStop)
	<-flapDone
	px.start(t)

	spec.Drain = true
	lines, err := runChild(t, dir, spec, nil)
	if err != nil || len(lines) == 0 || lines[len(lines)-1] != "synced" {
		t.Fatalf("drain: %v, output %q", err, lines)
	}
	t.Logf("%d edits over %d runs, %d killed mid-way; %d outages, %d server restarts", n, runs, kills, outages, restarts)

	got := fieldsOf(be.profile())
	for f, v := range last {
		if !sameValue(got[f], v) {
			t.Errorf("server %s = %s, want the last edit %s", f, got[f], v)
		}
	}
	files, _ := filepath.Glob(filepath.Join(spec.DataDir, "outbox-*.psob"))
	if len(files) != 1 {
		t.Fatalf("outbox files %v", files)
	}
	b, err := os.ReadFile(files[0])
	must(t, err)
	st, err := decodeState(b)
	must(t, err)
	if len(st.Entries) != 0 || len(st.Conflicts) != 0 {
		t.Errorf("outbox not empty: %d entries, %d conflicts", len(st.Entries), len(st.Conflicts))
	}
}

// kill says when runChild SIGKILLs the app: delay after it has printed
// afterLines lines.
type kill struct {
	afterLines int
	delay      time.Duration
}

// runChild runs one app process. With k set it is SIGKILLed (err nil means
// it was killed); otherwise it must exit by itself.
func runChild(t *testing.T, dir string, spec faultSpec, k *kill) ([]string, error) {
	t.Helper()
	b, err := json.Marshal(spec)
	must(t, err)
	specPath := filepath.Join(dir, "spec.json")
	must(t, os.WriteFile(specPath, b, 0o600))
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), faultEnv+"="+specPath)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	must(t, err)
	must(t, cmd.Start())
	killNow := func() { _ = cmd.Process.Signal(syscall.SIGKILL) }
	// A backstop: an app that prints no more lines (all edits made, or
	// signing in while the server is down) is killed anyway.
	backstop := 3 * time.Second
	if k == nil {
		backstop = 2 * time.Minute
	}
	timer := time.AfterFunc(backstop, killNow)
	defer timer.Stop()
	if k != nil && k.afterLines == 0 {
		timer.Reset(k.delay)
	}
	var lines []string
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if k != nil && len(lines) == k.afterLines {
			timer.Reset(k.delay)
		}
	}
	werr := cmd.Wait()
	if k != nil {
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return lines, nil
		}
		t.Fatalf("app exited by itself: %v\n%s", werr, stderr.String())
	}
	if werr != nil {
		return lines, fmt.Errorf("%v: %s", werr, stderr.String())
	}
	return lines, nil
}

// randomEdits returns valid single-field profile edits with distinct values.
func randomEdits(rng *rand.Rand, n int) []faultEdit {
	zones := []string{"Europe/Stockholm", "Europe/London", "America/New_York", "Asia/Tokyo", "UTC"}
	edits := make([]faultEdit, n)
	for i := range edits {
		var f string
		var v any
		switch rng.IntN(7) {
		case 0:
			f, v = "first_name", fmt.Sprintf("First %d", i)
		case 1:
			f, v = "last_name", fmt.Sprintf("Last %d", i)
		case 2:
			f, v = "display_name", fmt.Sprintf("Display %d", i)
		case 3:
			f, v = "language", api.Languages[rng.IntN(len(api.Languages))]
		case 4:
			f, v = "time_zone", zones[rng.IntN(len(zones))]
		case 5:
			f, v = "hide_mobile", rng.IntN(2) == 0
		default:
			f, v = "hide_fixed", rng.IntN(2) == 0
		}
		b, _ := json.Marshal(v)
		edits[i] = faultEdit{Field: f, Value: b}
	}
	return edits
}

// TestFaultInjectionFakeServer is the short version against the fake; the
// 1,000-edit run is against the real server (TestFaultInjectionRealServer).
func TestFaultInjectionFakeServer(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns many processes")
	}
	srv := newFakeServer(t)
	runFault(t, faultBackend{url: srv.URL(), login: "agent1", password: srv.password, profile: srv.profile}, 300, 1)
	srv.mu.Lock()
	defer srv.mu.Unlock()
	t.Logf("server applied %d writes", srv.patches)
}
