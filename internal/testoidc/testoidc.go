// Package testoidc is a real OpenID provider for tests (zitadel's op
// package with its example storage) on 127.0.0.1, and headless Chromium
// to play the person's browser. server/sso's test drives it through the
// account model, e2e's through the app's window.
package testoidc

import (
	"context"
	"crypto/sha256"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// The organisation's registration at the provider.
const (
	ClientID     = "phoneset-test"
	ClientSecret = "s3cret-never-logged"
)

// Provider is the running provider. Its login page approves the person
// the test names without a form, as they would after typing their
// password; the rest (authorization request, PKCE, code, token endpoint
// with the client secret, signed ID token, JWKS, UserInfo) is the
// provider's own.
type Provider struct {
	URL string

	mu   sync.Mutex
	user string // the username the login page signs in
}

// The provider's people: Bo is the demo organisation's agent1; Eve's
// address (agent2's) is not verified.
const (
	Bo  = "bo"
	Eve = "eve"
)

type users map[string]*storage.User

func (u users) GetUserByID(id string) *storage.User { return u[id] }
func (u users) GetUserByUsername(name string) *storage.User {
	for _, x := range u {
		if x.Username == name {
			return x
		}
	}
	return nil
}
func (u users) ExampleClientID() string { return "service" }

// native makes the registration a native app's: the provider accepts its
// loopback redirect on any port (RFC 8252 §7.3), as the app picks a free
// one each time. It still authenticates with the client secret, which the
// backend holds.
type native struct {
	*storage.Storage
}

type nativeClient struct{ op.Client }

func (nativeClient) ApplicationType() op.ApplicationType { return op.ApplicationTypeNative }

func (s native) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := s.Storage.GetClientByClientID(ctx, id)
	if err != nil {
		return nil, err
	}
	return nativeClient{c}, nil
}

// New starts a provider that signs Bo in until SignInAs says otherwise,
// and stops it when the test ends.
func New(t testing.TB) *Provider {
	people := users{
		"u-bo":  {ID: "u-bo", Username: Bo, Password: "pw", FirstName: "Bo", LastName: "Agent", Email: "agent1@demo.phoneset.test", EmailVerified: true, PreferredLanguage: language.Swedish},
		"u-eve": {ID: "u-eve", Username: Eve, Password: "pw", FirstName: "Eve", LastName: "X", Email: "agent2@demo.phoneset.test", EmailVerified: false, PreferredLanguage: language.English},
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Provider{URL: "http://" + ln.Addr().String(), user: Bo}
	st := storage.NewStorageWithClients(people, map[string]*storage.Client{
		ClientID: storage.WebClient(ClientID, ClientSecret, "http://127.0.0.1/callback"),
	})
	provider, err := op.NewProvider(&op.Config{CryptoKey: sha256.Sum256([]byte("phoneset test")), CodeMethodS256: true,
		SupportedUILocales: []language.Tag{language.English}}, native{st}, op.StaticIssuer(p.URL), op.WithAllowInsecure())
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/login/username", op.NewIssuerInterceptor(provider.IssuerFromRequest).HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Query().Get("authRequestID")
		p.mu.Lock()
		user := p.user
		p.mu.Unlock()
		if err := st.CheckUsernamePassword(user, "pw", id); err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		http.Redirect(w, r, op.AuthCallbackURL(provider)(r.Context(), id), http.StatusFound)
	}))
	mux.Handle("/", provider)
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: mux}}
	srv.Start()
	t.Cleanup(srv.Close)
	return p
}

// SignInAs makes the login page sign in user (Bo or Eve) from now on.
func (p *Provider) SignInAs(user string) {
	p.mu.Lock()
	p.user = user
	p.mu.Unlock()
}

// ChromiumArgs is the command line of headless Chromium with a fresh
// profile in dir, as the person's system browser; the URL to open goes
// last. With extra flags such as --screenshot it loads the page, does
// that and exits.
func ChromiumArgs(bin, dir string, extra ...string) []string {
	return append([]string{bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + dir}, extra...)
}
