package embedded

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/api/client"
)

func TestStartSeedsServesAndKeepsData(t *testing.T) {
	dir := t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	b, err := Start(ctx, dir, log)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.URL, "http://127.0.0.1:") {
		t.Fatalf("backend not on loopback: %s", b.URL)
	}
	if len(b.Demo.Admins) != 1 || len(b.Demo.Agents) != 2 {
		t.Fatalf("demo = %+v", b.Demo)
	}
	c, err := client.New(b.URL)
	if err != nil {
		t.Fatal(err)
	}
	admin := b.Demo.Admins[0]
	if _, err := c.SignIn(ctx, api.SignInRequest{Login: admin.Login, Password: admin.Password, Device: "test"}); err != nil {
		t.Fatal(err)
	}
	me, err := c.Me(ctx)
	if err != nil || !me.User.Can(api.PermAccount) {
		t.Fatalf("admin: %+v %v", me.User, err)
	}

	// What the demo "sends" shows in the app's inbox.
	if len(b.Inbox()) != 0 {
		t.Fatal("inbox not empty at start")
	}
	if err := c.RequestEmailChange(ctx, "ada.new@example.com"); err != nil {
		t.Fatal(err)
	}
	var link bool
	for _, m := range b.Inbox() {
		link = link || (m.To == "ada.new@example.com" && strings.Contains(m.Body, "http"))
	}
	if !link {
		t.Fatalf("no confirmation link to the new address in %+v", b.Inbox())
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}

	// A second start reuses the database: no second seeding, same data.
	if _, err := os.Stat(filepath.Join(dir, "phoneset.db")); err != nil {
		t.Fatalf("no SQLite file in the data directory: %v", err)
	}
	b2, err := Start(ctx, dir, log)
	if err != nil {
		t.Fatal(err)
	}
	defer b2.Close()
	c2, _ := client.New(b2.URL)
	if _, err := c2.SignIn(ctx, api.SignInRequest{Login: admin.Login, Password: admin.Password, Device: "test"}); err != nil {
		t.Fatalf("sign in after restart: %v", err)
	}
	p, err := c2.Profile(ctx)
	if err != nil || p.PendingEmail != "ada.new@example.com" {
		t.Fatalf("pending email lost across restart: %+v %v", p, err)
	}
}

// A backend that cannot open its database says why, refuses connections
// (requests made anyway fail at once) and still closes; the app shows Ready's
// error in its window.
func TestStartReportsAnUnusableDataDir(t *testing.T) {
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b, err := Start(ctx, notDir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("Start: %v; want the failure reported by Ready", err)
	}
	if err := b.Ready(ctx); err == nil || !strings.Contains(err.Error(), "open embedded backend") {
		t.Fatalf("Ready = %v", err)
	}
	c, err := client.New(b.URL)
	if err != nil {
		t.Fatal(err)
	}
	var te *client.TransportError
	if _, err := c.SignIn(ctx, api.SignInRequest{Login: "admin", Password: "x", Device: "test"}); !errors.As(err, &te) {
		t.Fatalf("sign-in: %v, want a transport error", err)
	}
	if len(b.Inbox()) != 0 {
		t.Error("a failed backend has messages")
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
}
