package server_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server"
)

// TestHostileSSOSettings: what an admin types as the provider is refused
// field by field, changing nothing; the rest of single sign-on is tested
// against real providers in server/sso.
func TestHostileSSOSettings(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		tok := e.admin().AccessToken
		good := func(f func(u *api.SSOSettingsUpdate)) api.SSOSettingsUpdate {
			u := api.SSOSettingsUpdate{Enabled: true, Issuer: "https://login.example.com/tenant", ClientID: "phoneset", Domains: []string{"example.com"}}
			f(&u)
			return u
		}
		many := make([]string, api.MaxSSODomains+1)
		for i := range many {
			many[i] = strings.Repeat("a", i+1) + ".example"
		}
		for _, tt := range []struct {
			name  string
			body  any
			field string
		}{
			{"script issuer", good(func(u *api.SSOSettingsUpdate) { u.Issuer = "javascript:alert(1)" }), "issuer"},
			{"plain http issuer", good(func(u *api.SSOSettingsUpdate) { u.Issuer = "http://login.example.com" }), "issuer"},
			{"issuer with a user", good(func(u *api.SSOSettingsUpdate) { u.Issuer = "https://a:b@login.example.com" }), "issuer"},
			{"issuer with a query", good(func(u *api.SSOSettingsUpdate) { u.Issuer = "https://login.example.com/?x=1" }), "issuer"},
			{"file issuer", good(func(u *api.SSOSettingsUpdate) { u.Issuer = "file:///etc/passwd" }), "issuer"},
			{"no client ID", good(func(u *api.SSOSettingsUpdate) { u.ClientID = "" }), "client_id"},
			{"client ID with a newline", good(func(u *api.SSOSettingsUpdate) { u.ClientID = "a\nb" }), "client_id"},
			{"3000-byte client secret", good(func(u *api.SSOSettingsUpdate) { s := strings.Repeat("s", 3000); u.ClientSecret = &s }), "client_secret"},
			{"wildcard domain", good(func(u *api.SSOSettingsUpdate) { u.Domains = []string{"*.example.com"} }), "domains"},
			{"domain without a dot", good(func(u *api.SSOSettingsUpdate) { u.Domains = []string{"localhost"} }), "domains"},
			{"domain with a space", good(func(u *api.SSOSettingsUpdate) { u.Domains = []string{"exa mple.com"} }), "domains"},
			{"domain with an @", good(func(u *api.SSOSettingsUpdate) { u.Domains = []string{"a@example.com"} }), "domains"},
			{"enabled without domains", good(func(u *api.SSOSettingsUpdate) { u.Domains = nil }), "domains"},
			{"too many domains", good(func(u *api.SSOSettingsUpdate) { u.Domains = many }), "domains"},
			{"unknown field", `{"enabled":true,"issuer":"https://a.example","client_id":"x","domains":["a.example"],"secret":"x"}`, "secret"},
		} {
			before := snapshot(t, e)
			r := e.do(req{method: "PUT", path: "/v1/org/sso", token: tok, body: tt.body, header: ifMatch(1)})
			if r.status != 422 && r.status != 400 {
				t.Errorf("%s: %d %s", tt.name, r.status, r.body)
				continue
			}
			if ae := r.apiErr(t); ae.Fields[tt.field] == nil {
				t.Errorf("%s: error %s does not name %q", tt.name, r.body, tt.field)
			}
			if snapshot(t, e) != before {
				t.Errorf("%s: the refused request changed the database", tt.name)
			}
		}
		// A domain another organisation claims but has not proven blocks
		// nobody (TestSSODomainTwoOrganisations has the rest).
		other := newOtherOrg(t, e)
		ok := good(func(u *api.SSOSettingsUpdate) {})
		wantStatus(t, e.do(req{method: "PUT", path: "/v1/org/sso", token: tok, body: ok, header: ifMatch(1)}), 200)
		r := e.do(req{method: "PUT", path: "/v1/org/sso", token: e.signIn(other, "Phoneset-demo-1").AccessToken, body: ok, header: ifMatch(1)})
		wantStatus(t, r, 200)
		// Names are stored as lower case, once each.
		var s api.SSOSettings
		ok.Domains = []string{"Example.COM", "example.com", " sub.example.com "}
		r = e.do(req{method: "PUT", path: "/v1/org/sso", token: tok, body: ok, header: ifMatch(2)})
		r.decode(t, &s)
		if r.status != 200 || strings.Join(s.Domains, ",") != "example.com,sub.example.com" || s.Version != 3 {
			t.Errorf("domains: %d %s", r.status, r.body)
		}
	})
}

// TestHostileSSODomains: what an admin's app could send as the domain to
// verify is refused before any DNS lookup, changing nothing.
func TestHostileSSODomains(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		tok := e.admin().AccessToken
		newOtherOrg(t, e)
		if err := e.srv.Store().Q().ClaimSSODomain(context.Background(), "org_other", "other.example"); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			name, domain string
			status       int
		}{
			{"wildcard", "*.example.com", 422},
			{"no dot", "localhost", 422},
			{"a space", "exa%20mple.com", 422},
			{"a slash", "example.com%2Fverify", 422},
			{"a NUL", "example%00.com", 400},
			{"final dot", "example.com.", 422},
			{"empty label", "example..com", 422},
			{"an @", "a@example.com", 422},
			{"not punycode", "b%C3%BCcher.example", 422},
			{"300 characters", strings.Repeat("a.", 148) + "com", 422},
			{"a 64-character label", strings.Repeat("a", 64) + ".com", 422},
			{"IP address", "127.0.0.1", 422},
			{"SQL", "x'%20OR%20'1'='1.com", 422},
			{"not claimed", "xn--bcher-kva.example", 404},
			{"another organisation's", "other.example", 404},
		} {
			before := snapshot(t, e)
			r := e.do(req{method: "POST", path: "/v1/org/sso/domains/" + tt.domain + "/verify", token: tok})
			if r.status != tt.status {
				t.Errorf("%s: %d %s, want %d", tt.name, r.status, r.body, tt.status)
				continue
			}
			if ae := r.apiErr(t); tt.status == 422 && ae.Fields["domain"] == nil {
				t.Errorf("%s: error %s does not name the domain", tt.name, r.body)
			}
			if snapshot(t, e) != before {
				t.Errorf("%s: the refused request changed the database", tt.name)
			}
		}
	})
}

// TestSSOSettingsNeedFreshProof: whoever sets the provider can sign in as
// any member, so an admin's access token from a sign-in more than five
// minutes ago cannot, until the password is entered again.
func TestSSOSettingsNeedFreshProof(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e, clk := newClockEnv(t)
		stolen := e.admin()
		clk.Add(6 * time.Minute)
		body := api.SSOSettingsUpdate{Enabled: true, Issuer: "https://evil.example", ClientID: "x", Domains: []string{"demo.phoneset.test"}}
		before := snapshot(t, e)
		r := e.do(req{method: "PUT", path: "/v1/org/sso", token: stolen.AccessToken, body: body, header: ifMatch(1)})
		if ae := wantError(t, r, 403, api.CodeForbidden); ae.Reason == nil || ae.Reason.Code != api.ReasonReauthRequired {
			t.Fatalf("stale session: %s", r.body)
		}
		if snapshot(t, e) != before {
			t.Error("the refused change changed the database")
		}
		wantStatus(t, e.do(req{method: "POST", path: "/v1/sessions/reauth", token: stolen.AccessToken, body: api.PasswordProof{Password: server.DemoPassword}}), 204)
		wantStatus(t, e.do(req{method: "PUT", path: "/v1/org/sso", token: stolen.AccessToken, body: body, header: ifMatch(1)}), 200)
	})
}
