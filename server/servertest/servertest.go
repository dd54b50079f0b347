// Package servertest starts a real account backend for tests: a seeded
// SQLite database in the test's temp dir, served on 127.0.0.1.
package servertest

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"testing"

	"github.com/phoneset/phoneset/server"
)

// FastHash is a cheap argon2id cost so tests can sign in often. Never use
// it outside tests.
var FastHash = server.HashParams{Memory: 64, Time: 1, Threads: 1}

// New starts a server with the demo organisation seeded and the dev
// outbox on, and stops it when the test ends.
func New(t testing.TB) (*server.Server, string, server.Demo) {
	t.Helper()
	return NewWith(t, server.Config{})
}

// NewWith is New with a config; DataDir, Logger, Hash and DevOutbox are
// filled in when unset.
func NewWith(t testing.TB, cfg server.Config) (*server.Server, string, server.Demo) {
	t.Helper()
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Hash == (server.HashParams{}) {
		cfg.Hash = FastHash
	}
	cfg.DevOutbox = true
	ctx := context.Background()
	srv, err := server.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("servertest: open: %v", err)
	}
	demo, err := srv.SeedDemo(ctx)
	if err != nil {
		srv.Close()
		t.Fatalf("servertest: seed: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		t.Fatalf("servertest: listen: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("servertest: close: %v", err)
		}
		if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("servertest: serve: %v", err)
		}
	})
	return srv, "http://" + ln.Addr().String(), demo
}
