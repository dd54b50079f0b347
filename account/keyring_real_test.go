package account

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/api/client"
	"github.com/phoneset/phoneset/internal/testenv"
	"github.com/zalando/go-keyring"
)

// TestRealKeyring stores, reads and deletes a session in a real Secret
// Service (gnome-keyring over D-Bus), first directly and then through a
// model's sign-in, restart and sign-out.
func TestRealKeyring(t *testing.T) {
	testenv.Require(t, "PHONESET_TEST_KEYRING", "a Secret Service keyring over D-Bus")
	k := timedKeyring{OSKeyring{}, DefaultKeyringTimeout}
	server := "http://127.0.0.1:1/" + client.NewIdempotencyKey()
	want := savedSession{UserID: "u1", Tokens: api.Tokens{SessionID: "s", AccessToken: "a-" + client.NewIdempotencyKey(), RefreshToken: "r"}}

	if _, ok, err := k.load(server); ok || err != nil {
		t.Fatalf("load before save = %v, %v", ok, err)
	}
	must(t, k.save(server, want))
	got, ok, err := k.load(server)
	if !ok || err != nil || got != want {
		t.Fatalf("load = %+v, %v, %v; want %+v", got, ok, err, want)
	}
	must(t, k.remove(server))
	if _, err := keyring.Get(KeyringService, server); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("after remove: %v", err)
	}
	must(t, k.remove(server)) // removing twice is fine

	h := newHarness(t)
	c, err := client.New(h.srv.URL())
	must(t, err)
	m, err := Open(Config{DataDir: h.dir, Client: c})
	must(t, err)
	must(t, m.SignIn(context.Background(), "agent1", h.srv.password, "keyring test"))
	if m.KeyringProblem() != nil {
		t.Fatalf("keyring problem: %v", m.KeyringProblem())
	}
	_ = m.Close()

	c2, _ := client.New(h.srv.URL())
	m2, err := Open(Config{DataDir: h.dir, Client: c2, KeyringTimeout: 5 * time.Second})
	must(t, err)
	defer m2.Close()
	if ok, err := m2.Restore(context.Background()); !ok || err != nil {
		t.Fatalf("restore from the real keyring: %v %v", ok, err)
	}
	must(t, m2.SignOut(context.Background()))
	if _, err := keyring.Get(KeyringService, h.srv.URL()); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("session left in the keyring after sign-out: %v", err)
	}
}
