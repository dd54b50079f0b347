// Package embedded runs the account backend inside the app, on a loopback
// port with a SQLite file in the user's data directory, so Phoneset works
// with no server configured.
package embedded

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"

	"github.com/phoneset/phoneset/server"
	"github.com/phoneset/phoneset/server/mail"
)

// KeyringKey names the embedded backend in the keyring. The loopback port
// changes on every start, so the session is keyed by this instead of the URL.
const KeyringKey = "embedded"

// Backend is a running in-process server.
type Backend struct {
	URL  string
	Demo server.Demo
	srv  *server.Server
	done chan error
}

// Start opens (and on first run seeds) the database in dataDir and serves it
// on 127.0.0.1 at a free port.
func Start(ctx context.Context, dataDir string, log *slog.Logger) (*Backend, error) {
	srv, err := server.Open(ctx, server.Config{DataDir: dataDir, Logger: log, DevOutbox: true})
	if err != nil {
		return nil, fmt.Errorf("open embedded backend: %w", err)
	}
	demo, err := srv.SeedDemo(ctx)
	if err != nil {
		srv.Close()
		return nil, fmt.Errorf("seed demo organisation: %w", err)
	}
	// Seeding hashes the demo passwords with argon2id (19 MiB each); give
	// that memory back rather than keep it resident in the app.
	debug.FreeOSMemory()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		return nil, fmt.Errorf("listen on loopback: %w", err)
	}
	b := &Backend{URL: "http://" + ln.Addr().String(), Demo: demo, srv: srv, done: make(chan error, 1)}
	go func() { b.done <- srv.Serve(ln) }()
	return b, nil
}

// Inbox is what the backend "sent": with no mail server or phone, the app
// shows these so verification links and codes can be used.
func (b *Backend) Inbox() []mail.Message { return b.srv.Outbox().Messages() }

// Close stops serving and closes the database.
func (b *Backend) Close() error {
	err := b.srv.Close()
	if serveErr := <-b.done; serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	return err
}
