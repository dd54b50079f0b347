//go:build linux

// The end-to-end test drives Debian's Chromium (scripts/deps.sh test).

package sso_test

import (
	"context"
	"crypto/sha256"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"

	"github.com/phoneset/phoneset/account"
	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/internal/testenv"
)

// realOP is a real OpenID provider (zitadel's op package with its example
// storage) on 127.0.0.1. Its login page approves the user the test names
// without a form, as the person would after typing their password; the
// rest (authorization request, PKCE, code, token endpoint with the client
// secret, signed ID token, JWKS, UserInfo) is the provider's own.
type realOP struct {
	URL     string
	storage *storage.Storage
	clients map[string]*storage.Client

	mu   sync.Mutex
	user string // the username the login page signs in
}

// idpUsers are the provider's people: Bo is demo agent1 at the company;
// Eve's address is not verified.
type idpUsers map[string]*storage.User

func (u idpUsers) GetUserByID(id string) *storage.User { return u[id] }
func (u idpUsers) GetUserByUsername(name string) *storage.User {
	for _, x := range u {
		if x.Username == name {
			return x
		}
	}
	return nil
}
func (u idpUsers) ExampleClientID() string { return "service" }

func newRealOP(t *testing.T) *realOP {
	users := idpUsers{
		"u-bo":  {ID: "u-bo", Username: "bo", Password: "pw", FirstName: "Bo", LastName: "Agent", Email: "agent1@demo.phoneset.test", EmailVerified: true, PreferredLanguage: language.Swedish},
		"u-eve": {ID: "u-eve", Username: "eve", Password: "pw", FirstName: "Eve", LastName: "X", Email: "agent2@demo.phoneset.test", EmailVerified: false, PreferredLanguage: language.English},
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	o := &realOP{URL: "http://" + ln.Addr().String(), clients: map[string]*storage.Client{}, user: "bo"}
	o.storage = storage.NewStorageWithClients(users, o.clients)
	provider, err := op.NewProvider(&op.Config{CryptoKey: sha256.Sum256([]byte("phoneset test")), CodeMethodS256: true,
		SupportedUILocales: []language.Tag{language.English}}, o.storage, op.StaticIssuer(o.URL), op.WithAllowInsecure())
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/login/username", op.NewIssuerInterceptor(provider.IssuerFromRequest).HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Query().Get("authRequestID")
		o.mu.Lock()
		user := o.user
		o.mu.Unlock()
		if err := o.storage.CheckUsernamePassword(user, "pw", id); err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		http.Redirect(w, r, op.AuthCallbackURL(provider)(r.Context(), id), http.StatusFound)
	}))
	mux.Handle("/", provider)
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: mux}}
	srv.Start()
	t.Cleanup(srv.Close)
	return o
}

// chromium opens url in headless Chromium with a fresh profile, as the
// person's system browser, and stops it when the test ends.
func chromium(t *testing.T, bin string) func(string) error {
	return func(u string) error {
		cmd := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
			"--disable-background-networking", "--disable-component-update", "--disable-sync",
			"--user-data-dir="+t.TempDir(), u)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		out := &strings.Builder{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			return err
		}
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		t.Cleanup(func() {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // Chromium's helpers too
			<-done
			if t.Failed() {
				t.Logf("chromium said:\n%s", out)
			}
		})
		return nil
	}
}

// TestSignInThroughRealProvider signs in as the app does (account.Model's
// SignInSSO: loopback listener, PKCE, state; then the account and its
// keyring item) with headless Chromium following the real provider's
// redirects back to the app's loopback port.
func TestSignInThroughRealProvider(t *testing.T) {
	bin := testenv.RequireCommand(t, "chromium", "Chromium (scripts/deps.sh test installs it)")
	eachDB(t, func(t *testing.T, db string) {
		o := newRealOP(t)
		e := newSSOEnv(t, db, o.URL, api.SSOSettingsUpdate{Enabled: true})
		browser := chromium(t, bin)
		// The example storage matches a web client's redirect exactly, so
		// the test registers the loopback port the app chose; providers
		// for native apps accept any port (RFC 8252 §7.3).
		open := func(authURL string) error {
			u, err := url.Parse(authURL)
			if err != nil {
				return err
			}
			redirect := u.Query().Get("redirect_uri")
			o.clients[clientID] = storage.WebClient(clientID, clientSecret, redirect)
			return browser(authURL)
		}
		// The app's model, as cmd/phoneset opens it, with a keyring in memory.
		kr := mapKeyring{}
		m, err := account.Open(account.Config{DataDir: t.TempDir(), Client: newClient(t, e.base), Keyring: kr})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		login := func(who string) error {
			o.mu.Lock()
			o.user = who
			o.mu.Unlock()
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			start := time.Now()
			err := m.SignInSSO(ctx, "agent1@demo.phoneset.test", "e2e", open)
			t.Logf("sign-in as %s through Chromium: %v", who, time.Since(start).Round(time.Millisecond))
			return err
		}

		if err := login("bo"); err != nil {
			t.Fatalf("sign-in: %v", err)
		}
		if id := m.Me().User.ID; id != "usr_demo_agent1" || len(kr) != 1 {
			t.Fatalf("signed in as %q, keyring %v", id, kr)
		}
		// The provider's unverified address links nobody.
		if err := login("eve"); reasonOf(err) != api.ReasonSSOEmailNotVerified {
			t.Errorf("unverified address: %v", err)
		}
	})
}

// mapKeyring keeps the session in memory.
type mapKeyring map[string]string

func (k mapKeyring) Get(s, u string) (string, error) { return k[s+"/"+u], nil }
func (k mapKeyring) Set(s, u, v string) error        { k[s+"/"+u] = v; return nil }
func (k mapKeyring) Delete(s, u string) error        { delete(k, s+"/"+u); return nil }
