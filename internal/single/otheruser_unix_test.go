//go:build unix

package single

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// nobody is the user the test borrows to play another person on the
// computer.
const nobody = 65534

func init() { helpers["other-user"] = otherUser }

// Another user of the computer knows where the instance listens (ports are
// public) and where its files are, and tries to make it show its window.
func TestOtherUserCannotShowTheWindow(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run a process as another user")
	}
	dir := filepath.Join(tempDir(t), "phoneset") // a data directory: 0700, ours
	in := claim(t, dir)
	// The test binary sits in a directory only we can enter: copy it where
	// the other user can run it.
	binDir, err := os.MkdirTemp("", "single-test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(binDir) })
	os.Chmod(binDir, 0o755)
	self, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(binDir, "single.test")
	if err := os.WriteFile(bin, self, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^$")
	cmd.Dir = "/"
	cmd.Env = append(os.Environ(), helperVar+"=other-user", "SINGLE_TEST_DIR="+dir, "SINGLE_TEST_ADDR="+readInfo(t, dir).Addr)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	out, err := cmd.CombinedOutput()
	t.Logf("other user:\n%s", out)
	if err != nil {
		t.Fatalf("the other user got somewhere: %v", err)
	}
	if requested(in, 200*time.Millisecond) {
		t.Fatal("the window was asked to show")
	}
}

// otherUser runs as the other user and fails if any attempt works.
func otherUser() int {
	dir, addr := os.Getenv("SINGLE_TEST_DIR"), os.Getenv("SINGLE_TEST_ADDR")
	if os.Geteuid() != nobody {
		fmt.Println("not running as the other user")
		return 1
	}
	failed := 0
	try := func(what string, err error) {
		if err == nil {
			fmt.Println("FAIL:", what, "worked")
			failed = 1
			return
		}
		fmt.Printf("refused: %s: %v\n", what, err)
	}
	_, err := os.ReadFile(filepath.Join(dir, infoName))
	try("reading the address file", err)
	_, err = Claim(dir, 300*time.Millisecond)
	if errors.Is(err, ErrOtherInstance) {
		err = nil
	}
	try("starting as a second instance", err)
	try("asking with a guessed secret", func() error {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return fmt.Errorf("unexpected: can't connect: %w", err) // the port is public; this should connect
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		r := bufio.NewReader(c)
		hello, err := r.ReadString('\n')
		if err != nil {
			return err
		}
		n1, n2 := strings.TrimSpace(strings.TrimPrefix(hello, greeting)), nonce()
		fmt.Fprintf(c, "show %s %s\n", n2, mac([]byte(strings.Repeat("g", 32)), "show", n1, n2))
		answer, _ := io.ReadAll(r)
		if len(answer) > 0 {
			return nil
		}
		return errors.New("closed without an answer")
	}())
	return failed
}
