package account

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/api/client"
	"github.com/phoneset/phoneset/server"
	"github.com/phoneset/phoneset/server/servertest"
)

// realClient signs another device in to the real server, to watch and
// change the account behind the model's back.
func realClient(t *testing.T, url, login string) *client.Client {
	t.Helper()
	c, err := client.New(url)
	must(t, err)
	_, err = c.SignIn(context.Background(), api.SignInRequest{Login: login, Password: server.DemoPassword, Device: "other device"})
	must(t, err)
	return c
}

func realModel(t *testing.T, url string, kr Keyring, dir string) *Model {
	t.Helper()
	c, err := client.New(url, client.WithRetry(client.RetryPolicy{Attempts: 2, Base: time.Millisecond, Cap: 5 * time.Millisecond, MaxRetryAfter: time.Second}))
	must(t, err)
	m, err := Open(Config{DataDir: dir, Client: c, Keyring: kr, RetryMin: time.Millisecond, RetryMax: 20 * time.Millisecond, PollInterval: time.Hour})
	must(t, err)
	t.Cleanup(func() { _ = m.Close() })
	return m
}

func TestRealServerSessionEditsAndConflicts(t *testing.T) {
	_, url, _ := servertest.New(t)
	ctx := context.Background()
	kr, dir := newMemKeyring(), t.TempDir()
	m := realModel(t, url, kr, dir)
	if err := m.SignIn(ctx, "agent1", "not the password", "test"); !errors.Is(err, api.ErrUnauthorized) {
		t.Fatalf("wrong password: %v", err)
	}
	must(t, m.SignIn(ctx, "agent1", server.DemoPassword, "test"))
	other := realClient(t, url, "agent1")

	// Edits land in order.
	must(t, m.UpdateProfile(api.ProfilePatch{DisplayName: ptr("Agent Uno"), HideMobile: ptr(true)}))
	must(t, m.UpdateProfile(api.ProfilePatch{FirstName: ptr("Uno"), ExtraInfo: &[]api.InfoField{{Label: "Desk", Value: "4B"}}}))
	waitSynced(t, m)
	p, err := other.Profile(ctx)
	must(t, err)
	if p.DisplayName != "Agent Uno" || !p.HideMobile || p.FirstName != "Uno" || len(p.ExtraInfo) != 1 || p.ExtraInfo[0].Value != "4B" {
		t.Fatalf("server profile %+v", p)
	}

	// Another device changes the same field; this one has not seen that, so
	// its write is stale (412) and becomes a conflict, while its edit of
	// another field goes through.
	_, err = other.UpdateProfile(ctx, p.Version, api.ProfilePatch{DisplayName: ptr("Theirs")})
	must(t, err)
	must(t, m.UpdateProfile(api.ProfilePatch{DisplayName: ptr("Mine"), LastName: ptr("Dos")}))
	waitFor(t, "conflict", func() bool { return m.Sync().Kind == Conflicted })
	cs := m.Conflicts()
	if len(cs) != 1 || cs[0].Field != "display_name" || cs[0].Local != "Mine" || cs[0].Server != "Theirs" {
		t.Fatalf("conflicts %+v", cs)
	}
	waitFor(t, "last name sent", func() bool { return m.Sync().Pending == 0 })
	must(t, m.Resolve(cs[0].ID, true))
	waitSynced(t, m)
	p, err = other.Profile(ctx)
	must(t, err)
	if p.DisplayName != "Mine" || p.LastName != "Dos" {
		t.Errorf("after keeping mine: server %q %q", p.DisplayName, p.LastName)
	}

	// The server refuses a taken username: the field reverts with its reason.
	must(t, m.UpdateProfile(api.ProfilePatch{Username: ptr("agent2")}))
	waitSynced(t, m)
	if m.FieldErrors()["username"] == nil || m.Me().Profile.Username != "agent1" {
		t.Errorf("taken username: errors %v, local %q", m.FieldErrors(), m.Me().Profile.Username)
	}

	// Restart: the session comes back from the keyring.
	_ = m.Close()
	m = realModel(t, url, kr, dir)
	if ok, err := m.Restore(ctx); !ok || err != nil {
		t.Fatalf("restore: %v %v", ok, err)
	}
	tokens := m.Client().Tokens()
	must(t, m.SignOut(ctx))
	if kr.len() != 0 {
		t.Error("keyring kept the session after sign-out")
	}
	dead, _ := client.New(url, client.WithTokens(tokens))
	if _, err := dead.Me(ctx); !errors.Is(err, api.ErrUnauthorized) {
		t.Errorf("signed-out session still works on the server: %v", err)
	}
}

func TestRealServerRevokingTheSessionSignsOut(t *testing.T) {
	_, url, _ := servertest.New(t)
	ctx := context.Background()
	kr := newMemKeyring()
	m := realModel(t, url, kr, t.TempDir())
	must(t, m.SignIn(ctx, "agent2", server.DemoPassword, "test"))
	other := realClient(t, url, "agent2")
	must(t, other.RevokeOtherSessions(ctx))
	must(t, m.UpdateProfile(api.ProfilePatch{FirstName: ptr("Gone")}))
	waitFor(t, "signed out", func() bool { return !m.SignedIn() })
	if kr.len() != 0 {
		t.Error("keyring kept a revoked session")
	}
}

// realBackend is a real server process that can be restarted on the same
// address and database.
type realBackend struct {
	t    *testing.T
	dir  string
	addr string
	mu   sync.Mutex
	srv  *server.Server
	done chan error
}

func startRealBackend(t *testing.T) *realBackend {
	b := &realBackend{t: t, dir: t.TempDir(), addr: "127.0.0.1:0"}
	b.start()
	if _, err := b.srv.SeedDemo(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.stop)
	return b
}

func (b *realBackend) start() {
	srv, err := server.Open(context.Background(), server.Config{DataDir: b.dir, Logger: slog.New(slog.DiscardHandler), Hash: servertest.FastHash})
	if err != nil {
		b.t.Errorf("server open: %v", err)
		return
	}
	var ln net.Listener
	for range 200 {
		if ln, err = net.Listen("tcp", b.addr); err == nil {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err != nil {
		b.t.Errorf("server listen: %v", err)
		_ = srv.Close()
		return
	}
	b.addr = ln.Addr().String()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	b.srv, b.done = srv, done
}

func (b *realBackend) stop() {
	if b.srv == nil {
		return
	}
	if err := b.srv.Close(); err != nil {
		b.t.Errorf("server close: %v", err)
	}
	if err := <-b.done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		b.t.Errorf("server serve: %v", err)
	}
	b.srv = nil
}

func (b *realBackend) restart() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.stop()
	b.start()
}

func TestFaultInjectionRealServer(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns many processes")
	}
	be := startRealBackend(t)
	url := "http://" + be.addr
	watcher := realClient(t, url, "agent1")
	profile := func() api.Profile {
		p, err := watcher.Profile(context.Background())
		if err != nil {
			t.Fatalf("reading the server's profile: %v", err)
		}
		return p
	}
	runFault(t, faultBackend{url: url, login: "agent1", password: server.DemoPassword, profile: profile, restart: be.restart}, 1000, 2)
}

// TestRealServerTimedStatus: a timed Unavailable and its Extend, the second
// after another device changed the status (a stale version, sent again).
func TestRealServerTimedStatus(t *testing.T) {
	_, url, _ := servertest.New(t)
	ctx := context.Background()
	m := realModel(t, url, newMemKeyring(), t.TempDir())
	must(t, m.SignIn(ctx, "agent1", server.DemoPassword, "test"))
	if err := m.ExtendStatus(ctx, 5); !errors.Is(err, &api.Error{Code: api.CodeInvalid}) {
		t.Fatalf("extend without a timer: %v", err)
	}
	must(t, m.SetStatus(ctx, api.StatusUpdate{Availability: api.Unavailable, ReasonCode: "lunch", Minutes: ptr(15)}))
	until := *m.Me().Status.Until
	other := realClient(t, url, "agent1")
	st, err := other.Status(ctx)
	must(t, err)
	_, err = other.ExtendStatus(ctx, st.Version, 1)
	must(t, err)
	must(t, m.ExtendStatus(ctx, 10))
	if got := m.Me().Status; got.Until == nil || !got.Until.Equal(until.Add(11*time.Minute)) || got.Then != api.Online {
		t.Fatalf("after both extends %+v, timer was %v", got, until)
	}
	if err := m.ExtendStatus(ctx, 0); err == nil {
		t.Fatal("extend by 0 accepted")
	}
}
