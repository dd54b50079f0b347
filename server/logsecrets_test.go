package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/phoneset/phoneset/account"
	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/api/client"
	"github.com/phoneset/phoneset/server"
	"github.com/phoneset/phoneset/server/mail"
)

// logBuffer collects a logger's output; slog handlers write whole records.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// debugLogger logs everything, without timestamps (their digits could
// pass for a six-digit code).
func debugLogger(w *logBuffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		}}))
}

// gateway is an SMS/mail webhook that keeps what it is sent, and can be
// told to fail (500) or drop the connection, so the server's delivery
// errors get logged too.
type gateway struct {
	mu   sync.Mutex
	msgs []mail.Message
	mode string // "", "fail" or "drop", for the next request only
}

func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var m mail.Message
	json.NewDecoder(r.Body).Decode(&m)
	g.mu.Lock()
	g.msgs = append(g.msgs, m)
	mode := g.mode
	g.mode = ""
	g.mu.Unlock()
	switch mode {
	case "fail":
		http.Error(w, "gateway broken", http.StatusInternalServerError)
	case "drop":
		if c, _, err := w.(http.Hijacker).Hijack(); err == nil {
			c.Close()
		}
	}
}

func (g *gateway) next(mode string) {
	g.mu.Lock()
	g.mode = mode
	g.mu.Unlock()
}

// last is the secret in the newest message that has one: a link token
// or a code.
func (g *gateway) last(t *testing.T) string {
	t.Helper()
	g.mu.Lock()
	defer g.mu.Unlock()
	for i := len(g.msgs) - 1; i >= 0; i-- {
		body := g.msgs[i].Body
		if s := regexp.MustCompile(`psl_[A-Za-z0-9_-]+`).FindString(body); s != "" {
			return s
		}
		if s := regexp.MustCompile(`\b\d{6}\b`).FindString(body); s != "" {
			return s
		}
	}
	t.Fatal("no message with a token or code")
	return ""
}

// flakyKeyring is an in-memory keyring whose first Set fails, so the app
// logs a keyring problem.
type flakyKeyring struct {
	mu     sync.Mutex
	items  map[string]string
	failed bool
}

func (k *flakyKeyring) Get(service, user string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	s, ok := k.items[service+"\n"+user]
	if !ok {
		return "", errors.New("not found")
	}
	return s, nil
}

func (k *flakyKeyring) Set(service, user, secret string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.failed {
		k.failed = true
		return errors.New("the keyring is locked")
	}
	k.items[service+"\n"+user] = secret
	return nil
}

func (k *flakyKeyring) Delete(service, user string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.items, service+"\n"+user)
	return nil
}

// TestNoSecretInLogs runs a full session against a server and an app that
// both log at debug level, through the error paths too (wrong passwords
// and codes, a reused refresh token, a failing and a vanishing SMS
// gateway, expired access tokens, a locked keyring), then looks for every
// secret that passed by in both logs.
func TestNoSecretInLogs(t *testing.T) {
	var srvLog, appLog logBuffer
	gw := &gateway{}
	gws := httptest.NewServer(gw)
	defer gws.Close()
	const gwKey, gwToken = "gwkey-5b1c8e0f7d", "gwtoken-93ad71c2e4"
	hook := &mail.Webhook{URL: gws.URL + "/send?key=" + gwKey, Header: http.Header{"Authorization": {"Bearer " + gwToken}}}
	clk := &clock{now: time.Now()}
	e := newEnvWith(t, server.Config{Logger: debugLogger(&srvLog), Mail: hook, SMS: hook, Now: clk.Now})

	secrets := []string{gwKey, gwToken, server.DemoPassword}
	keep := func(s ...string) { secrets = append(secrets, s...) }
	must := func(r resp, status int) resp {
		t.Helper()
		wantStatus(t, r, status)
		return r
	}
	post := func(path, tok string, body any) resp {
		return e.do(req{method: "POST", path: path, token: tok, body: body})
	}

	// Sign-ins, right and wrong.
	const wrong = "Wrong-Horse-Battery-7"
	keep(wrong)
	must(post("/v1/sessions", "", api.SignInRequest{Login: "agent1", Password: wrong}), 401)
	s1 := e.agent1()
	keep(s1.AccessToken, s1.RefreshToken)

	// Refresh, then reuse the old refresh token after the grace period:
	// the session is revoked as stolen.
	var s2 api.Tokens
	must(post("/v1/sessions/refresh", "", api.RefreshRequest{RefreshToken: s1.RefreshToken}), 200).decode(t, &s2)
	keep(s2.AccessToken, s2.RefreshToken)
	clk.Add(time.Minute)
	must(post("/v1/sessions/refresh", "", api.RefreshRequest{RefreshToken: s1.RefreshToken}), 401)
	must(e.do(req{method: "GET", path: "/v1/me", token: s2.AccessToken}), 401)

	// An expired access token.
	s3 := e.agent1()
	keep(s3.AccessToken, s3.RefreshToken)
	clk.Add(16 * time.Minute)
	must(e.do(req{method: "GET", path: "/v1/me", token: s3.AccessToken}), 401)
	s3 = e.agent1()
	keep(s3.AccessToken, s3.RefreshToken)
	tok := s3.AccessToken

	// The API key: revealed, used both ways, regenerated.
	var k1, k2 api.APIKey
	must(post("/v1/me/api-key/reveal", tok, api.PasswordProof{Password: wrong}), 422)
	must(post("/v1/me/api-key/reveal", tok, api.PasswordProof{Password: server.DemoPassword}), 200).decode(t, &k1)
	keep(k1.Key)
	must(e.do(req{method: "GET", path: "/v1/me", token: k1.Key}), 200)
	must(e.do(req{method: "GET", path: "/v1/me", header: map[string]string{"X-API-Key": k1.Key}}), 200)
	must(post("/v1/me/api-key/regenerate", tok, api.PasswordProof{Password: server.DemoPassword}), 200).decode(t, &k2)
	keep(k2.Key)
	must(e.do(req{method: "GET", path: "/v1/me", header: map[string]string{"X-API-Key": k1.Key}}), 401)

	// Email change by link (wrong token first), mobile change by code.
	must(post("/v1/me/email", tok, api.EmailChangeRequest{Email: "bo.secret@example.com"}), 202)
	link := gw.last(t)
	keep(link)
	// Links carry their token in the URL, where an access log would keep it.
	must(e.do(req{method: "GET", path: "/v1/email/confirm?token=" + link}), 200)
	must(post("/v1/email/confirm", "", api.TokenRequest{Token: "psl_wrong"}), 422)
	must(post("/v1/email/confirm", "", api.TokenRequest{Token: link}), 200)
	must(post("/v1/me/mobile", tok, api.MobileChangeRequest{Mobile: "+46 70 555 12 34"}), 202)
	code := gw.last(t)
	keep(code)
	must(post("/v1/me/mobile/confirm", tok, api.MobileConfirmRequest{Code: "000000"}), 422)
	must(post("/v1/me/mobile/confirm", tok, api.MobileConfirmRequest{Code: code}), 200)

	// The gateway fails, then vanishes mid-request: the failed messages
	// held codes too.
	gw.next("fail")
	must(post("/v1/me/mobile", tok, api.MobileChangeRequest{Mobile: "+46 70 555 12 35"}), 502)
	keep(gw.last(t))
	gw.next("drop")
	must(post("/v1/me/mobile", tok, api.MobileChangeRequest{Mobile: "+46 70 555 12 36"}), 502)
	keep(gw.last(t))

	// Password change, then resets by email link and by SMS code.
	const pw2, pw3, pw4 = "Tangerine-Orbit-42", "Clementine-Quartz-77", "Satsuma-Nebula-58"
	keep(pw2, pw3, pw4)
	must(e.do(req{method: "PUT", path: "/v1/me/password", token: tok, body: api.PasswordChangeRequest{Current: server.DemoPassword, New: pw2}}), 204)
	must(post("/v1/password-resets", "", api.PasswordResetRequest{Login: "agent1", Channel: "email"}), 202)
	resetLink := gw.last(t)
	keep(resetLink)
	must(e.do(req{method: "GET", path: "/v1/password-resets/confirm?token=" + resetLink}), 200)
	must(post("/v1/password-resets/confirm", "", api.PasswordResetConfirm{Token: resetLink, Password: pw3}), 204)
	must(post("/v1/password-resets", "", api.PasswordResetRequest{Login: "agent1", Channel: "sms"}), 202)
	resetCode := gw.last(t)
	keep(resetCode)
	must(post("/v1/password-resets/confirm", "", api.PasswordResetConfirm{Login: "agent1", Token: "000000", Password: pw4}), 422)
	must(post("/v1/password-resets/confirm", "", api.PasswordResetConfirm{Login: "agent1", Token: resetCode, Password: pw4}), 204)
	s4 := e.signIn("agent1", pw4)
	keep(s4.AccessToken, s4.RefreshToken)
	must(e.do(req{method: "DELETE", path: "/v1/sessions/current", token: s4.AccessToken}), 204)

	// Two-factor sign-in: enrol, a wrong and a right code, a remembered
	// device, a recovery code, off again.
	a2 := e.signIn("agent2", server.DemoPassword)
	keep(a2.AccessToken, a2.RefreshToken)
	var en api.TOTPEnrolment
	must(post("/v1/me/second-factor", a2.AccessToken, api.PasswordProof{Password: server.DemoPassword}), 200).decode(t, &en)
	keep(en.Secret, en.URI)
	first := totpAt(t, en.Secret, clk.Now())
	var rc api.RecoveryCodeList
	must(post("/v1/me/second-factor/confirm", a2.AccessToken, api.CodeRequest{Code: first}), 200).decode(t, &rc)
	keep(first)
	keep(rc.Codes...)
	clk.Add(30 * time.Second)
	ch, _ := challenge(t, e, "agent2", "")
	keep(ch)
	must(post("/v1/sessions/second-factor", "", api.SecondFactorRequest{Challenge: ch, Code: "000000"}), 422)
	next := totpAt(t, en.Secret, clk.Now())
	keep(next)
	var a3 api.SecondFactorTokens
	must(post("/v1/sessions/second-factor", "", api.SecondFactorRequest{Challenge: ch, Code: next, RememberDevice: true}), 201).decode(t, &a3)
	keep(a3.AccessToken, a3.RefreshToken, a3.DeviceToken)
	must(post("/v1/sessions", "", api.SignInRequest{Login: "agent2", Password: server.DemoPassword, DeviceToken: a3.DeviceToken}), 201)
	ch, _ = challenge(t, e, "agent2", "")
	keep(ch)
	must(post("/v1/sessions/second-factor", "", api.SecondFactorRequest{Challenge: ch, Code: rc.Codes[0]}), 201)
	must(e.do(req{method: "DELETE", path: "/v1/me/second-factor", token: a3.AccessToken,
		body: api.SecondFactorOff{Password: server.DemoPassword, Code: rc.Codes[1]}}), 204)

	// The app: sign in with a locked keyring, edit, outlive the access
	// token (the client refreshes), sign out.
	ctx := context.Background()
	alog := debugLogger(&appLog)
	var seen []api.Tokens
	var seenMu sync.Mutex
	var down atomic.Bool
	target, _ := url.Parse(e.base)
	rp := httputil.NewSingleHostReverseProxy(target)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				conn.Close()
			}
			return
		}
		rp.ServeHTTP(w, r)
	}))
	defer proxy.Close()
	c, err := client.New(proxy.URL, client.WithLogger(alog))
	if err != nil {
		t.Fatal(err)
	}
	kr := &flakyKeyring{items: map[string]string{}}
	m, err := account.Open(account.Config{DataDir: t.TempDir(), Client: c, Keyring: kr, Logger: alog,
		RetryMin: time.Millisecond, RetryMax: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	m.Subscribe(func(account.Change) {
		seenMu.Lock()
		seen = append(seen, c.Tokens())
		seenMu.Unlock()
	})
	if err := m.SignIn(ctx, "agent2", server.DemoPassword, "laptop"); err != nil {
		t.Fatal(err)
	}
	if m.KeyringProblem() == nil {
		t.Fatal("the locked keyring went unnoticed")
	}
	waitSync := func() {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for m.Sync().Kind != account.Synced {
			if time.Now().After(deadline) {
				t.Fatalf("app sync: %+v", m.Sync())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	if err := m.UpdateProfile(api.ProfilePatch{DisplayName: ptr("Cy Secretive")}); err != nil {
		t.Fatal(err)
	}
	waitSync()
	// Offline for a while: the edit waits, the failures are logged.
	down.Store(true)
	if err := m.UpdateProfile(api.ProfilePatch{DisplayName: ptr("Cy Offline")}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for m.Sync().Kind != account.Offline {
		if time.Now().After(deadline) {
			t.Fatalf("app never went offline: %+v", m.Sync())
		}
		time.Sleep(5 * time.Millisecond)
	}
	down.Store(false)
	waitSync()
	before := c.Tokens()
	clk.Add(16 * time.Minute)
	if err := m.UpdateProfile(api.ProfilePatch{DisplayName: ptr("Cy Refreshed")}); err != nil {
		t.Fatal(err)
	}
	waitSync()
	after := c.Tokens()
	if after.AccessToken == before.AccessToken {
		t.Fatal("the app did not refresh its expired token")
	}
	if err := m.SignOut(ctx); err != nil {
		t.Fatal(err)
	}
	seenMu.Lock()
	for _, tk := range append(seen, before, after) {
		if tk.AccessToken != "" {
			keep(tk.AccessToken, tk.RefreshToken)
		}
	}
	seenMu.Unlock()
	for _, v := range kr.items {
		keep(v)
	}

	// Both logs must have recorded the trouble, and no secret.
	logs := map[string]string{"server": srvLog.String(), "app": appLog.String()}
	for _, want := range []string{"message delivery failed", "webhook answered 500"} {
		if !strings.Contains(logs["server"], want) {
			t.Errorf("server log lacks %q:\n%s", want, logs["server"])
		}
	}
	for _, want := range []string{"keyring unavailable", "sync failed"} {
		if !strings.Contains(logs["app"], want) {
			t.Errorf("app log lacks %q:\n%s", want, logs["app"])
		}
	}
	if len(secrets) < 25 {
		t.Fatalf("only %d secrets collected", len(secrets))
	}
	for name, text := range logs {
		for _, s := range secrets {
			re := regexp.QuoteMeta(s)
			if regexp.MustCompile(`^\d+$`).MatchString(s) {
				re = `(^|\D)` + re + `(\D|$)` // a code, not part of a longer number
			}
			if loc := regexp.MustCompile(re).FindStringIndex(text); loc != nil {
				lo, hi := max(0, loc[0]-120), min(len(text), loc[1]+120)
				t.Errorf("%s log holds the secret %q: …%s…", name, s, text[lo:hi])
			}
		}
	}
	t.Logf("server log:\n%s\napp log:\n%s", logs["server"], logs["app"])
	t.Logf("%d secrets checked against %d bytes of server log and %d of app log",
		len(secrets), len(logs["server"]), len(logs["app"]))
}
