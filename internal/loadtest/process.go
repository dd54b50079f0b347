package loadtest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Process is a phoneset-server child process.
type Process struct {
	Addr string // host:port it listens on

	cmd  *exec.Cmd
	done chan struct{} // closed when it has exited and been reaped
	err  error         // its exit status, once done
}

// StartServer runs bin (a phoneset-server) on db and dataDir, listening on
// addr ("127.0.0.1:0" picks a port), with more flags from args, appending
// its log to logFile, and returns once it accepts connections.
func StartServer(bin, db, dataDir, addr, logFile string, args ...string) (*Process, error) {
	lf, err := os.OpenFile(logFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, append([]string{"--addr", addr, "--db", db, "--data", dataDir}, args...)...)
	cmd.Stdout = lf
	stderr, err := cmd.StderrPipe()
	if err != nil {
		lf.Close()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		lf.Close()
		return nil, err
	}
	p := &Process{cmd: cmd, done: make(chan struct{})}
	listening := make(chan string, 1)
	go func() {
		// Copy the log, watching for the line that says it listens.
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(lf, line)
			if strings.Contains(line, "phoneset-server listening") {
				for _, f := range strings.Fields(line) {
					if a, ok := strings.CutPrefix(f, "addr="); ok {
						select {
						case listening <- a:
						default:
						}
					}
				}
			}
		}
		io.Copy(lf, stderr)
		p.err = cmd.Wait()
		lf.Close()
		close(p.done)
	}()
	select {
	case p.Addr = <-listening:
		return p, nil
	case <-p.done:
		return nil, fmt.Errorf("loadtest: server exited before listening: %v (log %s)", p.err, logFile)
	case <-time.After(60 * time.Second):
		p.Kill()
		return nil, fmt.Errorf("loadtest: server did not listen within a minute (log %s)", logFile)
	}
}

// URL is the server's base URL.
func (p *Process) URL() string { return "http://" + p.Addr }

// Kill ends the process with SIGKILL, as a crash or the OOM killer
// would, and waits for it.
func (p *Process) Kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// Stop asks the process to shut down (SIGTERM) and waits for it. It
// returns the exit error of an unclean exit.
func (p *Process) Stop() error {
	p.Signal(syscall.SIGTERM)
	return p.Wait()
}

// Signal sends sig to the process.
func (p *Process) Signal(sig os.Signal) { p.cmd.Process.Signal(sig) }

// Wait waits for the process to exit, up to 30 s before killing it, and
// returns its exit error (an *exec.ExitError for a non-zero status).
func (p *Process) Wait() error {
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		p.Kill()
		return errors.New("loadtest: server still running 30 s after a stop signal")
	}
	return p.err
}
