package server_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server"
)

func TestChangePassword(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		const next = "Tangerine-Orbit-42"
		tests := []struct {
			name          string
			current, new_ string
			status        int
			field         string
		}{
			{"wrong current", "Phoneset-demo-2", next, 422, "current"},
			{"too short", server.DemoPassword, "Ab1!x", 422, "new"},
			{"no special", server.DemoPassword, "Tangerine0rbit42", 422, "new"},
			{"common", server.DemoPassword, "Password123!", 422, "new"},
			{"contains username", server.DemoPassword, "Agent1-Tangerine!", 422, "new"},
			{"same as current", server.DemoPassword, server.DemoPassword, 422, "new"},
			{"ok", server.DemoPassword, next, 204, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e := newEnv(t)
				a, b := e.agent1(), e.agent1()
				r := e.do(req{method: "PUT", path: "/v1/me/password", token: a.AccessToken,
					body: api.PasswordChangeRequest{Current: tt.current, New: tt.new_}})
				if tt.field != "" {
					ae := wantError(t, r, tt.status, api.CodeInvalid)
					if ae.Fields[tt.field] == nil {
						t.Fatalf("fields %v, want %s", ae.Fields, tt.field)
					}
					wantStatus(t, e.do(req{method: "GET", path: "/v1/me", token: b.AccessToken}), 200)
					e.agent1() // the old password still works
					return
				}
				wantStatus(t, r, tt.status)
				// Other sessions end; this one stays.
				wantError(t, e.do(req{method: "GET", path: "/v1/me", token: b.AccessToken}), 401, api.CodeUnauthorized)
				wantStatus(t, e.do(req{method: "GET", path: "/v1/me", token: a.AccessToken}), 200)
				wantError(t, e.do(req{method: "POST", path: "/v1/sessions", body: api.SignInRequest{Login: "agent1", Password: server.DemoPassword}}), 401, api.CodeUnauthorized)
				e.signIn("agent1", next)
				if auditActions(t, e, "user/"+e.demo.Agents[0].ID+"/password")["password.change"] != 1 {
					t.Error("no password.change audit event")
				}
			})
		}
	})
}

func TestPasswordProofIsThrottled(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		a := e.agent1()
		for range 5 {
			wantError(t, e.do(req{method: "PUT", path: "/v1/me/password", token: a.AccessToken,
				body: api.PasswordChangeRequest{Current: "Guess-Guess-1", New: "Tangerine-Orbit-42"}}), 422, api.CodeInvalid)
		}
		r := e.do(req{method: "PUT", path: "/v1/me/password", token: a.AccessToken,
			body: api.PasswordChangeRequest{Current: server.DemoPassword, New: "Tangerine-Orbit-42"}})
		wantError(t, r, 429, api.CodeRateLimited)
		if r.header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
	})
}

var linkToken = regexp.MustCompile(`psl_[A-Za-z0-9_-]{43}`)
var smsCode = regexp.MustCompile(`\b\d{6}\b`)

func TestPasswordResetByEmail(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		old := e.agent1()
		var key api.APIKey
		e.do(req{method: "POST", path: "/v1/me/api-key/reveal", token: old.AccessToken, body: api.PasswordProof{Password: server.DemoPassword}}).decode(t, &key)
		wantStatus(t, e.do(req{method: "GET", path: "/v1/me", header: map[string]string{"X-API-Key": key.Key}}), 200)
		before := len(e.srv.Outbox().Messages())
		// Unknown logins get the same answer and no message.
		wantStatus(t, e.do(req{method: "POST", path: "/v1/password-resets", body: api.PasswordResetRequest{Login: "nobody", Channel: "email"}}), 202)
		if n := len(e.srv.Outbox().Messages()); n != before {
			t.Fatalf("a message was sent for an unknown login")
		}
		wantError(t, e.do(req{method: "POST", path: "/v1/password-resets", body: api.PasswordResetRequest{Login: "agent1", Channel: "fax"}}), 422, api.CodeInvalid)

		wantStatus(t, e.do(req{method: "POST", path: "/v1/password-resets", body: api.PasswordResetRequest{Login: "Agent1", Channel: "email"}}), 202)
		m, ok := e.srv.Outbox().Last("agent1@demo.phoneset.test")
		if !ok {
			t.Fatal("no reset email")
		}
		token := linkToken.FindString(m.Body)
		if token == "" || !strings.Contains(m.Body, e.base+"/v1/password-resets/confirm?token="+token) {
			t.Fatalf("reset email without link: %q", m.Body)
		}

		// The link opens a form; the token is only spent by the post.
		r := e.do(req{method: "GET", path: "/v1/password-resets/confirm?token=" + token})
		wantStatus(t, r, 200)
		if !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !strings.Contains(string(r.body), `name="password"`) {
			t.Fatalf("form page: %s", r.body)
		}
		// A weak password is refused and the token stays usable.
		form := url.Values{"token": {token}, "password": {"password"}}.Encode()
		r = e.do(req{method: "POST", path: "/v1/password-resets/confirm", body: form, ctype: "application/x-www-form-urlencoded"})
		if r.status != 422 || !strings.Contains(string(r.body), "Choose a new password") {
			t.Fatalf("weak password on the form: %d %s", r.status, r.body)
		}
		form = url.Values{"token": {token}, "password": {"Tangerine-Orbit-42"}}.Encode()
		r = e.do(req{method: "POST", path: "/v1/password-resets/confirm", body: form, ctype: "application/x-www-form-urlencoded"})
		if r.status != 200 || !strings.Contains(string(r.body), "Password changed") {
			t.Fatalf("form post: %d %s", r.status, r.body)
		}
		// Every session ended and the API key is revoked; the new password
		// works; the token is spent.
		wantError(t, e.do(req{method: "GET", path: "/v1/me", token: old.AccessToken}), 401, api.CodeUnauthorized)
		wantError(t, e.do(req{method: "GET", path: "/v1/me", header: map[string]string{"X-API-Key": key.Key}}), 401, api.CodeUnauthorized)
		fresh := e.signIn("agent1", "Tangerine-Orbit-42")
		var next api.APIKey
		e.do(req{method: "POST", path: "/v1/me/api-key/reveal", token: fresh.AccessToken, body: api.PasswordProof{Password: "Tangerine-Orbit-42"}}).decode(t, &next)
		if next.Key == "" || next.Key == key.Key {
			t.Errorf("after the reset the key is %q, want a new one", next.Key)
		}
		wantError(t, e.do(req{method: "POST", path: "/v1/password-resets/confirm",
			body: api.PasswordResetConfirm{Token: token, Password: "Another-Orbit-43"}}), 422, api.CodeInvalid)
	})
}

func TestPasswordResetBySMS(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e, clk := newClockEnv(t)
		request := func() string {
			t.Helper()
			wantStatus(t, e.do(req{method: "POST", path: "/v1/password-resets", body: api.PasswordResetRequest{Login: "agent1", Channel: "sms"}}), 202)
			m, ok := e.srv.Outbox().Last("+46701234502")
			if !ok || m.Channel != "sms" {
				t.Fatal("no reset SMS")
			}
			return smsCode.FindString(m.Body)
		}
		confirm := func(code, pw string) resp {
			return e.do(req{method: "POST", path: "/v1/password-resets/confirm", body: api.PasswordResetConfirm{Login: "agent1", Token: code, Password: pw}})
		}
		code := request()
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		for range 5 {
			wantError(t, confirm(wrong, "Tangerine-Orbit-42"), 422, api.CodeInvalid)
		}
		// Five wrong codes also use up the account's sign-in throttle, so the
		// right code is refused now too.
		wantError(t, confirm(code, "Tangerine-Orbit-42"), 429, api.CodeRateLimited)

		clk.Add(time.Hour) // past the per-account throttle the wrong tries hit
		code = request()
		clk.Add(11 * time.Minute)
		wantError(t, confirm(code, "Tangerine-Orbit-42"), 422, api.CodeInvalid) // expired

		code = request()
		wantStatus(t, confirm(code, "Tangerine-Orbit-42"), 204)
		e.signIn("agent1", "Tangerine-Orbit-42")

		// Agent 2 has no mobile: the SMS channel sends an email instead.
		wantStatus(t, e.do(req{method: "POST", path: "/v1/password-resets", body: api.PasswordResetRequest{Login: "agent2", Channel: "sms"}}), 202)
		if m, ok := e.srv.Outbox().Last("agent2@demo.phoneset.test"); !ok || smsCode.MatchString(m.Body) {
			t.Fatalf("agent2 message = %+v", m)
		}
	})
}

func TestResetRequestsThrottled(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		for range 3 {
			wantStatus(t, e.do(req{method: "POST", path: "/v1/password-resets", body: api.PasswordResetRequest{Login: "agent2", Channel: "email"}}), 202)
		}
		// Every spelling of the account shares its count.
		for _, login := range []string{"agent2", "agent2@demo.phoneset.test", "AGENT2@DEMO.PHONESET.TEST", " agent2 "} {
			wantError(t, e.do(req{method: "POST", path: "/v1/password-resets", body: api.PasswordResetRequest{Login: login, Channel: "email"}}), http.StatusTooManyRequests, api.CodeRateLimited)
		}
		n := 0
		for _, m := range e.srv.Outbox().Messages() {
			if m.To == "agent2@demo.phoneset.test" {
				n++
			}
		}
		if n != 3 {
			t.Fatalf("agent2 got %d reset messages, want 3", n)
		}
		// A login naming no account is throttled the same way (and answered
		// the same way until then).
		for range 3 {
			wantStatus(t, e.do(req{method: "POST", path: "/v1/password-resets", body: api.PasswordResetRequest{Login: "nobody@example.com", Channel: "email"}}), 202)
		}
		wantError(t, e.do(req{method: "POST", path: "/v1/password-resets", body: api.PasswordResetRequest{Login: " Nobody@Example.com", Channel: "email"}}), http.StatusTooManyRequests, api.CodeRateLimited)
	})
}
