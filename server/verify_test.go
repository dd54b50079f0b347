package server_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
)

func TestEmailChange(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		a := e.agent1()
		const next = "bo@new.example.com"

		for _, tt := range []struct {
			email  string
			status int
			code   string
		}{
			{"not an address", 422, api.CodeInvalid},
			{"AGENT1@demo.phoneset.test", 422, api.CodeInvalid}, // already the address
			{"agent2@demo.phoneset.test", 409, api.CodeConflict},
		} {
			ae := wantError(t, e.do(req{method: "POST", path: "/v1/me/email", token: a.AccessToken, body: api.EmailChangeRequest{Email: tt.email}}), tt.status, tt.code)
			if ae.Fields["email"] == nil {
				t.Errorf("%s: fields %v", tt.email, ae.Fields)
			}
		}

		r := e.do(req{method: "POST", path: "/v1/me/email", token: a.AccessToken, body: api.EmailChangeRequest{Email: next}})
		wantStatus(t, r, 202)
		var p api.Profile
		r.decode(t, &p)
		if p.Email != "agent1@demo.phoneset.test" || p.PendingEmail != next {
			t.Fatalf("profile after request: %+v", p)
		}
		m, ok := e.srv.Outbox().Last(next)
		if !ok {
			t.Fatal("no confirmation email to the new address")
		}
		token := linkToken.FindString(m.Body)
		if notice, ok := e.srv.Outbox().Last("agent1@demo.phoneset.test"); !ok || strings.Contains(notice.Body, token) {
			t.Fatalf("notice to the old address: %+v", notice)
		}
		// Not in effect yet: the new address cannot sign in.
		wantError(t, e.do(req{method: "POST", path: "/v1/sessions", body: api.SignInRequest{Login: next, Password: "Phoneset-demo-1"}}), 401, api.CodeUnauthorized)

		// Another user cannot use the token through the API.
		o := e.admin()
		wantError(t, e.do(req{method: "POST", path: "/v1/me/email/confirm", token: o.AccessToken, body: api.TokenRequest{Token: token}}), 422, api.CodeInvalid)

		// The link's page shows a confirm button; GET alone changes nothing.
		r = e.do(req{method: "GET", path: "/v1/email/confirm?token=" + token})
		wantStatus(t, r, 200)
		if !strings.Contains(string(r.body), token) {
			t.Fatalf("confirm page lacks the token: %s", r.body)
		}
		r = e.do(req{method: "POST", path: "/v1/email/confirm", body: url.Values{"token": {token}}.Encode(), ctype: "application/x-www-form-urlencoded"})
		if r.status != 200 || !strings.Contains(string(r.body), next) {
			t.Fatalf("confirm: %d %s", r.status, r.body)
		}
		r = e.do(req{method: "GET", path: "/v1/me/profile", token: a.AccessToken})
		p = api.Profile{}
		r.decode(t, &p)
		if p.Email != next || p.PendingEmail != "" {
			t.Fatalf("profile after confirm: %+v", p)
		}
		e.signIn(next, "Phoneset-demo-1")
		// The link is spent.
		wantError(t, e.do(req{method: "POST", path: "/v1/me/email/confirm", token: a.AccessToken, body: api.TokenRequest{Token: token}}), 422, api.CodeInvalid)

		evs := auditActions(t, e, "user/"+e.demo.Agents[0].ID+"/profile")
		if evs["email.change_requested"] != 1 || evs["email.change"] != 1 {
			t.Errorf("audit: %v", evs)
		}
	})
}

func TestEmailChangeSignedInAndExpiry(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e, clk := newClockEnv(t)
		a := e.agent1()
		request := func(addr string) string {
			wantStatus(t, e.do(req{method: "POST", path: "/v1/me/email", token: a.AccessToken, body: api.EmailChangeRequest{Email: addr}}), 202)
			m, _ := e.srv.Outbox().Last(addr)
			return linkToken.FindString(m.Body)
		}
		token := request("late@example.com")
		clk.Add(25 * time.Hour)
		a = e.agent1()
		wantError(t, e.do(req{method: "POST", path: "/v1/me/email/confirm", token: a.AccessToken, body: api.TokenRequest{Token: token}}), 422, api.CodeInvalid)
		var p api.Profile
		e.do(req{method: "GET", path: "/v1/me/profile", token: a.AccessToken}).decode(t, &p)
		if p.PendingEmail != "" || p.Email != "agent1@demo.phoneset.test" {
			t.Fatalf("after expiry: %+v", p)
		}
		token = request("inapp@example.com")
		r := e.do(req{method: "POST", path: "/v1/me/email/confirm", token: a.AccessToken, body: api.TokenRequest{Token: token}})
		wantStatus(t, r, 200)
		p = api.Profile{}
		r.decode(t, &p)
		if p.Email != "inapp@example.com" || p.PendingEmail != "" {
			t.Fatalf("after confirm: %+v", p)
		}
	})
}

func TestEmailChangeOrgSwitch(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		if _, err := e.srv.Store().DB().Exec(`UPDATE orgs SET members_change_email = FALSE, version = version + 1`); err != nil {
			t.Fatal(err)
		}
		a := e.agent1()
		wantError(t, e.do(req{method: "POST", path: "/v1/me/email", token: a.AccessToken, body: api.EmailChangeRequest{Email: "x@example.com"}}), 403, api.CodeForbidden)
	})
}

func TestMobileChange(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e, clk := newClockEnv(t)
		a := e.agent1()
		request := func(number string) string {
			t.Helper()
			wantStatus(t, e.do(req{method: "POST", path: "/v1/me/mobile", token: a.AccessToken, body: api.MobileChangeRequest{Mobile: number}}), 202)
			m, ok := e.srv.Outbox().Last("+46709999999")
			if !ok {
				t.Fatal("no SMS to the new number")
			}
			return smsCode.FindString(m.Body)
		}
		confirm := func(code string) resp {
			return e.do(req{method: "POST", path: "/v1/me/mobile/confirm", token: a.AccessToken, body: api.MobileConfirmRequest{Code: code}})
		}
		profile := func() api.Profile {
			var p api.Profile
			e.do(req{method: "GET", path: "/v1/me/profile", token: a.AccessToken}).decode(t, &p)
			return p
		}
		for _, bad := range []string{"0701234567", "+46 8 123 456 78", "call me"} {
			ae := wantError(t, e.do(req{method: "POST", path: "/v1/me/mobile", token: a.AccessToken, body: api.MobileChangeRequest{Mobile: bad}}), 422, api.CodeInvalid)
			if ae.Fields["mobile"] == nil {
				t.Errorf("%q: %v", bad, ae.Fields)
			}
		}
		wantError(t, confirm("123456"), 422, api.CodeInvalid) // nothing pending

		code := request("+46 70 999 99 99")
		if p := profile(); p.PendingMobile != "+46709999999" || p.Mobile != "+46701234502" {
			t.Fatalf("pending: %+v", p)
		}
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		for i := 4; i >= 0; i-- {
			ae := wantError(t, confirm(wrong), 422, api.CodeInvalid)
			if why := ae.Fields["code"]; i > 0 && (why == nil || why.Code != api.ReasonWrongCode || why.Args["tries_left"] != float64(i)) {
				t.Errorf("try %d: %v", 5-i, ae.Fields)
			}
		}
		wantError(t, confirm(code), 422, api.CodeInvalid) // five tries spent
		if p := profile(); p.PendingMobile != "" || p.Mobile != "+46701234502" {
			t.Fatalf("after five wrong codes: %+v", p)
		}

		code = request("+46709999999")
		clk.Add(11 * time.Minute)
		a = e.agent1()
		wantError(t, confirm(code), 422, api.CodeInvalid) // expired

		code = request("+46709999999")
		r := confirm(code)
		wantStatus(t, r, 200)
		var p api.Profile
		r.decode(t, &p)
		if p.Mobile != "+46709999999" || p.PendingMobile != "" || r.header.Get("ETag") != api.ETag(p.Version) {
			t.Fatalf("after confirm: %+v", p)
		}
		if evs := auditActions(t, e, "user/"+e.demo.Agents[0].ID+"/profile"); evs["mobile.change"] != 1 || evs["mobile_change_expired"] != 2 {
			t.Errorf("audit: %v", evs)
		}
	})
}
