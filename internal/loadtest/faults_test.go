package loadtest

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"

	"github.com/phoneset/phoneset/internal/testenv"
	"github.com/phoneset/phoneset/server/servertest"
)

// waitAcked waits until the run has more than n acknowledged writes.
func waitAcked(t *testing.T, r *Runner, n int64, done <-chan *Report) {
	t.Helper()
	deadline := time.After(2 * time.Minute)
	for r.Acked() <= n {
		select {
		case <-done:
			t.Fatalf("the run ended with %d acknowledged writes, waiting for more than %d", r.Acked(), n)
		case <-deadline:
			t.Fatalf("stuck at %d acknowledged writes", r.Acked())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// TestKillMidLoad kills the server with SIGKILL twice while 30 clients
// write, restarting it on the same database and port each time. Every
// write it acknowledged must be there afterwards, and it must answer no
// request with a 5xx.
func TestKillMidLoad(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		if db == "postgres" {
			testenv.Require(t, servertest.PostgresEnv, "PostgreSQL")
		}
		b := newBackend(t, db, 30)
		r, err := New(Config{BaseURL: b.proc.URL(), Users: b.users, RetryPause: 20 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan *Report, 1)
		go func() { done <- r.Run(context.Background(), 15*time.Second) }()
		// The run starts counting after its sign-ins; kill once writes flow.
		var ackedAtKill []int64
		for range 2 {
			waitAcked(t, r, r.Acked()+150, done)
			ackedAtKill = append(ackedAtKill, r.Acked())
			addr := b.proc.Addr
			b.proc.Kill()
			b.start(addr)
		}
		rep := <-done
		t.Logf("acknowledged writes at the kills: %v; at the end: %d; requests without an answer: %d",
			ackedAtKill, rep.Acked, rep.Transport)
		if rep.Acked <= ackedAtKill[1] {
			t.Errorf("no write was acknowledged after the last restart")
		}
		if rep.Transport == 0 {
			t.Errorf("no request failed: the kills missed the load")
		}
		checkRun(t, r, rep, db+" kill", faults{noAnswer: true})
	})
}

// pgInstance is a PostgreSQL server of this test's own, so it can be
// stopped and started without disturbing the harness's shared cluster.
type pgInstance struct {
	t    *testing.T
	bin  string
	dir  string
	port int
	cmd  *exec.Cmd
	done chan struct{}
}

// newPostgres initialises a cluster in a temp dir (as user postgres when
// running as root, since PostgreSQL refuses root) and starts it.
func newPostgres(t *testing.T) *pgInstance {
	t.Helper()
	testenv.Require(t, servertest.PostgresEnv, "PostgreSQL")
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres")
	if len(bins) == 0 {
		t.Fatal("PostgreSQL server binaries not found under /usr/lib/postgresql")
	}
	sort.Strings(bins)
	dir, err := os.MkdirTemp("", "phoneset-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	// The postgres user must reach its data directory inside ours.
	if err := os.Chmod(dir, 0o711); err != nil {
		t.Fatal(err)
	}
	p := &pgInstance{t: t, bin: filepath.Dir(bins[len(bins)-1]), dir: dir}
	if os.Geteuid() == 0 {
		pu, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root needs user postgres: %v", err)
		}
		uid, _ := strconv.Atoi(pu.Uid)
		gid, _ := strconv.Atoi(pu.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := p.command("initdb", "-D", p.dir+"/data", "-U", "postgres", "-A", "trust", "-E", "UTF8",
		"--no-locale", "--no-sync").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	p.start()
	t.Cleanup(p.stop)
	return p
}

// command runs a PostgreSQL program, as user postgres when we are root.
// setpriv execs in place, so the PID is the program's own.
func (p *pgInstance) command(prog string, args ...string) *exec.Cmd {
	path := filepath.Join(p.bin, prog)
	var cmd *exec.Cmd
	if os.Geteuid() == 0 {
		cmd = exec.Command("setpriv", append([]string{"--reuid=postgres", "--regid=postgres", "--init-groups", "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	cmd.Dir = p.dir
	return cmd
}

// start runs the postmaster and waits until it accepts connections.
// Commits are synchronous (the default): a crash of PostgreSQL must not
// lose what it acknowledged. fsync is off, since only the process dies.
func (p *pgInstance) start() {
	p.t.Helper()
	p.cmd = p.command("postgres", "-D", p.dir+"/data", "-k", p.dir, "-h", "127.0.0.1", "-p", strconv.Itoa(p.port),
		"-c", "fsync=off", "-c", "max_connections=100")
	log, err := os.OpenFile(filepath.Join(p.dir, "postgres.log"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o666)
	if err != nil {
		p.t.Fatal(err)
	}
	p.cmd.Stdout, p.cmd.Stderr = log, log
	if err := p.cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	log.Close()
	p.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) {
		cmd.Wait()
		close(done)
	}(p.cmd, p.done)
	for i := 0; ; i++ {
		if p.command("pg_isready", "-q", "-h", "127.0.0.1", "-p", strconv.Itoa(p.port), "-U", "postgres").Run() == nil {
			return
		}
		select {
		case <-p.done:
			data, _ := os.ReadFile(filepath.Join(p.dir, "postgres.log"))
			p.t.Fatalf("postgres exited:\n%s", data)
		case <-time.After(50 * time.Millisecond):
		}
		if i > 600 {
			p.t.Fatal("postgres did not accept connections within 30 s")
		}
	}
}

// crash stops the postmaster with SIGQUIT, PostgreSQL's immediate
// shutdown: backends die mid-transaction, as in a crash, and the next
// start replays the WAL.
func (p *pgInstance) crash() {
	p.cmd.Process.Signal(syscall.SIGQUIT)
	<-p.done
}

// stop is a fast shutdown (SIGINT) by PID, for cleanup.
func (p *pgInstance) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
}

func (p *pgInstance) dsn(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", p.port, db)
}

// TestPostgresRestartMidLoad crashes and restarts PostgreSQL under a
// running server and 20 writing clients. The server is not restarted: it
// must answer 5xx only while the database is away, recover by itself
// within seconds (10 s allowed on a busy machine), never drop a
// connection, and keep every write it acknowledged.
func TestPostgresRestartMidLoad(t *testing.T) {
	pg := newPostgres(t)
	admin, err := sql.Open("pgx", pg.dsn("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = admin.Exec("CREATE DATABASE phoneset")
	admin.Close()
	if err != nil {
		t.Fatal(err)
	}

	b := &backend{t: t, bin: serverBinary(t), db: pg.dsn("phoneset"), dataDir: t.TempDir()}
	b.logFile = filepath.Join(b.dataDir, "server.log")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if b.users, err = Seed(ctx, b.db, b.dataDir, 20); err != nil {
		t.Fatal(err)
	}
	b.start("127.0.0.1:0")
	// Stop the server before PostgreSQL (cleanups run last first).
	t.Cleanup(func() {
		if err := b.proc.Stop(); err != nil {
			t.Errorf("server exit: %v\n%s", err, b.logTail())
		}
	})

	r, err := New(Config{BaseURL: b.proc.URL(), Users: b.users, RetryPause: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan *Report, 1)
	go func() { done <- r.Run(context.Background(), 20*time.Second) }()
	waitAcked(t, r, 300, done)
	pg.crash()
	down := time.Now()
	time.Sleep(2 * time.Second)
	pg.start()
	back := time.Now()
	ackedAtBack := r.Acked()
	rep := <-done

	last := r.Last5xx()
	t.Logf("PostgreSQL down %v; 5xx answers: %d, the last at %v from its return; writes acknowledged after: %d",
		back.Sub(down).Round(time.Millisecond), rep.Errors5xx, last.Sub(back).Round(time.Millisecond), rep.Acked-ackedAtBack)
	if rep.Errors5xx == 0 {
		t.Error("no 5xx while PostgreSQL was down: the crash missed the load")
	}
	if last.After(back.Add(10 * time.Second)) {
		t.Errorf("5xx answers went on %v after PostgreSQL was back\n%s", last.Sub(back), b.logTail())
	}
	if rep.Acked-ackedAtBack < 100 {
		t.Errorf("only %d writes acknowledged after PostgreSQL was back", rep.Acked-ackedAtBack)
	}
	if rep.Transport > 0 {
		t.Errorf("%d requests got no answer: the server dropped connections", rep.Transport)
	}
	checkRun(t, r, rep, "postgres restart", faults{fiveXX: true})
}
