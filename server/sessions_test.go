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

// TestLockIsPerAccount locks agent1 by failed sign-ins with the username;
// every other spelling of the account is locked too, and so are reset codes.
func TestLockIsPerAccount(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		for range 5 {
			wantError(t, e.do(req{method: "POST", path: "/v1/sessions", body: api.SignInRequest{Login: "agent1", Password: "wrong-Password-1"}}), 401, api.CodeUnauthorized)
		}
		for _, login := range []string{"agent1", "agent1@demo.phoneset.test", "AGENT1@DEMO.PHONESET.TEST", " agent1 ", "Agent1"} {
			r := e.do(req{method: "POST", path: "/v1/sessions", body: api.SignInRequest{Login: login, Password: server.DemoPassword}})
			wantError(t, r, 429, api.CodeRateLimited)
			if r.header.Get("Retry-After") == "" {
				t.Fatalf("%q: no Retry-After", login)
			}
			r = e.do(req{method: "POST", path: "/v1/password-resets/confirm",
				body: api.PasswordResetConfirm{Login: login, Token: "123456", Password: "Tangerine-Orbit-42"}})
			wantError(t, r, 429, api.CodeRateLimited)
		}
		e.admin()

		// A login that names no account counts too, under every spelling, and
		// is answered like a wrong password until then.
		for range 5 {
			wantError(t, e.do(req{method: "POST", path: "/v1/sessions", body: api.SignInRequest{Login: "nobody", Password: "x"}}), 401, api.CodeUnauthorized)
		}
		wantError(t, e.do(req{method: "POST", path: "/v1/sessions", body: api.SignInRequest{Login: " NOBODY ", Password: "x"}}), 429, api.CodeRateLimited)
	})
}

// TestStolenTokenCannotTakeOver follows the takeover chain of issue 13: an
// access token copied from a session signed in more than five minutes ago
// cannot change the email address (the first step towards a password
// reset), nor the mobile, not even after refreshing; the password, in the
// request or re-entered in the session, can.
func TestStolenTokenCannotTakeOver(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e, clk := newClockEnv(t)
		stolen := e.agent1()
		clk.Add(6 * time.Minute)
		email := func(tok, password string) resp {
			return e.do(req{method: "POST", path: "/v1/me/email", token: tok, body: api.EmailChangeRequest{Email: "thief@example.com", Password: password}})
		}
		mobile := func(tok, password string) resp {
			return e.do(req{method: "POST", path: "/v1/me/mobile", token: tok, body: api.MobileChangeRequest{Mobile: "+46709999999", Password: password}})
		}
		reauth := func(tok, password string) resp {
			return e.do(req{method: "POST", path: "/v1/sessions/reauth", token: tok, body: api.PasswordProof{Password: password}})
		}
		before := snapshot(t, e)
		refused := func(tok string) {
			t.Helper()
			for name, r := range map[string]resp{"email": email(tok, ""), "mobile": mobile(tok, "")} {
				if ae := wantError(t, r, 403, api.CodeForbidden); ae.Reason == nil || ae.Reason.Code != api.ReasonReauthRequired {
					t.Errorf("%s: %s", name, r.body)
				}
			}
		}
		// Guessing the password is no way round: wrong is 422, and the
		// guesses are throttled.
		for name, r := range map[string]resp{"email": email(stolen.AccessToken, "guess-1"), "mobile": mobile(stolen.AccessToken, "guess-2"),
			"reauth": reauth(stolen.AccessToken, "guess-3")} {
			if ae := wantError(t, r, 422, api.CodeInvalid); ae.Fields["password"] == nil {
				t.Errorf("%s with a wrong password: %s", name, r.body)
			}
		}
		reauth(stolen.AccessToken, "guess-4")
		reauth(stolen.AccessToken, "guess-5")
		wantError(t, reauth(stolen.AccessToken, server.DemoPassword), 429, api.CodeRateLimited)
		refused(stolen.AccessToken)
		// Refreshing gives new tokens, not a fresh proof.
		var refreshed api.Tokens
		e.do(req{method: "POST", path: "/v1/sessions/refresh", body: api.RefreshRequest{RefreshToken: stolen.RefreshToken}}).decode(t, &refreshed)
		refused(refreshed.AccessToken)
		if snapshot(t, e) != before {
			t.Error("refused changes changed the database")
		}
		if _, ok := e.srv.Outbox().Last("thief@example.com"); ok {
			t.Error("a link went to the thief")
		}

		// The owner, who knows the password: in the request, or re-entered.
		clk.Add(15 * time.Minute) // the password attempts' window passes
		tok := e.agent1()
		clk.Add(6 * time.Minute)
		wantStatus(t, email(tok.AccessToken, server.DemoPassword), 202)
		wantError(t, mobile(tok.AccessToken, ""), 403, api.CodeForbidden)
		wantStatus(t, reauth(tok.AccessToken, server.DemoPassword), 204)
		wantStatus(t, mobile(tok.AccessToken, ""), 202)
		clk.Add(5 * time.Minute)
		wantError(t, mobile(tok.AccessToken, ""), 403, api.CodeForbidden)
		if n := auditActions(t, e, "user/"+e.demo.Agents[0].ID+"/sessions/"+tok.SessionID)["session.reauth"]; n != 1 {
			t.Errorf("%d re-authentications audited, want 1", n)
		}
	})
}

// TestChangesAnnounced: every change of password, email or mobile is told
// to the old address (and the old number), so a takeover is noticed.
func TestChangesAnnounced(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		a := e.agent1()
		const addr = "agent1@demo.phoneset.test"
		told := func(to, what string) {
			t.Helper()
			if m, ok := e.srv.Outbox().Last(to); !ok || !strings.Contains(m.Body, "The "+what+" of your Phoneset account was changed") {
				t.Errorf("%s was not told of the %s change: %+v", to, what, m)
			}
		}

		wantStatus(t, e.do(req{method: "POST", path: "/v1/me/mobile", token: a.AccessToken, body: api.MobileChangeRequest{Mobile: "+46709999999"}}), 202)
		m, _ := e.srv.Outbox().Last("+46709999999")
		wantStatus(t, e.do(req{method: "POST", path: "/v1/me/mobile/confirm", token: a.AccessToken, body: api.MobileConfirmRequest{Code: smsCode.FindString(m.Body)}}), 200)
		told(addr, "mobile number")
		told("+46701234502", "mobile number")

		wantStatus(t, e.do(req{method: "PUT", path: "/v1/me/password", token: a.AccessToken,
			body: api.PasswordChangeRequest{Current: server.DemoPassword, New: "Tangerine-Orbit-42"}}), 204)
		told(addr, "password")

		wantStatus(t, e.do(req{method: "POST", path: "/v1/me/email", token: a.AccessToken, body: api.EmailChangeRequest{Email: "bo.new@example.com"}}), 202)
		m, _ = e.srv.Outbox().Last("bo.new@example.com")
		wantStatus(t, e.do(req{method: "POST", path: "/v1/me/email/confirm", token: a.AccessToken, body: api.TokenRequest{Token: linkToken.FindString(m.Body)}}), 200)
		told(addr, "email address")

		// A reset is a change too.
		wantStatus(t, e.do(req{method: "POST", path: "/v1/password-resets", body: api.PasswordResetRequest{Login: "agent1", Channel: "email"}}), 202)
		m, _ = e.srv.Outbox().Last("bo.new@example.com")
		wantStatus(t, e.do(req{method: "POST", path: "/v1/password-resets/confirm",
			body: api.PasswordResetConfirm{Token: linkToken.FindString(m.Body), Password: "Clementine-Delta-77"}}), 204)
		told("bo.new@example.com", "password")
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
