package account

import (
	"bytes"
	"context"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/api/client"
)

// TestNoSecretOnDisk runs a whole session — sign-in, offline edits, a
// conflict, a token refresh, a restart, sign-out — with debug logging into
// the data directory, then scans every file there for the password and
// every token the server issued.
func TestNoSecretOnDisk(t *testing.T) {
	h := newHarness(t)
	logFile, err := os.Create(filepath.Join(h.dir, "phoneset.log"))
	must(t, err)
	defer logFile.Close()
	logger := slog.New(slog.NewTextHandler(logFile, &slog.HandlerOptions{Level: slog.LevelDebug}))
	open := func() *Model {
		c, err := client.New(h.srv.URL(), client.WithLogger(logger), client.WithRetry(client.RetryPolicy{Attempts: 2, Base: time.Millisecond, Cap: time.Millisecond}))
		must(t, err)
		m, err := Open(Config{DataDir: h.dir, Client: c, Keyring: h.kr, Logger: logger, RetryMin: time.Millisecond, RetryMax: 10 * time.Millisecond, PollInterval: time.Hour})
		must(t, err)
		t.Cleanup(func() { _ = m.Close() })
		return m
	}

	m := open()
	must(t, m.SignIn(context.Background(), "agent1", h.srv.password, "laptop"))
	h.srv.setDown(true)
	must(t, m.UpdateProfile(api.ProfilePatch{DisplayName: ptr("Mine"), FirstName: ptr("Ann")}))
	waitFor(t, "offline", func() bool { return m.Sync().Kind == Offline })
	h.srv.edit(func(p *api.Profile) { p.DisplayName = "Theirs" })
	h.srv.expireAccess()
	h.srv.setDown(false)
	m.kick()
	waitFor(t, "conflict", func() bool { return m.Sync().Kind == Conflicted })
	must(t, m.Resolve(m.Conflicts()[0].ID, true))
	waitSynced(t, m)
	_ = m.Close()

	m = open()
	if ok, err := m.Restore(context.Background()); !ok {
		t.Fatalf("restore: %v", err)
	}
	must(t, m.UpdateProfile(api.ProfilePatch{LastName: ptr("Last")}))
	waitSynced(t, m)
	must(t, m.SignOut(context.Background()))
	_ = logFile.Sync()

	h.srv.mu.Lock()
	secrets := append([]string{h.srv.password}, h.srv.issued...)
	h.srv.mu.Unlock()
	if len(secrets) < 5 {
		t.Fatalf("only %d secrets issued: the session did not refresh", len(secrets))
	}
	files := 0
	err = filepath.WalkDir(h.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds a secret (%.6s…)", path, s)
			}
		}
		return nil
	})
	must(t, err)
	if files < 2 {
		t.Errorf("scanned %d files; expected the outbox and the log", files)
	}
	if fi, _ := logFile.Stat(); fi.Size() == 0 {
		t.Error("nothing was logged, so the log scan proves nothing")
	}
}
