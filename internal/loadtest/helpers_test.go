package loadtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/phoneset/phoneset/internal/testenv"
	"github.com/phoneset/phoneset/server/servertest"
)

// buildDir holds a phoneset-server built for this test binary when the
// harness did not provide one in PHONESET_BIN_DIR.
var buildDir string

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// serverBinary is bin/phoneset-server from PHONESET_BIN_DIR (make test
// builds it first), else one built now.
func serverBinary(t testing.TB) string {
	t.Helper()
	if dir := os.Getenv("PHONESET_BIN_DIR"); dir != "" {
		p := filepath.Join(dir, "phoneset-server")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "phoneset-loadtest-")
		if buildErr != nil {
			return
		}
		builtBin = filepath.Join(buildDir, "phoneset-server")
		out, err := exec.Command("go", "build", "-tags", testenv.BuildTags(), "-o", builtBin,
			"github.com/phoneset/phoneset/cmd/phoneset-server").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

// backend is a seeded database and a phoneset-server process on it.
type backend struct {
	t       testing.TB
	bin     string
	db      string
	dataDir string
	logFile string
	args    []string // more server flags
	users   []User
	proc    *Process
}

// newBackend seeds n load users into a fresh database ("sqlite" in the
// test's temp dir, or "postgres" on the harness cluster) and starts a
// server on it with more flags from args. The test fails unless the server
// stops cleanly when it ends.
func newBackend(t testing.TB, dbKind string, n int, args ...string) *backend {
	t.Helper()
	b := &backend{t: t, bin: serverBinary(t), dataDir: t.TempDir(), args: args}
	b.logFile = filepath.Join(b.dataDir, "server.log")
	if dbKind == "postgres" {
		b.db = servertest.PostgresDB(t)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var err error
	if b.users, err = Seed(ctx, b.db, b.dataDir, n); err != nil {
		t.Fatal(err)
	}
	b.start("127.0.0.1:0")
	t.Cleanup(func() {
		if b.proc != nil {
			if err := b.proc.Stop(); err != nil {
				t.Errorf("server exit: %v\n%s", err, b.logTail())
			}
		}
	})
	return b
}

func (b *backend) start(addr string) {
	b.t.Helper()
	p, err := StartServer(b.bin, b.db, b.dataDir, addr, b.logFile, b.args...)
	if err != nil {
		b.t.Fatalf("%v\n%s", err, b.logTail())
	}
	b.proc = p
}

// logTail is the end of the server's log, for failure messages.
func (b *backend) logTail() string {
	data, _ := os.ReadFile(b.logFile)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	return strings.Join(lines[max(0, len(lines)-30):], "\n")
}

// eachDB runs fn on SQLite and on PostgreSQL (skipped, or failed under
// make test, without the harness's cluster).
func eachDB(t *testing.T, fn func(t *testing.T, db string)) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) { fn(t, db) })
	}
}

// faults a run expects: answers that are right for the fault injected.
type faults struct{ fiveXX, noAnswer bool }

// checkRun fails the test on any 5xx or transport error (unless expected),
// broken promise or lost write, and logs the figures.
func checkRun(t *testing.T, r *Runner, rep *Report, label string, expect faults) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	checked, lost, err := r.Verify(ctx)
	t.Logf("\n%s\n%s\n%s", Header, rep.Summary(label, len(lost)), rep.Detail())
	if path := os.Getenv("PHONESET_LOAD_REPORT"); path != "" {
		appendReport(t, path, rep, label, len(lost))
	}
	if err != nil {
		t.Fatal(err)
	}
	if rep.NotReady > 0 {
		t.Errorf("%d clients never signed in", rep.NotReady)
	}
	if rep.Errors5xx > 0 && !expect.fiveXX {
		t.Errorf("%d 5xx answers", rep.Errors5xx)
	}
	if rep.Transport > 0 && !expect.noAnswer {
		t.Errorf("%d requests without an answer", rep.Transport)
	}
	for _, v := range rep.Violations[:min(20, len(rep.Violations))] {
		t.Errorf("during the run: %s", v)
	}
	for _, l := range lost[:min(20, len(lost))] {
		t.Errorf("lost: %s", l)
	}
	if want := 4 * (rep.Clients - rep.NotReady); checked != want {
		t.Errorf("verified %d resources, want %d", checked, want)
	}
	if rep.Acked == 0 {
		t.Error("no write was acknowledged")
	}
}

// appendReport adds the run to the table scripts/bench-load.sh prints.
func appendReport(t *testing.T, path string, rep *Report, label string, lost int) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() == 0 {
		fmt.Fprintln(f, Header)
	}
	fmt.Fprintln(f, rep.Summary(label, lost))
	fmt.Fprint(f, rep.Detail())
}
