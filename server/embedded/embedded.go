// Package embedded runs the account backend inside the app, on a loopback
// port with a SQLite file in the user's data directory, so Phoneset works
// with no server configured.
package embedded

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"

	"github.com/phoneset/phoneset/server"
	"github.com/phoneset/phoneset/server/mail"
	"github.com/phoneset/phoneset/server/store"
)

// KeyringKey names the embedded backend in the keyring. The loopback port
// changes on every start, so the session is keyed by this instead of the URL.
const KeyringKey = "embedded"

// Backend is an in-process server. It listens from Start on and answers
// once its database is open (and on first run seeded): requests made
// meanwhile wait in the listen queue, so the app's window need not.
type Backend struct {
	URL  string
	Demo server.Demo

	ln    net.Listener
	ready chan struct{} // closed when srv is serving or err is set
	srv   *server.Server
	err   error
	done  chan error // Serve's result
}

// Start listens on 127.0.0.1 at a free port and opens (and on first run
// seeds) the database in dataDir in the background. If that fails, the
// error is logged, Ready returns it and connections are refused.
func Start(ctx context.Context, dataDir string, log *slog.Logger) (*Backend, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen on loopback: %w", err)
	}
	b := &Backend{URL: "http://" + ln.Addr().String(), Demo: server.DemoAccounts(), ln: ln,
		ready: make(chan struct{}), done: make(chan error, 1)}
	go b.open(ctx, dataDir, log)
	return b, nil
}

func (b *Backend) open(ctx context.Context, dataDir string, log *slog.Logger) {
	_, path := store.ParseDSN("", dataDir)
	_, statErr := os.Stat(path)
	created := errors.Is(statErr, fs.ErrNotExist)
	srv, err := server.Open(ctx, server.Config{DataDir: dataDir, Logger: log, DevOutbox: true})
	if err != nil {
		err = fmt.Errorf("open embedded backend: %w", err)
	} else if _, err = srv.SeedDemo(ctx); err != nil {
		srv.Close()
		err = fmt.Errorf("seed demo organisation: %w", err)
	}
	if err != nil {
		log.Error("embedded backend unavailable", "err", err)
		b.err = err
		b.ln.Close()
		close(b.ready)
		b.done <- nil
		return
	}
	b.srv = srv
	if created {
		// Migrating a new database leaves ~20 MB of garbage (goose's SQL
		// parser takes a 4 MB buffer per file), much of it touched when
		// reused; returned now, the app's first start is ~4 MB smaller
		// (scripts/bench-ui.sh) instead of carrying it until the heap
		// grows into it. Later starts migrate nothing.
		debug.FreeOSMemory()
	}
	close(b.ready)
	b.done <- srv.Serve(b.ln)
}

// Ready waits until the backend answers and returns nil, or returns why it
// never will.
func (b *Backend) Ready(ctx context.Context) error {
	select {
	case <-b.ready:
		return b.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Inbox is what the backend "sent": with no mail server or phone, the app
// shows these so verification links and codes can be used.
// It is empty until the backend is ready, and if it never is.
func (b *Backend) Inbox() []mail.Message {
	select {
	case <-b.ready:
		if b.srv != nil {
			return b.srv.Outbox().Messages()
		}
	default:
	}
	return nil
}

// Close stops serving and closes the database, after waiting for it to
// open if it is still opening.
func (b *Backend) Close() error {
	<-b.ready
	if b.srv == nil {
		<-b.done
		return nil
	}
	err := b.srv.Close()
	if serveErr := <-b.done; serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	return err
}
