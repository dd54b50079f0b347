//go:build linux

// The end-to-end test drives Debian's Chromium (scripts/deps.sh test).

package sso_test

import (
	"context"
	"testing"
	"time"

	"github.com/phoneset/phoneset/account"
	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/internal/testenv"
	"github.com/phoneset/phoneset/internal/testoidc"
)

// TestSignInThroughRealProvider signs in as the app does (account.Model's
// SignInSSO: loopback listener, PKCE, state; then the account and its
// keyring item) with headless Chromium following the real provider's
// redirects back to the app's loopback port.
func TestSignInThroughRealProvider(t *testing.T) {
	bin := testenv.RequireCommand(t, "chromium", "Chromium (scripts/deps.sh test installs it)")
	eachDB(t, func(t *testing.T, db string) {
		o := testoidc.New(t)
		e := newSSOEnv(t, db, o.URL, api.SSOSettingsUpdate{Enabled: true})
		browser := account.Browser{Open: testoidc.Chromium(t, bin)}
		// The app's model, as cmd/phoneset opens it, with a keyring in memory.
		kr := mapKeyring{}
		m, err := account.Open(account.Config{DataDir: t.TempDir(), Client: newClient(t, e.base), Keyring: kr})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		login := func(who string) error {
			o.SignInAs(who)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			start := time.Now()
			err := m.SignInSSO(ctx, "agent1@demo.phoneset.test", "e2e", browser)
			t.Logf("sign-in as %s through Chromium: %v", who, time.Since(start).Round(time.Millisecond))
			return err
		}

		if err := login(testoidc.Bo); err != nil {
			t.Fatalf("sign-in: %v", err)
		}
		if id := m.Me().User.ID; id != "usr_demo_agent1" || len(kr) != 1 {
			t.Fatalf("signed in as %q, keyring %v", id, kr)
		}
		// The provider's unverified address links nobody.
		if err := login(testoidc.Eve); reasonOf(err) != api.ReasonSSOEmailNotVerified {
			t.Errorf("unverified address: %v", err)
		}
	})
}

// mapKeyring keeps the session in memory.
type mapKeyring map[string]string

func (k mapKeyring) Get(s, u string) (string, error) { return k[s+"/"+u], nil }
func (k mapKeyring) Set(s, u, v string) error        { k[s+"/"+u] = v; return nil }
func (k mapKeyring) Delete(s, u string) error        { delete(k, s+"/"+u); return nil }
