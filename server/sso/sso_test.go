package sso_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/api/client"
	"github.com/phoneset/phoneset/internal/dnstest"
	"github.com/phoneset/phoneset/internal/testenv"
	"github.com/phoneset/phoneset/internal/testoidc"
	"github.com/phoneset/phoneset/server"
	"github.com/phoneset/phoneset/server/servertest"
	"github.com/phoneset/phoneset/server/sso"
)

// fakeOP is an OpenID provider whose keys and ID tokens the test controls:
// discovery, a JWKS that can rotate, and a token endpoint that checks the
// client secret and the PKCE verifier, then answers with the ID token the
// test makes for the code.
type fakeOP struct {
	t   testing.TB
	srv *httptest.Server

	mu     sync.Mutex
	keys   map[string]*rsa.PrivateKey // published, by key ID
	signer string                     // the key ID tokens are signed with
	codes  map[string]grant
	// token makes the ID token for a grant; nil signs good claims.
	token func(g grant) string
	// userinfo is what the UserInfo endpoint answers.
	userinfo map[string]any
}

// grant is an authorization the fake "user" gave: the code's sign-in.
type grant struct{ nonce, challenge string }

// The registration newSSOEnv configures, the real provider's too.
const (
	clientID     = testoidc.ClientID
	clientSecret = testoidc.ClientSecret
)

func newFakeOP(t testing.TB) *fakeOP {
	op := &fakeOP{t: t, keys: map[string]*rsa.PrivateKey{}, codes: map[string]grant{}}
	op.rotate("k1")
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"issuer": op.srv.URL, "authorization_endpoint": op.srv.URL + "/authorize",
			"token_endpoint": op.srv.URL + "/token", "jwks_uri": op.srv.URL + "/jwks", "userinfo_endpoint": op.srv.URL + "/userinfo",
			"id_token_signing_alg_values_supported": []string{"RS256"}, "response_types_supported": []string{"code"},
			"subject_types_supported": []string{"public"}})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		op.mu.Lock()
		defer op.mu.Unlock()
		var set jose.JSONWebKeySet
		for kid, k := range op.keys {
			set.Keys = append(set.Keys, jose.JSONWebKey{Key: &k.PublicKey, KeyID: kid, Algorithm: "RS256", Use: "sig"})
		}
		json.NewEncoder(w).Encode(set)
	})
	mux.HandleFunc("GET /userinfo", func(w http.ResponseWriter, r *http.Request) {
		op.mu.Lock()
		defer op.mu.Unlock()
		if r.Header.Get("Authorization") != "Bearer at" || op.userinfo == nil {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(op.userinfo)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		id, secret, ok := r.BasicAuth()
		if !ok {
			id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
		}
		op.mu.Lock()
		g, known := op.codes[r.PostFormValue("code")]
		delete(op.codes, r.PostFormValue("code"))
		make := op.token
		op.mu.Unlock()
		sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
		if !known || id != clientID || secret != clientSecret || base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"error":"invalid_grant"}`))
			return
		}
		if make == nil {
			make = func(g grant) string { return op.sign(op.claims(g.nonce, "sub-1", "agent1@demo.phoneset.test", true)) }
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 300, "id_token": make(g)})
	})
	op.srv = httptest.NewServer(mux)
	t.Cleanup(op.srv.Close)
	return op
}

// rotate publishes a new key under kid and signs with it from now on.
func (op *fakeOP) rotate(kid string) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		op.t.Fatal(err)
	}
	op.mu.Lock()
	op.keys[kid], op.signer = k, kid
	op.mu.Unlock()
}

func (op *fakeOP) claims(nonce, sub, email string, verified bool) map[string]any {
	now := time.Now()
	return map[string]any{"iss": op.srv.URL, "aud": clientID, "sub": sub, "nonce": nonce, "email": email,
		"email_verified": verified, "name": "Bo Agent", "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix()}
}

// sign signs claims with the current key.
func (op *fakeOP) sign(claims map[string]any) string {
	op.mu.Lock()
	k, kid := op.keys[op.signer], op.signer
	op.mu.Unlock()
	return signWith(op.t, k, kid, claims)
}

func signWith(t testing.TB, k *rsa.PrivateKey, kid string, claims map[string]any) string {
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: k, KeyID: kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(claims)
	jws, err := s.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// authorize plays the browser and the person at the provider: it reads
// the authorization URL and "redirects" with a new code.
func (op *fakeOP) authorize(t testing.TB, authURL string) (code string) {
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if q.Get("client_id") != clientID || q.Get("code_challenge_method") != "S256" || q.Get("response_type") != "code" ||
		!strings.Contains(q.Get("scope"), "openid") || q.Get("nonce") == "" || strings.Contains(authURL, clientSecret) {
		t.Fatalf("authorization URL %s", authURL)
	}
	code = "code-" + q.Get("nonce")[:8]
	op.mu.Lock()
	op.codes[code] = grant{nonce: q.Get("nonce"), challenge: q.Get("code_challenge")}
	op.mu.Unlock()
	return code
}

// ssoEnv is a backend with single sign-on, on SQLite or PostgreSQL, whose
// demo organisation uses op. Its email domains are proven through dns;
// the demo's own, demo.phoneset.test, is verified by the demo seeding.
type ssoEnv struct {
	srv   *server.Server
	base  string
	op    *fakeOP
	admin *client.Client
	dns   *dnstest.Server
}

func eachDB(t *testing.T, fn func(t *testing.T, db string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, "") })
	t.Run("postgres", func(t *testing.T) {
		testenv.Require(t, servertest.PostgresEnv, "PostgreSQL")
		fn(t, servertest.PostgresDB(t))
	})
}

// env is a backend whose demo organisation signs in through op.
func (op *fakeOP) env(t *testing.T, db string, upd api.SSOSettingsUpdate) *ssoEnv {
	e := newSSOEnv(t, db, op.srv.URL, upd)
	e.op = op
	return e
}

// newSSOEnv is a backend whose demo organisation signs in through the
// provider at issuer.
func newSSOEnv(t *testing.T, db, issuer string, upd api.SSOSettingsUpdate) *ssoEnv {
	dns := dnstest.Start(t)
	srv, base, _ := servertest.NewWith(t, server.Config{DB: db, OIDC: sso.New(nil, nil), DNS: dns.Addr})
	e := &ssoEnv{srv: srv, base: base, admin: newClient(t, base), dns: dns}
	ctx := context.Background()
	if _, err := e.admin.SignIn(ctx, api.SignInRequest{Login: "admin", Password: server.DemoPassword}); err != nil {
		t.Fatal(err)
	}
	if upd.Issuer == "" {
		upd.Issuer = issuer
	}
	if upd.ClientID == "" {
		upd.ClientID = clientID
	}
	if upd.ClientSecret == nil {
		s := clientSecret
		upd.ClientSecret = &s
	}
	if len(upd.Domains) == 0 {
		upd.Domains = []string{"demo.phoneset.test"}
	}
	if _, err := e.admin.SetOrgSSO(ctx, 1, upd); err != nil {
		t.Fatal(err)
	}
	return e
}

func newClient(t testing.TB, base string) *client.Client {
	c, err := client.New(base)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// login runs a sign-in as the app would, with the fake provider playing
// the browser, and returns the answer to finish.
func (e *ssoEnv) login(t testing.TB, email string) (api.Tokens, error) {
	ctx := context.Background()
	c := newClient(t, e.base)
	verifier := rand.Text() + rand.Text()
	sum := sha256.Sum256([]byte(verifier))
	start, err := c.SSOStart(ctx, api.SSOStartRequest{Email: email, RedirectURI: "http://127.0.0.1:49152/callback",
		CodeChallenge: base64.RawURLEncoding.EncodeToString(sum[:]), CodeChallengeMethod: "S256"})
	if err != nil {
		return api.Tokens{}, err
	}
	code := e.op.authorize(t, start.AuthorizationURL)
	return c.SSOFinish(ctx, api.SSOFinishRequest{State: start.State, Code: code, CodeVerifier: verifier, Device: "test"})
}

func reasonOf(err error) string {
	var ae *api.Error
	if !errors.As(err, &ae) {
		return "not an api.Error: " + errorString(err)
	}
	if ae.Reason == nil {
		return ae.Code
	}
	return ae.Reason.Code
}

func errorString(err error) string {
	if err == nil {
		return "nil"
	}
	return err.Error()
}

// TestIDTokensRefused: only a token signed by the provider's published
// key, for this client, unexpired, carrying this sign-in's nonce, signs
// anyone in.
func TestIDTokensRefused(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		op := newFakeOP(t)
		e := op.env(t, db, api.SSOSettingsUpdate{Enabled: true})
		stranger, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		var earlier string // a good token of an earlier sign-in
		tests := []struct {
			name  string
			token func(g grant) string
		}{
			{"forged: signed with another key under the provider's key ID", func(g grant) string {
				return signWith(t, stranger, "k1", op.claims(g.nonce, "sub-1", "agent1@demo.phoneset.test", true))
			}},
			{"forged: signed with an unknown key", func(g grant) string {
				return signWith(t, stranger, "kx", op.claims(g.nonce, "sub-1", "agent1@demo.phoneset.test", true))
			}},
			{"expired", func(g grant) string {
				c := op.claims(g.nonce, "sub-1", "agent1@demo.phoneset.test", true)
				c["iat"], c["exp"] = time.Now().Add(-time.Hour).Unix(), time.Now().Add(-30*time.Minute).Unix()
				return op.sign(c)
			}},
			{"wrong audience", func(g grant) string {
				c := op.claims(g.nonce, "sub-1", "agent1@demo.phoneset.test", true)
				c["aud"] = "another-client"
				return op.sign(c)
			}},
			{"for another client too, authorised party the other", func(g grant) string {
				c := op.claims(g.nonce, "sub-1", "agent1@demo.phoneset.test", true)
				c["aud"], c["azp"] = []string{clientID, "another-client"}, "another-client"
				return op.sign(c)
			}},
			{"for another client too, no authorised party", func(g grant) string {
				c := op.claims(g.nonce, "sub-1", "agent1@demo.phoneset.test", true)
				c["aud"] = []string{"another-client", clientID}
				return op.sign(c)
			}},
			{"authorised party another client", func(g grant) string {
				c := op.claims(g.nonce, "sub-1", "agent1@demo.phoneset.test", true)
				c["azp"] = "another-client"
				return op.sign(c)
			}},
			{"wrong issuer", func(g grant) string {
				c := op.claims(g.nonce, "sub-1", "agent1@demo.phoneset.test", true)
				c["iss"] = "https://evil.example"
				return op.sign(c)
			}},
			{"wrong nonce", func(g grant) string {
				return op.sign(op.claims("not-this-sign-in", "sub-1", "agent1@demo.phoneset.test", true))
			}},
			{"no nonce", func(g grant) string {
				c := op.claims(g.nonce, "sub-1", "agent1@demo.phoneset.test", true)
				delete(c, "nonce")
				return op.sign(c)
			}},
			{"unsigned (alg none)", func(g grant) string {
				h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
				p, _ := json.Marshal(op.claims(g.nonce, "sub-1", "agent1@demo.phoneset.test", true))
				return h + "." + base64.RawURLEncoding.EncodeToString(p) + "."
			}},
			{"replayed: an earlier sign-in's token", func(g grant) string { return earlier }},
		}
		op.token = func(g grant) string {
			earlier = op.sign(op.claims(g.nonce, "sub-1", "agent1@demo.phoneset.test", true))
			return earlier
		}
		if _, err := e.login(t, "agent1@demo.phoneset.test"); err != nil {
			t.Fatalf("good token: %v", err)
		}
		for _, tt := range tests {
			op.token = tt.token
			tok, err := e.login(t, "agent1@demo.phoneset.test")
			if got := reasonOf(err); got != api.ReasonSSOFailed {
				t.Errorf("%s: %v %v, want %s", tt.name, tok.SessionID, errorString(err), api.ReasonSSOFailed)
			}
		}
	})
}

// TestReplayedStateRefused: a finish with a state already used (or a
// wrong verifier) signs nobody in.
func TestReplayedStateRefused(t *testing.T) {
	op := newFakeOP(t)
	e := op.env(t, "", api.SSOSettingsUpdate{Enabled: true})
	ctx := context.Background()
	c := newClient(t, e.base)
	verifier := strings.Repeat("a", 43)
	sum := sha256.Sum256([]byte(verifier))
	start, err := c.SSOStart(ctx, api.SSOStartRequest{Email: "agent1@demo.phoneset.test", RedirectURI: "http://[::1]:5000/callback",
		CodeChallenge: base64.RawURLEncoding.EncodeToString(sum[:]), CodeChallengeMethod: "S256"})
	if err != nil {
		t.Fatal(err)
	}
	code := op.authorize(t, start.AuthorizationURL)
	// The wrong verifier uses the sign-in up: the state is good once.
	_, err = c.SSOFinish(ctx, api.SSOFinishRequest{State: start.State, Code: code, CodeVerifier: strings.Repeat("b", 43)})
	if reasonOf(err) != api.ReasonSSOFailed {
		t.Fatalf("wrong verifier: %v", err)
	}
	_, err = c.SSOFinish(ctx, api.SSOFinishRequest{State: start.State, Code: code, CodeVerifier: verifier})
	if reasonOf(err) != api.ReasonSSOFailed {
		t.Fatalf("state used twice: %v", err)
	}
	tok, err := e.login(t, "agent1@demo.phoneset.test")
	if err != nil {
		t.Fatal(err)
	}
	// ... and a finished sign-in cannot be finished again.
	_, err = c.SSOFinish(ctx, api.SSOFinishRequest{State: start.State, Code: code, CodeVerifier: verifier})
	if reasonOf(err) != api.ReasonSSOFailed || tok.AccessToken == "" {
		t.Fatalf("replay after success: %v", err)
	}
}

// TestKeyRotation: a token signed with a key the provider published after
// the backend fetched its keys still verifies: go-oidc fetches the JWKS
// again for a key ID it does not know.
func TestKeyRotation(t *testing.T) {
	op := newFakeOP(t)
	e := op.env(t, "", api.SSOSettingsUpdate{Enabled: true})
	for _, kid := range []string{"", "k2", "k3"} {
		if kid != "" {
			op.rotate(kid)
		}
		if _, err := e.login(t, "agent1@demo.phoneset.test"); err != nil {
			t.Fatalf("after rotating to %q: %v", kid, err)
		}
	}
}

// TestLinking: the first sign-in links by verified email within the
// organisation's domains; later ones by the provider's subject; unknown
// people only with just-in-time creation; and "SSO only" ends password
// sign-in for members, not admins.
func TestLinking(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		op := newFakeOP(t)
		e := op.env(t, db, api.SSOSettingsUpdate{Enabled: true, SSOOnly: true})
		ctx := context.Background()
		as := func(sub, email string, verified bool) {
			op.token = func(g grant) string { return op.sign(op.claims(g.nonce, sub, email, verified)) }
		}
		me := func(tok api.Tokens) api.Me {
			c := newClient(t, e.base)
			c.SetTokens(tok)
			m, err := c.Me(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return m
		}

		as("sub-bo", "agent1@demo.phoneset.test", false)
		if _, err := e.login(t, "agent1@demo.phoneset.test"); reasonOf(err) != api.ReasonSSOEmailNotVerified {
			t.Errorf("unverified email: %v", err)
		}
		as("sub-bo", "agent1@demo.phoneset.test", true)
		tok, err := e.login(t, "agent1@demo.phoneset.test")
		if err != nil {
			t.Fatal(err)
		}
		if m := me(tok); m.User.ID != "usr_demo_agent1" {
			t.Errorf("signed in as %s", m.User.ID)
		}
		// Linked: the subject finds the account even if the provider's
		// address changes.
		as("sub-bo", "bo.renamed@demo.phoneset.test", true)
		if tok, err = e.login(t, "agent1@demo.phoneset.test"); err != nil || me(tok).User.ID != "usr_demo_agent1" {
			t.Errorf("linked sign-in: %v", err)
		}
		as("sub-stranger", "nobody@demo.phoneset.test", true)
		if _, err := e.login(t, "agent1@demo.phoneset.test"); reasonOf(err) != api.ReasonSSONoAccount {
			t.Errorf("unknown person: %v", err)
		}
		as("sub-other", "admin@other.example", true)
		if _, err := e.login(t, "agent1@demo.phoneset.test"); reasonOf(err) != api.ReasonSSONoAccount {
			t.Errorf("address outside the domains: %v", err)
		}
		if _, err := e.login(t, "someone@unknown.example"); reasonOf(err) != api.ReasonSSONotConfigured {
			t.Errorf("domain of no organisation: %v", err)
		}

		// SSO only: agents lose the password, the admin keeps it.
		_, err = newClient(t, e.base).SignIn(ctx, api.SignInRequest{Login: "agent2", Password: server.DemoPassword})
		if reasonOf(err) != api.ReasonSSORequired {
			t.Errorf("password sign-in with SSO only: %v", err)
		}
		if _, err := newClient(t, e.base).SignIn(ctx, api.SignInRequest{Login: "admin", Password: server.DemoPassword}); err != nil {
			t.Errorf("admin password sign-in with SSO only: %v", err)
		}

		// Just in time: the stranger gets an account.
		s, err := e.admin.OrgSSO(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.admin.SetOrgSSO(ctx, s.Version, api.SSOSettingsUpdate{Enabled: true, Issuer: s.Issuer, ClientID: s.ClientID,
			Domains: s.Domains, JustInTime: true}); err != nil {
			t.Fatal(err)
		}
		as("sub-stranger", "nobody@demo.phoneset.test", true)
		tok, err = e.login(t, "nobody@demo.phoneset.test")
		if err != nil {
			t.Fatalf("just in time: %v", err)
		}
		if m := me(tok); m.User.Email != "nobody@demo.phoneset.test" {
			t.Errorf("just-in-time account: %+v", m.User)
		}
		u, err := e.srv.Store().Q().UserByLogin(ctx, "nobody")
		if err != nil || u.OrgID != "org_demo" {
			t.Fatalf("just-in-time account: %v %+v", err, u)
		}
		// Made as every other account is: versioned, and audited as
		// created by the provider.
		if u.ProfileVersion != 1 || u.StatusVersion != 1 {
			t.Errorf("just-in-time account versions: profile %d, status %d", u.ProfileVersion, u.StatusVersion)
		}
		rows, err := e.srv.Store().DB().QueryContext(ctx, `SELECT actor_id, resource FROM audit_events WHERE action = 'user.create'`)
		if err != nil {
			t.Fatal(err)
		}
		var actors []string
		for rows.Next() {
			var actor, res string
			if err := rows.Scan(&actor, &res); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(res, u.ID) {
				actors = append(actors, actor)
			}
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		if len(actors) == 0 || slices.ContainsFunc(actors, func(a string) bool { return a != "sso:"+s.Issuer }) {
			t.Errorf("audit of the just-in-time account by %q, want the provider", actors)
		}
	})
}

// TestSecretNeverShown: the client secret is stored sealed, never
// answered, and the audit log says only that it changed.
func TestSecretNeverShown(t *testing.T) {
	op := newFakeOP(t)
	e := op.env(t, "", api.SSOSettingsUpdate{Enabled: true})
	ctx := context.Background()
	s, err := e.admin.OrgSSO(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !s.ClientSecretSet {
		t.Error("client_secret_set is false")
	}
	raw, err := e.srv.Store().Q().OrgSSO(ctx, "org_demo")
	if err != nil {
		t.Fatal(err)
	}
	if raw.ClientSecret == "" || strings.Contains(raw.ClientSecret, clientSecret) {
		t.Errorf("stored secret %q is not sealed", raw.ClientSecret)
	}
	var audit []byte
	err = e.srv.Store().DB().QueryRowContext(ctx, `SELECT group_concat(old_value || ' ' || new_value, '|') FROM audit_events`).Scan(&audit)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(audit), clientSecret) || !strings.Contains(string(audit), "set (new)") {
		t.Errorf("audit: %s", audit)
	}
}

// TestUserInfo: a provider that leaves the address out of the ID token has
// it read from UserInfo, which counts only for the token's subject.
func TestUserInfo(t *testing.T) {
	op := newFakeOP(t)
	e := op.env(t, "", api.SSOSettingsUpdate{Enabled: true})
	op.token = func(g grant) string {
		c := op.claims(g.nonce, "sub-bo", "", false)
		delete(c, "email")
		delete(c, "email_verified")
		return op.sign(c)
	}
	op.userinfo = map[string]any{"sub": "sub-mallory", "email": "agent1@demo.phoneset.test", "email_verified": true}
	if _, err := e.login(t, "agent1@demo.phoneset.test"); reasonOf(err) != api.ReasonSSOFailed {
		t.Errorf("UserInfo of another subject: %v", err)
	}
	op.userinfo["sub"] = "sub-bo"
	if _, err := e.login(t, "agent1@demo.phoneset.test"); err != nil {
		t.Errorf("address from UserInfo: %v", err)
	}
}

// TestOnlyVerifiedDomainsRoute: a domain the organisation has claimed but
// not proven routes no sign-in, and links or creates nobody even through
// a verified one; once its TXT record proves it, it does both.
func TestOnlyVerifiedDomainsRoute(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		op := newFakeOP(t)
		e := op.env(t, db, api.SSOSettingsUpdate{Enabled: true, JustInTime: true, Domains: []string{"demo.phoneset.test", "bigcorp.example"}})
		ctx := context.Background()
		op.token = func(g grant) string {
			return op.sign(op.claims(g.nonce, "sub-new", "new.person@bigcorp.example", true))
		}
		if _, err := e.login(t, "new.person@bigcorp.example"); reasonOf(err) != api.ReasonSSONotConfigured {
			t.Errorf("through a pending domain: %v", err)
		}
		if _, err := e.login(t, "agent1@demo.phoneset.test"); reasonOf(err) != api.ReasonSSONoAccount {
			t.Errorf("an address of a pending domain, through a verified one: %v", err)
		}
		s, err := e.admin.OrgSSO(ctx)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(s.DomainClaims, func(c api.SSODomain) bool { return c.Domain == "bigcorp.example" })
		if i < 0 || s.DomainClaims[i].State != api.SSODomainPending {
			t.Fatalf("claims %+v", s.DomainClaims)
		}
		e.dns.SetTXT(s.DomainClaims[i].RecordName, s.DomainClaims[i].RecordValue)
		if d, err := e.admin.VerifyOrgSSODomain(ctx, "bigcorp.example"); err != nil || d.State != api.SSODomainVerified {
			t.Fatalf("verify: %+v %v", d, err)
		}
		if _, err := e.login(t, "new.person@bigcorp.example"); err != nil {
			t.Errorf("through the verified domain: %v", err)
		}
		if u, err := e.srv.Store().Q().UserByLogin(ctx, "new.person@bigcorp.example"); err != nil || u.OrgID != "org_demo" {
			t.Errorf("just-in-time account: %+v %v", u, err)
		}
	})
}
