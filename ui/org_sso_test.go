package ui

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/phoneset/phoneset/api"
)

// fakeSSO keeps single sign-on settings as the server would, the secret
// write-only, new domains pending and kept ones as they were.
type fakeSSO struct {
	s       api.SSOSettings
	updates []api.SSOSettingsUpdate
	err     error
	stale   bool     // the session needs the password again
	proofs  []string // passwords re-entered
	// dns is what a check of each domain finds: a reason code, "" for
	// the right record.
	dns      map[string]string
	verified []string // domains checked
}

func (f *fakeSSO) VerifyOrgSSODomain(_ context.Context, domain string) (api.SSODomain, error) {
	f.verified = append(f.verified, domain)
	for i, c := range f.s.DomainClaims {
		if c.Domain != domain {
			continue
		}
		why, ok := f.dns[domain]
		if !ok {
			return api.SSODomain{}, api.ErrRateLimited // a refusal the claim does not record
		}
		if why != "" {
			f.s.DomainClaims[i].Failure = why
			return api.SSODomain{}, api.Refused(422, api.CodeInvalid, api.Because(why))
		}
		at := time.Date(2026, 12, 6, 14, 0, 0, 0, time.UTC)
		c.State, c.VerifiedAt, c.Failure = api.SSODomainVerified, &at, ""
		f.s.DomainClaims[i] = c
		return c, nil
	}
	return api.SSODomain{}, api.ErrNotFound
}

func (f *fakeSSO) Reauthenticate(_ context.Context, password string) error {
	f.proofs = append(f.proofs, password)
	f.stale = false
	return nil
}

func (f *fakeSSO) OrgSSO(context.Context) (api.SSOSettings, error) { return f.s, nil }

func (f *fakeSSO) SetOrgSSO(_ context.Context, version int64, u api.SSOSettingsUpdate) (api.SSOSettings, error) {
	f.updates = append(f.updates, u)
	if f.stale {
		return api.SSOSettings{}, api.Refused(403, api.CodeForbidden, api.Because(api.ReasonReauthRequired))
	}
	if f.err != nil {
		return api.SSOSettings{}, f.err
	}
	if version != f.s.Version {
		return api.SSOSettings{}, api.ErrStale
	}
	secret := f.s.ClientSecretSet
	if u.ClientSecret != nil {
		secret = *u.ClientSecret != ""
	}
	claims := []api.SSODomain{}
	for i, d := range u.Domains {
		d = strings.ToLower(d) // as the server stores it
		u.Domains[i] = d
		i := slices.IndexFunc(f.s.DomainClaims, func(c api.SSODomain) bool { return c.Domain == d })
		if i < 0 {
			claims = append(claims, api.SSODomain{Domain: d, State: api.SSODomainPending, RecordName: "_phoneset-challenge." + d,
				RecordValue: "phoneset-verification=5f3c9a0e1b7d4c2a8e6f0a9b3c1d2e4f"})
		} else {
			claims = append(claims, f.s.DomainClaims[i])
		}
	}
	f.s = api.SSOSettings{Version: version + 1, Enabled: u.Enabled, Issuer: u.Issuer, ClientID: u.ClientID, ClientSecretSet: secret,
		Domains: u.Domains, DomainClaims: claims, SSOOnly: u.SSOOnly, JustInTime: u.JustInTime}
	return f.s, nil
}

// orgWithSSO is an organisation whose model can set single sign-on.
type orgWithSSO struct {
	*fakeOrg
	*fakeSSO
}

func TestOrgSSOTab(t *testing.T) {
	setup(t)
	at := time.Date(2026, 11, 30, 23, 30, 0, 0, time.UTC) // 1 December in Stockholm
	f := &fakeSSO{s: api.SSOSettings{Version: 2, Enabled: true, Issuer: "https://login.example.com/tenant/v2.0", ClientID: "phoneset-desktop",
		ClientSecretSet: true, Domains: []string{"bigcorp.example", "demo.phoneset.test"}, SSOOnly: true,
		DomainClaims: []api.SSODomain{
			{Domain: "bigcorp.example", State: api.SSODomainPending, CheckedAt: &at, Failure: api.ReasonDNSRecordMissing,
				RecordName: "_phoneset-challenge.bigcorp.example", RecordValue: "phoneset-verification=0c6f3e2b9a1d4f7e8b5a2c0d9e1f3a4b"},
			{Domain: "demo.phoneset.test", State: api.SSODomainVerified, VerifiedAt: &at,
				RecordName: "_phoneset-challenge.demo.phoneset.test", RecordValue: "phoneset-verification=9d2e4b1a7c3f5e8d0b6a4c2e1f9d7b3a"},
		}}}
	p := NewOrgPage(orgWithSSO{newFakeOrg(), f})
	w := test.NewWindow(p.Content())
	w.Resize(fyne.NewSize(1000, 1400))
	t.Cleanup(w.Close)
	p.Load()
	last := len(p.tabs.Items) - 1
	if p.tabs.Items[last].Text != "Single sign-on" && goldenLang == "en" {
		t.Fatalf("last tab %q", p.tabs.Items[last].Text)
	}
	p.tabs.SelectIndex(last)
	assertGolden(t, "org_sso.xml", w.Canvas())

	tab := p.all[len(p.all)-1].(*orgSSOTab)
	if tab.secret.Text != "" || tab.domains.Text != "bigcorp.example, demo.phoneset.test" || !tab.ssoOnly.Checked || tab.justInTime.Checked {
		t.Fatalf("shown: secret %q domains %q", tab.secret.Text, tab.domains.Text)
	}
	// Untouched, the secret is kept: the update does not name it.
	tab.domains.SetText("bigcorp.example, demo.phoneset.test, Example.se;sub.example.se")
	test.Tap(tab.justInTime)
	test.Tap(tab.save)
	u := f.updates[0]
	if u.ClientSecret != nil || strings.Join(u.Domains, "|") != "bigcorp.example|demo.phoneset.test|example.se|sub.example.se" || !u.JustInTime || !u.SSOOnly {
		t.Fatalf("sent %+v", u)
	}
	// A typed secret replaces it, and the field empties again.
	test.Type(tab.secret, "n3w-s3cret")
	test.Tap(tab.save)
	if u := f.updates[1]; u.ClientSecret == nil || *u.ClientSecret != "n3w-s3cret" || tab.secret.Text != "" || f.s.Version != 4 {
		t.Fatalf("sent %+v, field %q", u, tab.secret.Text)
	}
	// A session signed in long ago re-enters the password, then saves.
	f.stale = true
	tab.clientID.SetText("phoneset-2")
	test.Tap(tab.save)
	if tab.reauth == nil {
		t.Fatal("no password asked")
	}
	test.Type(tab.reauthPassword, "Phoneset-demo-1")
	tab.reauth.Submit()
	if len(f.proofs) != 1 || f.proofs[0] != "Phoneset-demo-1" || f.s.ClientID != "phoneset-2" || tab.problem.Visible() {
		t.Fatalf("proofs %q, client ID %q, problem %q", f.proofs, f.s.ClientID, tab.problem.Text)
	}
	// The domains: verified with its date, pending with the record and
	// the last failure; Copy copies the value.
	if len(tab.rows) != 4 || tab.rows["demo.phoneset.test"].verify != nil || tab.rows["sub.example.se"].failure.Visible() {
		t.Fatalf("rows %v", tab.rows)
	}
	test.Tap(tab.rows["bigcorp.example"].copy)
	if got := fyne.CurrentApp().Clipboard().Content(); got != "phoneset-verification=0c6f3e2b9a1d4f7e8b5a2c0d9e1f3a4b" {
		t.Errorf("copied %q", got)
	}
	f.dns = map[string]string{"bigcorp.example": api.ReasonDNSRecordMismatch, "sub.example.se": ""}
	for _, tt := range []struct {
		domain, state, failure string
		problem                bool
	}{
		{"bigcorp.example", "Pending: signs nobody in until verified", "DNS has a TXT record at this name, but not with this value; copy the value again", false},
		{"sub.example.se", "Verified on 2026-12-06", "", false},
		{"example.se", "Pending: signs nobody in until verified", "", true}, // refused before any check: said at the top
	} {
		test.Tap(tab.rows[tt.domain].verify)
		r := tab.rows[tt.domain]
		if r.state.Text != tt.state || (r.failure.Visible() && r.failure.Text != tt.failure) || r.failure.Visible() != (tt.failure != "") ||
			tab.problem.Visible() != tt.problem {
			if goldenLang == "en" {
				t.Errorf("verify %s: state %q, failure %q (%v), problem %q (%v)", tt.domain, r.state.Text, r.failure.Text, r.failure.Visible(),
					tab.problem.Text, tab.problem.Visible())
			}
		}
	}
	if strings.Join(f.verified, ",") != "bigcorp.example,sub.example.se,example.se" {
		t.Errorf("checked %q", f.verified)
	}
	// Remove sends the saved settings without the domain, leaving what
	// the form holds unsaved.
	tab.issuer.SetText("https://typed.example")
	test.Tap(tab.rows["bigcorp.example"].remove)
	if u := f.updates[len(f.updates)-1]; strings.Join(u.Domains, "|") != "demo.phoneset.test|example.se|sub.example.se" || u.Issuer != f.s.Issuer ||
		u.Issuer == "https://typed.example" || u.ClientSecret != nil || tab.rows["bigcorp.example"] != nil {
		t.Errorf("remove sent %+v; rows %v", u, tab.rows)
	}

	// A refusal keeps what the admin typed and says why.
	f.err = api.Invalid(map[string]*api.Reason{api.FieldIssuer: api.Because(api.ReasonURLFormat)})
	tab.issuer.SetText("http://login.example.com")
	test.Tap(tab.save)
	if tab.issuer.Text != "http://login.example.com" || !tab.problem.Visible() || !strings.Contains(tab.problem.Text, "https://") {
		t.Errorf("refusal: issuer %q, problem %q", tab.issuer.Text, tab.problem.Text)
	}
}
