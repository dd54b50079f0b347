package server_test

import (
	"fmt"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server/store"
)

// Ten simultaneous uses of one link or code: exactly one applies, every
// other gets a 4xx, and one change is audited per link or code.
func TestOneTimeProofsRace(t *testing.T) {
	const rounds, parallel = 20, 10
	for _, tt := range []struct {
		name   string
		action string // the audit event of one applied proof
		// issue asks for a proof in round n and returns the requests that
		// use it; applied checks the effect of the i-th request, the one
		// that succeeded.
		issue   func(t *testing.T, e *env, clk *clock, n int) (use func(i int) req, applied func(i int))
		success int
	}{
		{"password reset link", "password.reset", resetRace("email", "agent1@demo.phoneset.test", linkToken), http.StatusNoContent},
		{"password reset SMS code", "password.reset", resetRace("sms", "+46701234502", smsCode), http.StatusNoContent},
		{"email change link", "email.change", func(t *testing.T, e *env, clk *clock, n int) (func(int) req, func(int)) {
			a := e.agent1()
			next := fmt.Sprintf("bo%d@new.example.com", n)
			wantStatus(t, e.do(req{method: "POST", path: "/v1/me/email", token: a.AccessToken, body: api.EmailChangeRequest{Email: next}}), 202)
			m, _ := e.srv.Outbox().Last(next)
			token := linkToken.FindString(m.Body)
			return func(i int) req {
					// Half through the app, half through the emailed link.
					if i%2 == 0 {
						return req{method: "POST", path: "/v1/me/email/confirm", token: a.AccessToken, body: api.TokenRequest{Token: token}}
					}
					return req{method: "POST", path: "/v1/email/confirm", body: api.TokenRequest{Token: token}}
				}, func(int) {
					if p := profileOf(t, e, a); p.Email != next || p.PendingEmail != "" {
						t.Fatalf("profile %+v, want email %s", p, next)
					}
				}
		}, http.StatusOK},
		{"mobile change SMS code", "mobile.change", func(t *testing.T, e *env, clk *clock, n int) (func(int) req, func(int)) {
			a := e.agent1()
			next := fmt.Sprintf("+467099999%02d", n)
			wantStatus(t, e.do(req{method: "POST", path: "/v1/me/mobile", token: a.AccessToken, body: api.MobileChangeRequest{Mobile: next}}), 202)
			m, _ := e.srv.Outbox().Last(next)
			code := smsCode.FindString(m.Body)
			return func(int) req {
					return req{method: "POST", path: "/v1/me/mobile/confirm", token: a.AccessToken, body: api.MobileConfirmRequest{Code: code}}
				}, func(int) {
					if p := profileOf(t, e, a); p.Mobile != next || p.PendingMobile != "" {
						t.Fatalf("profile %+v, want mobile %s", p, next)
					}
				}
		}, http.StatusOK},
		{"undo link", "account.undo", func(t *testing.T, e *env, clk *clock, n int) (func(int) req, func(int)) {
			const addr = "agent1@demo.phoneset.test"
			a := e.agent1()
			next := fmt.Sprintf("bo%d@new.example.com", n)
			wantStatus(t, e.do(req{method: "POST", path: "/v1/me/email", token: a.AccessToken, body: api.EmailChangeRequest{Email: next}}), 202)
			m, _ := e.srv.Outbox().Last(next)
			wantStatus(t, e.do(req{method: "POST", path: "/v1/me/email/confirm", token: a.AccessToken, body: api.TokenRequest{Token: linkToken.FindString(m.Body)}}), 200)
			token := undoToken(t, e, addr)
			return func(int) req {
					return req{method: "POST", path: "/v1/account/undo", body: api.TokenRequest{Token: token}}
				}, func(int) {
					if p := profileOf(t, e, e.agent1()); p.Email != addr {
						t.Fatalf("profile %+v, want email %s back", p, addr)
					}
				}
		}, http.StatusNoContent},
	} {
		t.Run(tt.name, func(t *testing.T) {
			eachDB(t, func(t *testing.T) {
				e, clk := newClockEnv(t)
				for n := range rounds {
					// Past every throttle and expiry of the round before.
					clk.Add(2 * time.Hour)
					use, applied := tt.issue(t, e, clk, n)
					answers := e.race(parallel, use)
					won := -1
					for i, a := range answers {
						switch {
						case a.status == tt.success && won < 0:
							won = i
						case a.status == tt.success:
							t.Fatalf("round %d: requests %d and %d both succeeded", n, won, i)
						case a.status < 400 || a.status >= 500:
							t.Fatalf("round %d: request %d answered %d %s", n, i, a.status, a.body)
						}
					}
					if won < 0 {
						t.Fatalf("round %d: no request succeeded: %d %s", n, answers[0].status, answers[0].body)
					}
					applied(won)
				}
				evs, err := e.srv.Store().Q().AuditEvents(t.Context(), store.AuditFilter{OrgID: e.demo.OrgID, Action: tt.action, Limit: 500})
				if err != nil {
					t.Fatal(err)
				}
				if len(evs) != rounds {
					t.Fatalf("%d %s events after %d rounds", len(evs), tt.action, rounds)
				}
			})
		})
	}
}

// resetRace is the issue step of a password reset by channel: the proof
// is sent to the address to, where pattern finds it; every request sets
// another password, and the winner's is the one that signs in.
func resetRace(channel, to string, pattern *regexp.Regexp) func(*testing.T, *env, *clock, int) (func(int) req, func(int)) {
	return func(t *testing.T, e *env, clk *clock, n int) (func(int) req, func(int)) {
		wantStatus(t, e.do(req{method: "POST", path: "/v1/password-resets", body: api.PasswordResetRequest{Login: "agent1", Channel: channel}}), 202)
		m, _ := e.srv.Outbox().Last(to)
		proof := pattern.FindString(m.Body)
		pw := func(i int) string { return fmt.Sprintf("Tangerine-Orbit-%d-%d", n, i) }
		return func(i int) req {
				return req{method: "POST", path: "/v1/password-resets/confirm", body: api.PasswordResetConfirm{Login: "agent1", Token: proof, Password: pw(i)}}
			}, func(i int) {
				clk.Add(time.Hour) // past the sign-in throttle the refused tries hit
				e.signIn("agent1", pw(i))
			}
	}
}

func profileOf(t *testing.T, e *env, tok api.Tokens) api.Profile {
	t.Helper()
	var p api.Profile
	e.do(req{method: "GET", path: "/v1/me/profile", token: tok.AccessToken}).decode(t, &p)
	return p
}
