package server_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server"
)

func TestSignIn(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		tests := []struct {
			name   string
			body   any
			ctype  string
			status int
			code   string
			field  string
		}{
			{name: "username", body: api.SignInRequest{Login: "admin", Password: server.DemoPassword}, status: 201},
			{name: "email any case", body: api.SignInRequest{Login: "ADMIN@Demo.Phoneset.test", Password: server.DemoPassword}, status: 201},
			{name: "username any case", body: api.SignInRequest{Login: "Agent1", Password: server.DemoPassword}, status: 201},
			{name: "wrong password", body: api.SignInRequest{Login: "agent2", Password: "Phoneset-demo-2"}, status: 401, code: api.CodeUnauthorized},
			{name: "unknown user", body: api.SignInRequest{Login: "nobody", Password: server.DemoPassword}, status: 401, code: api.CodeUnauthorized},
			{name: "empty login", body: api.SignInRequest{Password: "x"}, status: 422, code: api.CodeInvalid, field: "login"},
			{name: "empty password", body: api.SignInRequest{Login: "admin"}, status: 422, code: api.CodeInvalid, field: "password"},
			{name: "control chars in device", body: api.SignInRequest{Login: "admin", Password: "x", Device: "a\x01b"}, status: 422, code: api.CodeInvalid, field: "device"},
			{name: "unknown field", body: `{"login":"admin","password":"x","admin":true}`, status: 400, code: api.CodeInvalid, field: "admin"},
			{name: "wrong type", body: `{"login":1,"password":"x"}`, status: 400, code: api.CodeInvalid, field: "login"},
			{name: "not json", body: `login=admin`, status: 400, code: api.CodeInvalid},
			{name: "two values", body: `{"login":"admin","password":"x"}{}`, status: 400, code: api.CodeInvalid},
			{name: "empty body", body: ``, status: 400, code: api.CodeInvalid},
			{name: "form content type", body: `{"login":"admin","password":"x"}`, ctype: "application/x-www-form-urlencoded", status: 415, code: api.CodeUnsupportedMedia},
			{name: "too large", body: `{"login":"` + strings.Repeat("a", 70<<10) + `"}`, status: 413, code: api.CodeTooLarge},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := e.do(req{method: "POST", path: "/v1/sessions", body: tt.body, ctype: tt.ctype})
				if tt.code == "" {
					wantStatus(t, r, tt.status)
					var tok api.Tokens
					r.decode(t, &tok)
					for _, s := range []struct{ v, prefix string }{{tok.AccessToken, "psa_"}, {tok.RefreshToken, "psr_"}} {
						// 32 random bytes in unpadded base64url are 43 characters.
						if !strings.HasPrefix(s.v, s.prefix) || len(s.v) != len(s.prefix)+43 {
							t.Errorf("token %q: want %s + 256 bits", s.v, s.prefix)
						}
					}
					if tok.SessionID == "" || time.Until(tok.ExpiresAt) <= 0 {
						t.Errorf("tokens = %+v", tok)
					}
					return
				}
				ae := wantError(t, r, tt.status, tt.code)
				if tt.field != "" && ae.Fields[tt.field] == nil {
					t.Errorf("fields = %v, want %q", ae.Fields, tt.field)
				}
			})
		}
	})
}

func TestTokensAndPasswordsStoredHashed(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		tok := e.admin()
		db := e.srv.Store().DB()
		var n int
		if err := db.QueryRow(`SELECT COUNT(*) FROM sessions WHERE access_hash = '` + tok.AccessToken + `' OR refresh_hash = '` + tok.RefreshToken + `'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatal("a raw token is stored")
		}
		sum := sha256.Sum256([]byte(tok.AccessToken))
		if err := db.QueryRow(`SELECT COUNT(*) FROM sessions WHERE access_hash = '` + hex.EncodeToString(sum[:]) + `'`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("sha-256 of the access token not found: n=%d err=%v", n, err)
		}
		var hash string
		if err := db.QueryRow(`SELECT password_hash FROM users WHERE username = 'admin'`).Scan(&hash); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(hash, "$argon2id$v=19$m=") || strings.Contains(hash, server.DemoPassword) {
			t.Fatalf("password hash %q is not a PHC argon2id string", hash)
		}
	})
}

func TestSessionLifecycle(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		a := e.admin()
		b := e.admin()
		c := e.admin()

		r := e.do(req{method: "GET", path: "/v1/me/sessions", token: a.AccessToken})
		wantStatus(t, r, 200)
		var list []api.Session
		r.decode(t, &list)
		if len(list) != 3 {
			t.Fatalf("sessions = %d, want 3", len(list))
		}
		for _, s := range list {
			if s.Current != (s.ID == a.SessionID) || s.Device != "test" || s.IP != "127.0.0.1" || s.Created.IsZero() || s.LastSeen.IsZero() {
				t.Errorf("session %+v", s)
			}
		}

		// Sign out one session by ID: its token is refused at once.
		wantStatus(t, e.do(req{method: "DELETE", path: "/v1/me/sessions/" + b.SessionID, token: a.AccessToken}), 204)
		wantError(t, e.do(req{method: "GET", path: "/v1/me", token: b.AccessToken}), 401, api.CodeUnauthorized)
		wantError(t, e.do(req{method: "POST", path: "/v1/sessions/refresh", body: api.RefreshRequest{RefreshToken: b.RefreshToken}}), 401, api.CodeUnauthorized)
		wantError(t, e.do(req{method: "DELETE", path: "/v1/me/sessions/" + b.SessionID, token: a.AccessToken}), 404, api.CodeNotFound)

		// Another user's session cannot be ended.
		o := e.agent1()
		wantError(t, e.do(req{method: "DELETE", path: "/v1/me/sessions/" + o.SessionID, token: a.AccessToken}), 404, api.CodeNotFound)
		wantStatus(t, e.do(req{method: "GET", path: "/v1/me", token: o.AccessToken}), 200)

		// Sign out all others.
		r = e.do(req{method: "DELETE", path: "/v1/me/sessions", token: a.AccessToken})
		wantStatus(t, r, 200)
		var so api.SignedOut
		r.decode(t, &so)
		if so.Count != 1 {
			t.Errorf("signed out %d, want 1", so.Count)
		}
		wantError(t, e.do(req{method: "GET", path: "/v1/me", token: c.AccessToken}), 401, api.CodeUnauthorized)
		wantStatus(t, e.do(req{method: "GET", path: "/v1/me", token: a.AccessToken}), 200)

		// Sign out this session.
		wantStatus(t, e.do(req{method: "DELETE", path: "/v1/sessions/current", token: a.AccessToken}), 204)
		r = e.do(req{method: "GET", path: "/v1/me", token: a.AccessToken})
		wantError(t, r, 401, api.CodeUnauthorized)
		if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("401 without WWW-Authenticate: %v", r.header)
		}

		events := auditActions(t, e, "")
		for _, want := range []string{"session.create", "session.delete", "session.delete_others"} {
			if events[want] == 0 {
				t.Errorf("no %s audit event; have %v", want, events)
			}
		}
	})
}

func TestUnauthenticated(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		for _, tok := range []string{"", "psa_nothing", "psk_nothing", strings.Repeat("x", 500)} {
			wantError(t, e.do(req{method: "GET", path: "/v1/me", token: tok}), 401, api.CodeUnauthorized)
		}
	})
}

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func newClockEnv(t *testing.T) (*env, *clock) {
	c := &clock{now: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)}
	return newEnvWith(t, server.Config{Now: c.Now}), c
}

func TestRefresh(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e, clk := newClockEnv(t)
		first := e.admin()

		refresh := func(rt string) resp {
			return e.do(req{method: "POST", path: "/v1/sessions/refresh", body: api.RefreshRequest{RefreshToken: rt}})
		}
		r := refresh(first.RefreshToken)
		wantStatus(t, r, 200)
		var second api.Tokens
		r.decode(t, &second)
		if second.SessionID != first.SessionID || second.AccessToken == first.AccessToken || second.RefreshToken == first.RefreshToken {
			t.Fatalf("refresh did not rotate: %+v → %+v", first, second)
		}
		wantError(t, e.do(req{method: "GET", path: "/v1/me", token: first.AccessToken}), 401, api.CodeUnauthorized)
		wantStatus(t, e.do(req{method: "GET", path: "/v1/me", token: second.AccessToken}), 200)

		// The access token expires; the refresh token still works.
		clk.Add(16 * time.Minute)
		wantError(t, e.do(req{method: "GET", path: "/v1/me", token: second.AccessToken}), 401, api.CodeUnauthorized)
		r = refresh(second.RefreshToken)
		wantStatus(t, r, 200)
		var third api.Tokens
		r.decode(t, &third)

		// Retrying with the token just rotated away is fine within the grace
		// period (the client lost the answer)...
		clk.Add(5 * time.Second)
		r = refresh(second.RefreshToken)
		wantStatus(t, r, 200)
		var fourth api.Tokens
		r.decode(t, &fourth)

		// ...but an old token coming back later means theft: the session ends.
		clk.Add(time.Minute)
		wantError(t, refresh(third.RefreshToken), 401, api.CodeUnauthorized)
		wantError(t, e.do(req{method: "GET", path: "/v1/me", token: fourth.AccessToken}), 401, api.CodeUnauthorized)
		wantError(t, refresh(fourth.RefreshToken), 401, api.CodeUnauthorized)

		for _, bad := range []string{"", "psr_unknown", "psa_" + strings.Repeat("a", 43)} {
			wantError(t, refresh(bad), 401, api.CodeUnauthorized)
		}

		// A session not refreshed for 30 days is over.
		s := e.admin()
		clk.Add(31 * 24 * time.Hour)
		wantError(t, refresh(s.RefreshToken), 401, api.CodeUnauthorized)
	})
}

func TestLoginRateLimit(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e, clk := newClockEnv(t)
		bad := api.SignInRequest{Login: "agent1", Password: "wrong-Password-1"}
		for range 5 {
			wantError(t, e.do(req{method: "POST", path: "/v1/sessions", body: bad}), 401, api.CodeUnauthorized)
		}
		// The account is locked now, even for the right password.
		r := e.do(req{method: "POST", path: "/v1/sessions", body: api.SignInRequest{Login: "AGENT1", Password: server.DemoPassword}})
		wantError(t, r, 429, api.CodeRateLimited)
		secs, err := strconv.Atoi(r.header.Get("Retry-After"))
		if err != nil || secs <= 0 || secs > 15*60 {
			t.Fatalf("Retry-After = %q", r.header.Get("Retry-After"))
		}
		// Other accounts are unaffected.
		e.admin()
		// The window passes.
		clk.Add(time.Duration(secs) * time.Second)
		e.agent1()

		// Per IP: failures spread over many accounts are throttled too.
		clk.Add(15 * time.Minute)
		limited := false
		for i := range 40 {
			r := e.do(req{method: "POST", path: "/v1/sessions", body: api.SignInRequest{Login: "user" + strconv.Itoa(i), Password: "x"}})
			if r.status == http.StatusTooManyRequests {
				limited = true
				if i < 30 {
					t.Fatalf("limited after %d failures", i)
				}
				break
			}
		}
		if !limited {
			t.Fatal("40 failed sign-ins from one IP were never throttled")
		}
	})
}

// auditActions counts the org's audit events by action, optionally only
// those on one resource.
func auditActions(t testing.TB, e *env, resource string) map[string]int {
	t.Helper()
	q := e.srv.Store().Q()
	evs, err := q.AuditEvents(t.Context(), storeFilter(e.demo.OrgID, resource))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, ev := range evs {
		out[ev.Action]++
	}
	return out
}
