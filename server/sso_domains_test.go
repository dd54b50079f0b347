package server_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/internal/dnstest"
	"github.com/phoneset/phoneset/server"
	"github.com/phoneset/phoneset/server/store"
)

// claimSSO sets the organisation's single sign-on with these domains
// (they must be at the version shown) and returns the settings.
func claimSSO(t *testing.T, e *env, tok string, domains ...string) api.SSOSettings {
	t.Helper()
	var s api.SSOSettings
	e.do(req{method: "GET", path: "/v1/org/sso", token: tok}).decode(t, &s)
	r := e.do(req{method: "PUT", path: "/v1/org/sso", token: tok, header: ifMatch(s.Version), body: api.SSOSettingsUpdate{
		Enabled: len(domains) > 0, Issuer: "https://login.example.com/tenant", ClientID: "phoneset", Domains: domains}})
	if r.status != 200 {
		t.Fatalf("claim %q: %d %s", domains, r.status, r.body)
	}
	r.decode(t, &s)
	return s
}

// claimOf is the organisation's claim on domain as GET /v1/org/sso shows it.
func claimOf(t *testing.T, e *env, tok, domain string) api.SSODomain {
	t.Helper()
	var s api.SSOSettings
	e.do(req{method: "GET", path: "/v1/org/sso", token: tok}).decode(t, &s)
	for _, c := range s.DomainClaims {
		if c.Domain == domain {
			return c
		}
	}
	t.Fatalf("no claim on %s in %+v", domain, s.DomainClaims)
	return api.SSODomain{}
}

// twoClaims is a backend where the demo organisation and another both
// claim bigcorp.example, and the tokens of their admins.
func twoClaims(t *testing.T) (e *env, dns *dnstest.Server, demo, other string) {
	t.Helper()
	dns = dnstest.Start(t)
	e = newEnvWith(t, server.Config{DNS: dns.Addr})
	demo, other = e.admin().AccessToken, e.signIn(newOtherOrg(t, e), server.DemoPassword).AccessToken
	claimSSO(t, e, demo, "bigcorp.example")
	claimSSO(t, e, other, "bigcorp.example")
	return e, dns, demo, other
}

func verifyDomain(e *env, tok, domain string) resp {
	return e.do(req{method: "POST", path: "/v1/org/sso/domains/" + domain + "/verify", token: tok})
}

// reason is the reason code of an error answer.
func reason(t *testing.T, r resp) string {
	t.Helper()
	if ae := r.apiErr(t); ae.Reason != nil {
		return ae.Reason.Code
	}
	return ""
}

// TestSSODomainVerification: a claimed domain is pending, routes nobody,
// and becomes verified only when DNS has its TXT record with this
// organisation's value. Each check that fails says why, in the claim too,
// and loses nothing; a DNS server that is down is not "missing".
func TestSSODomainVerification(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		dns := dnstest.Start(t)
		e := newEnvWith(t, server.Config{DNS: dns.Addr})
		ctx := context.Background()
		tok := e.admin().AccessToken
		// Names are lower case whatever the admin typed.
		s := claimSSO(t, e, tok, "demo.phoneset.test", "BigCorp.EXAMPLE")
		if strings.Join(s.Domains, ",") != "bigcorp.example,demo.phoneset.test" {
			t.Fatalf("domains %q", s.Domains)
		}
		c := claimOf(t, e, tok, "bigcorp.example")
		if c.State != api.SSODomainPending || c.RecordName != "_phoneset-challenge.bigcorp.example" ||
			!strings.HasPrefix(c.RecordValue, "phoneset-verification=") || len(c.RecordValue) < len("phoneset-verification=")+32 {
			t.Fatalf("new claim %+v", c)
		}
		if demo := claimOf(t, e, tok, "demo.phoneset.test"); demo.State != api.SSODomainVerified || demo.VerifiedAt == nil {
			t.Errorf("the demo's seeded domain %+v", demo)
		}
		if _, err := e.srv.Store().Q().OrgByDomain(ctx, "bigcorp.example"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a pending domain routes sign-ins: %v", err)
		}
		upper := strings.ToUpper(c.RecordName) // DNS names have no case
		for _, tt := range []struct {
			name   string
			dns    func()
			status int
			reason string
		}{
			{"NXDOMAIN", func() {}, 422, api.ReasonDNSRecordMissing},
			{"name without TXT", func() { dns.SetTXT(c.RecordName) }, 422, api.ReasonDNSRecordMissing},
			{"wrong value", func() { dns.SetTXT(c.RecordName, "phoneset-verification=0123456789abcdef0123456789abcdef") }, 422, api.ReasonDNSRecordMismatch},
			{"value in capitals", func() { dns.SetTXT(c.RecordName, strings.ToUpper(c.RecordValue)) }, 422, api.ReasonDNSRecordMismatch},
			{"token alone", func() { dns.SetTXT(c.RecordName, strings.TrimPrefix(c.RecordValue, "phoneset-verification=")) }, 422, api.ReasonDNSRecordMismatch},
			{"at the domain, not the challenge name", func() { dns.Remove(c.RecordName); dns.SetTXT("bigcorp.example", c.RecordValue) }, 422, api.ReasonDNSRecordMissing},
			{"DNS server down", func() { dns.SetTXT(c.RecordName, c.RecordValue); dns.Stop() }, 503, api.ReasonDNSUnavailable},
		} {
			tt.dns()
			r := verifyDomain(e, tok, "bigcorp.example")
			if r.status != tt.status || reason(t, r) != tt.reason {
				t.Errorf("%s: %d %s, want %d %s", tt.name, r.status, r.body, tt.status, tt.reason)
			}
			if got := claimOf(t, e, tok, "bigcorp.example"); got.State != api.SSODomainPending || got.Failure != tt.reason ||
				got.CheckedAt == nil || got.RecordValue != c.RecordValue {
				t.Errorf("%s: claim after %+v", tt.name, got)
			}
		}
		dns.Restart(t)
		// Several records at the name, the right one among them, the
		// name in other case and the domain in the path too.
		dns.Remove(c.RecordName)
		dns.SetTXT(upper, "v=spf1 -all", "phoneset-verification=0123456789abcdef0123456789abcdef", c.RecordValue)
		r := verifyDomain(e, tok, "BIGCORP.example")
		var v api.SSODomain
		if r.status != 200 {
			t.Fatalf("verify: %d %s", r.status, r.body)
		}
		r.decode(t, &v)
		if v.State != api.SSODomainVerified || v.VerifiedAt == nil || v.Failure != "" || v.CheckedAt != nil {
			t.Errorf("verified %+v", v)
		}
		if org, err := e.srv.Store().Q().OrgByDomain(ctx, "bigcorp.example"); err != nil || org != e.demo.OrgID {
			t.Errorf("a verified domain routes to %q, %v", org, err)
		}
		// A subdomain is a domain of its own.
		if _, err := e.srv.Store().Q().OrgByDomain(ctx, "eu.bigcorp.example"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a subdomain of a verified domain routes sign-ins: %v", err)
		}
		// Verified stays verified: checking again asks no DNS.
		dns.Stop()
		wantStatus(t, verifyDomain(e, tok, "bigcorp.example"), 200)
		// Keeping the domain in a later save keeps it verified.
		claimSSO(t, e, tok, "bigcorp.example")
		if got := claimOf(t, e, tok, "bigcorp.example"); got.State != api.SSODomainVerified {
			t.Errorf("after a save: %+v", got)
		}
		evs, err := e.srv.Store().Q().AuditEvents(ctx, store.AuditFilter{OrgID: e.demo.OrgID, Action: "sso.domain_verify"})
		if err != nil || len(evs) != 1 || evs[0].ActorID != "usr_demo_admin" || evs[0].Field != "state" || evs[0].Old != "pending" ||
			evs[0].New != "verified" || evs[0].Resource != "org/org_demo/sso/domains/bigcorp.example" {
			t.Errorf("audit %+v %v", evs, err)
		}
		// Removing it frees it, and its claim is gone.
		s = claimSSO(t, e, tok, "demo.phoneset.test")
		if len(s.DomainClaims) != 1 {
			t.Errorf("claims after removal %+v", s.DomainClaims)
		}
		wantError(t, verifyDomain(e, tok, "bigcorp.example"), 404, api.CodeNotFound)
	})
}

// TestSSODomainTwoOrganisations: two organisations may claim one domain;
// pending claims block nobody; the one with the record verifies it; the
// other is then refused at verification and at a new claim, until the
// owner removes it.
func TestSSODomainTwoOrganisations(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e, dns, squatter, owner := twoClaims(t)
		sq, ow := claimOf(t, e, squatter, "bigcorp.example"), claimOf(t, e, owner, "bigcorp.example")
		if sq.RecordName != ow.RecordName || sq.RecordValue == ow.RecordValue {
			t.Fatalf("records %+v %+v", sq, ow)
		}
		// Only BigCorp can publish its record; the squatter's check sees
		// BigCorp's value, which proves nothing for it.
		dns.SetTXT(ow.RecordName, ow.RecordValue)
		if r := verifyDomain(e, squatter, "bigcorp.example"); reason(t, r) != api.ReasonDNSRecordMismatch {
			t.Errorf("squatter: %d %s", r.status, r.body)
		}
		wantStatus(t, verifyDomain(e, owner, "bigcorp.example"), 200)
		// Even with its own record published, the squatter is too late.
		dns.SetTXT(ow.RecordName, ow.RecordValue, sq.RecordValue)
		if r := verifyDomain(e, squatter, "bigcorp.example"); r.status != 409 || reason(t, r) != api.ReasonDomainTaken {
			t.Errorf("second to verify: %d %s", r.status, r.body)
		}
		if c := claimOf(t, e, squatter, "bigcorp.example"); c.State != api.SSODomainPending || c.Failure != api.ReasonDomainTaken {
			t.Errorf("squatter's claim %+v", c)
		}
		// Its pending claim does not stop it saving other settings.
		claimSSO(t, e, squatter, "bigcorp.example", "squatter.example")
		// A new claim on a verified domain is refused.
		claimSSO(t, e, squatter)
		var s api.SSOSettings
		e.do(req{method: "GET", path: "/v1/org/sso", token: squatter}).decode(t, &s)
		r := e.do(req{method: "PUT", path: "/v1/org/sso", token: squatter, header: ifMatch(s.Version), body: api.SSOSettingsUpdate{
			Domains: []string{"bigcorp.example"}}})
		if r.status != 422 || r.apiErr(t).Fields["domains"].Code != api.ReasonDomainTaken {
			t.Errorf("claiming a verified domain: %d %s", r.status, r.body)
		}
		// Removed by its owner, the domain is free.
		claimSSO(t, e, owner)
		claimSSO(t, e, squatter, "bigcorp.example")
		wantStatus(t, verifyDomain(e, squatter, "bigcorp.example"), 200)
	})
}

// TestSSODomainParallelVerify: ten verifications of one domain at once,
// five by each of two organisations that both have their record in DNS:
// one organisation wins, its calls all succeed, the other's are refused.
func TestSSODomainParallelVerify(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e, dns, demo, other := twoClaims(t)
		toks := []string{demo, other}
		var values []string
		for _, tok := range toks {
			values = append(values, claimOf(t, e, tok, "bigcorp.example").RecordValue)
		}
		dns.SetTXT("_phoneset-challenge.bigcorp.example", values...)
		rs := e.race(10, func(i int) req {
			return req{method: "POST", path: "/v1/org/sso/domains/bigcorp.example/verify", token: toks[i%2]}
		})
		won, statuses := map[int]int{}, make([]int, len(rs))
		for i, r := range rs {
			statuses[i] = r.status
			switch r.status {
			case 200:
				won[i%2]++
			case 409:
			default:
				t.Errorf("call %d: %d %s", i, r.status, r.body)
			}
		}
		if len(won) != 1 || (won[0] != 5 && won[1] != 5) {
			t.Errorf("winners by organisation %v; statuses %v", won, statuses)
		}
		var n int
		if err := e.srv.Store().DB().QueryRow(`SELECT COUNT(*) FROM sso_domain_claims WHERE domain = 'bigcorp.example' AND verified_at > 0`).Scan(&n); err != nil || n != 1 {
			t.Errorf("%d verified claims, %v", n, err)
		}
	})
}

// TestSSODomainVerifyLimit: each check queries DNS, so an organisation
// gets 20 in 15 minutes; another organisation is not held up by it.
func TestSSODomainVerifyLimit(t *testing.T) {
	e, _, tok, other := twoClaims(t)
	for i := range 20 {
		if r := verifyDomain(e, tok, "bigcorp.example"); r.status != 422 {
			t.Fatalf("check %d: %d %s", i+1, r.status, r.body)
		}
	}
	r := verifyDomain(e, tok, "bigcorp.example")
	if r.status != 429 || r.header.Get("Retry-After") == "" {
		t.Errorf("21st check: %d %s", r.status, r.body)
	}
	wantStatus(t, verifyDomain(e, other, "bigcorp.example"), 422)
}

// TestSSOOnlyWaitsForAVerifiedDomain: "SSO only" takes passwords away
// from members only once the organisation has a verified domain to sign
// in through; before, it would lock them out.
func TestSSOOnlyWaitsForAVerifiedDomain(t *testing.T) {
	dns := dnstest.Start(t)
	e := newEnvWith(t, server.Config{DNS: dns.Addr})
	tok := e.admin().AccessToken
	signIn := func() int {
		return e.do(req{method: "POST", path: "/v1/sessions", body: api.SignInRequest{Login: "agent1", Password: server.DemoPassword}}).status
	}
	set := func(domains ...string) {
		var s api.SSOSettings
		e.do(req{method: "GET", path: "/v1/org/sso", token: tok}).decode(t, &s)
		wantStatus(t, e.do(req{method: "PUT", path: "/v1/org/sso", token: tok, header: ifMatch(s.Version), body: api.SSOSettingsUpdate{
			Enabled: true, Issuer: "https://login.example.com", ClientID: "phoneset", Domains: domains, SSOOnly: true}}), 200)
	}
	set("bigcorp.example")
	if got := signIn(); got != 201 {
		t.Errorf("SSO only with a pending domain: %d", got)
	}
	c := claimOf(t, e, tok, "bigcorp.example")
	dns.SetTXT(c.RecordName, c.RecordValue)
	wantStatus(t, verifyDomain(e, tok, "bigcorp.example"), 200)
	if got := signIn(); got != 403 {
		t.Errorf("SSO only with a verified domain: %d", got)
	}
}
