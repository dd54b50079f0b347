// Package single keeps one running instance of the app per user: a second
// start asks the first to show its window and then exits.
//
// The first instance holds an exclusive lock on a file in the user's own
// data directory for as long as it runs (the OS drops the lock when the
// process dies, so a crashed instance leaves nothing to clean up), listens on
// a loopback TCP port (AF_UNIX sockets do not work under Wine 8) and writes
// the port and a random secret to a file only the user can read. A later
// start that finds the lock taken reads that file and asks over loopback.
// Both sides prove they know the secret with an HMAC over fresh nonces, so
// the secret never crosses the socket: another user of the computer can
// connect to the port but not raise the window, and a process squatting a
// stale port learns nothing and cannot pass for the first instance.
package single

import (
	"bufio"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// ErrOtherInstance is returned by Claim when another instance is running
// and has been asked to show its window: this process should exit.
var ErrOtherInstance = errors.New("another instance is running and was asked to show its window")

// ErrNoAnswer is returned by Claim when another instance holds the lock but
// does not answer (it may hang): starting beside it would share its data.
var ErrNoAnswer = errors.New("another instance is running but does not answer")

const (
	lockName = "instance.lock"
	infoName = "instance.json"
	// greeting starts every conversation; the version lets a later protocol
	// refuse an older one cleanly.
	greeting = "phoneset-single 1"
	// ioTimeout bounds one conversation, so a peer that connects and says
	// nothing holds no goroutine for long.
	ioTimeout = 2 * time.Second
	// maxConns bounds the conversations served at once.
	maxConns = 16
)

// DefaultWait is how long Claim keeps trying to reach an instance that holds
// the lock: one that has just started may not be listening yet.
const DefaultWait = 10 * time.Second

// info is what the first instance publishes for later ones.
type info struct {
	Addr   string `json:"addr"`
	Secret string `json:"secret"` // hex, 32 random bytes
	PID    int    `json:"pid"`
}

// Instance is the user's one running instance.
type Instance struct {
	lock     *os.File
	ln       net.Listener
	secret   []byte
	infoPath string
	requests chan struct{}

	slots chan struct{} // one per conversation in progress
	wg    sync.WaitGroup
	once  sync.Once
}

// Claim makes this process the user's instance, keeping its lock and
// address in dir (created owner-only if missing). When another instance
// holds dir, Claim asks it to show its window and returns ErrOtherInstance;
// if it can't be reached within wait, Claim returns ErrNoAnswer. A dead
// instance's leftovers are taken over. Other errors (no loopback, a file
// system without locks) mean the check itself could not be made. Close and
// Requests work on a nil *Instance.
func Claim(dir string, wait time.Duration) (*Instance, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(wait)
	pause := 10 * time.Millisecond
	var last error
	for {
		in, err := tryClaim(dir)
		if err == nil {
			return in, nil
		}
		if !errors.Is(err, errLocked) {
			return nil, err
		}
		// Someone holds the lock: ask them. It can fail while they start
		// (no address yet, or the last run's) or as they exit (then the
		// next round takes the lock).
		if last = ask(dir); last == nil {
			return nil, ErrOtherInstance
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%w (%s): %w", ErrNoAnswer, filepath.Join(dir, lockName), last)
		}
		time.Sleep(pause)
		pause = min(2*pause, 200*time.Millisecond)
	}
}

var errLocked = errors.New("locked")

func tryClaim(dir string) (*Instance, error) {
	lock, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := lockFile(lock); err != nil {
		lock.Close()
		return nil, err
	}
	secret := make([]byte, 32)
	rand.Read(secret)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("loopback listener: %w", err)
	}
	in := &Instance{lock: lock, ln: ln, secret: secret, infoPath: filepath.Join(dir, infoName),
		requests: make(chan struct{}, 1), slots: make(chan struct{}, maxConns)}
	if err := in.publish(); err != nil {
		ln.Close()
		lock.Close()
		return nil, err
	}
	in.wg.Add(1)
	go in.serve()
	return in, nil
}

// publish writes the address file, replacing whatever a dead instance left:
// a new file renamed into place, so a reader never sees half of it and its
// permissions are ours (0600 from CreateTemp).
func (in *Instance) publish() error {
	b, _ := json.Marshal(info{Addr: in.ln.Addr().String(), Secret: hex.EncodeToString(in.secret), PID: os.Getpid()})
	tmp, err := os.CreateTemp(filepath.Dir(in.infoPath), infoName+".*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(b)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = replaceFile(tmp.Name(), in.infoPath)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// replaceFile renames from over to. Windows refuses while another process
// has it open (a later start reading it), so it tries again for a moment.
func replaceFile(from, to string) (err error) {
	for range 20 {
		if err = os.Rename(from, to); err == nil {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return err
}

// Requests delivers one value per request to show the window; requests
// that arrive while one is pending are merged into it. It is closed by
// Close; it is nil for a nil *Instance.
func (in *Instance) Requests() <-chan struct{} {
	if in == nil {
		return nil
	}
	return in.requests
}

// Close stops answering, removes the address file and releases the lock.
func (in *Instance) Close() error {
	if in == nil {
		return nil
	}
	in.once.Do(func() {
		in.ln.Close()
		in.wg.Wait()
		close(in.requests)
		// Removed while the lock is still held, so it can't be a newer
		// instance's file.
		os.Remove(in.infoPath)
		in.lock.Close()
	})
	return nil
}

func (in *Instance) serve() {
	defer in.wg.Done()
	for {
		c, err := in.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(10 * time.Millisecond) // e.g. out of file descriptors
			continue
		}
		select {
		case in.slots <- struct{}{}:
		default:
			c.Close() // busy: a flood of connections gets no goroutines
			continue
		}
		in.wg.Add(1)
		go func() {
			defer in.wg.Done()
			defer func() { <-in.slots }()
			if in.answer(c) {
				select {
				case in.requests <- struct{}{}:
				default: // one is pending already
				}
			}
		}()
	}
}

// answer runs the first instance's side of one conversation and reports
// whether it was an authentic request to show the window.
//
//	first  → "phoneset-single 1 <nonce1>"
//	second → "show <nonce2> <mac("show", nonce1, nonce2)>"
//	first  → "ok <mac("ok", nonce1, nonce2)>"
func (in *Instance) answer(c net.Conn) bool {
	defer c.Close()
	c.SetDeadline(time.Now().Add(ioTimeout))
	n1 := nonce()
	if _, err := fmt.Fprintf(c, "%s %s\n", greeting, n1); err != nil {
		return false
	}
	line, err := readLine(bufio.NewReaderSize(c, 256))
	if err != nil {
		return false
	}
	f := strings.Fields(line)
	if len(f) != 3 || f[0] != "show" || len(f[1]) != len(n1) || !macEqual(f[2], mac(in.secret, "show", n1, f[1])) {
		return false
	}
	_, err = fmt.Fprintf(c, "ok %s\n", mac(in.secret, "ok", n1, f[1]))
	return err == nil
}

// ask runs the second instance's side: it reads the published address and
// asks for the window, checking that the answer comes from the holder of
// the secret.
func ask(dir string) error {
	b, err := os.ReadFile(filepath.Join(dir, infoName))
	if err != nil {
		return err
	}
	var inf info
	if err := json.Unmarshal(b, &inf); err != nil {
		return fmt.Errorf("%s: %w", infoName, err)
	}
	secret, err := hex.DecodeString(inf.Secret)
	if err != nil || len(secret) != 32 {
		return fmt.Errorf("%s: bad secret", infoName)
	}
	// Windows lets only the foreground process give the foreground away:
	// this start is what the user just launched, so it passes the right on.
	allowForeground(inf.PID)
	c, err := net.DialTimeout("tcp", inf.Addr, ioTimeout)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(ioTimeout))
	r := bufio.NewReaderSize(c, 256)
	line, err := readLine(r)
	if err != nil {
		return err
	}
	n1, ok := strings.CutPrefix(line, greeting+" ")
	if !ok {
		return fmt.Errorf("unexpected greeting %q", line)
	}
	n2 := nonce()
	if _, err := fmt.Fprintf(c, "show %s %s\n", n2, mac(secret, "show", n1, n2)); err != nil {
		return err
	}
	line, err = readLine(r)
	if err != nil {
		return fmt.Errorf("refused: %w", err)
	}
	got, _ := strings.CutPrefix(line, "ok ")
	if !macEqual(got, mac(secret, "ok", n1, n2)) {
		return errors.New("the answer is not from the instance that wrote " + infoName)
	}
	return nil
}

func nonce() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func mac(secret []byte, verb, n1, n2 string) string {
	h := hmac.New(sha256.New, secret)
	fmt.Fprintf(h, "%s\n%s\n%s", verb, n1, n2)
	return hex.EncodeToString(h.Sum(nil))
}

func macEqual(got, want string) bool { return hmac.Equal([]byte(got), []byte(want)) }

// readLine reads one short line; a peer can't make it buffer more.
func readLine(r *bufio.Reader) (string, error) {
	line, err := r.ReadSlice('\n')
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(string(line), "\n"), nil
}
