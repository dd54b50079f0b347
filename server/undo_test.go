package server_test

import (
	"strings"
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server"
)

// undoToken is the "this wasn't me" link token in the last message to to.
func undoToken(t *testing.T, e *env, to string) string {
	t.Helper()
	m, ok := e.srv.Outbox().Last(to)
	if !ok || !strings.Contains(m.Body, e.base+"/v1/account/undo?token=") {
		t.Fatalf("%s got no undo link: %+v", to, m)
	}
	return linkToken.FindString(m.Body)
}

// TestUndoChange follows the link announced to the old contacts of each
// kind of change: the old value is back, every session is over and the
// API key is revoked; a used or expired link is refused.
func TestUndoChange(t *testing.T) {
	const addr, mobile = "agent1@demo.phoneset.test", "+46701234502"
	for _, tt := range []struct {
		name string
		// change makes the change with a and returns where the undo link went.
		change func(t *testing.T, e *env, a api.Tokens) string
		check  func(t *testing.T, e *env)
	}{
		{"email", func(t *testing.T, e *env, a api.Tokens) string {
			wantStatus(t, e.do(req{method: "POST", path: "/v1/me/email", token: a.AccessToken, body: api.EmailChangeRequest{Email: "thief@example.com"}}), 202)
			m, _ := e.srv.Outbox().Last("thief@example.com")
			wantStatus(t, e.do(req{method: "POST", path: "/v1/me/email/confirm", token: a.AccessToken, body: api.TokenRequest{Token: linkToken.FindString(m.Body)}}), 200)
			return addr
		}, func(t *testing.T, e *env) {
			if p := profileOf(t, e, e.agent1()); p.Email != addr {
				t.Errorf("email %q after undo, want %q", p.Email, addr)
			}
		}},
		{"mobile", func(t *testing.T, e *env, a api.Tokens) string {
			wantStatus(t, e.do(req{method: "POST", path: "/v1/me/mobile", token: a.AccessToken, body: api.MobileChangeRequest{Mobile: "+46709999999"}}), 202)
			m, _ := e.srv.Outbox().Last("+46709999999")
			wantStatus(t, e.do(req{method: "POST", path: "/v1/me/mobile/confirm", token: a.AccessToken, body: api.MobileConfirmRequest{Code: smsCode.FindString(m.Body)}}), 200)
			if m, _ := e.srv.Outbox().Last(mobile); !strings.Contains(m.Body, "/v1/account/undo?token=psl_") {
				t.Errorf("old number got no undo link: %q", m.Body)
			}
			return addr
		}, func(t *testing.T, e *env) {
			if p := profileOf(t, e, e.agent1()); p.Mobile != mobile {
				t.Errorf("mobile %q after undo, want %q", p.Mobile, mobile)
			}
		}},
		{"password", func(t *testing.T, e *env, a api.Tokens) string {
			wantStatus(t, e.do(req{method: "PUT", path: "/v1/me/password", token: a.AccessToken,
				body: api.PasswordChangeRequest{Current: server.DemoPassword, New: "Tangerine-Orbit-42"}}), 204)
			return addr
		}, func(t *testing.T, e *env) {
			m, _ := e.srv.Outbox().Last(addr)
			if !strings.Contains(m.Body, "/v1/password-resets/confirm?token=") {
				t.Fatalf("no reset link after a password undo: %q", m.Body)
			}
			wantStatus(t, e.do(req{method: "POST", path: "/v1/password-resets/confirm",
				body: api.PasswordResetConfirm{Token: linkToken.FindString(m.Body), Password: server.DemoPassword}}), 204)
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			eachDB(t, func(t *testing.T) {
				e, clk := newClockEnv(t)
				a := e.agent1()
				wantStatus(t, e.do(req{method: "GET", path: "/v1/me/api-key", token: a.AccessToken}), 200)
				token := undoToken(t, e, tt.change(t, e, a))
				undo := req{method: "POST", path: "/v1/account/undo", body: api.TokenRequest{Token: token}}
				wantStatus(t, e.do(undo), 204)
				wantStatus(t, e.do(req{method: "GET", path: "/v1/me/profile", token: a.AccessToken}), 401)
				u, err := e.srv.Store().Q().UserByID(t.Context(), e.demo.Agents[0].ID)
				if err != nil {
					t.Fatal(err)
				}
				if u.APIKeySealed != "" {
					t.Error("API key survived the undo")
				}
				if n := auditActions(t, e, "")["account.undo"]; n != 1 {
					t.Errorf("undo audited %d times, want once", n)
				}
				tt.check(t, e)
				wantError(t, e.do(undo), 422, api.CodeInvalid) // used

				// A fresh link, a day past its 7 days.
				clk.Add(2 * time.Hour)
				a = e.agent1()
				token = undoToken(t, e, tt.change(t, e, a))
				clk.Add(8 * 24 * time.Hour)
				wantError(t, e.do(req{method: "POST", path: "/v1/account/undo", body: api.TokenRequest{Token: token}}), 422, api.CodeInvalid)
			})
		})
	}
}
