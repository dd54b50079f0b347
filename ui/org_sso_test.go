package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/phoneset/phoneset/api"
)

// fakeSSO keeps single sign-on settings as the server would, the secret
// write-only.
type fakeSSO struct {
	s       api.SSOSettings
	updates []api.SSOSettingsUpdate
	err     error
	stale   bool     // the session needs the password again
	proofs  []string // passwords re-entered
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
	f.s = api.SSOSettings{Version: version + 1, Enabled: u.Enabled, Issuer: u.Issuer, ClientID: u.ClientID, ClientSecretSet: secret,
		Domains: u.Domains, SSOOnly: u.SSOOnly, JustInTime: u.JustInTime}
	return f.s, nil
}

// orgWithSSO is an organisation whose model can set single sign-on.
type orgWithSSO struct {
	*fakeOrg
	*fakeSSO
}

func TestOrgSSOTab(t *testing.T) {
	setup(t)
	f := &fakeSSO{s: api.SSOSettings{Version: 2, Enabled: true, Issuer: "https://login.example.com/tenant/v2.0", ClientID: "phoneset-desktop",
		ClientSecretSet: true, Domains: []string{"demo.phoneset.test"}, SSOOnly: true}}
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
	if tab.secret.Text != "" || tab.domains.Text != "demo.phoneset.test" || !tab.ssoOnly.Checked || tab.justInTime.Checked {
		t.Fatalf("shown: secret %q domains %q", tab.secret.Text, tab.domains.Text)
	}
	// Untouched, the secret is kept: the update does not name it.
	tab.domains.SetText("demo.phoneset.test, Example.se;sub.example.se")
	test.Tap(tab.justInTime)
	test.Tap(tab.save)
	u := f.updates[0]
	if u.ClientSecret != nil || strings.Join(u.Domains, "|") != "demo.phoneset.test|Example.se|sub.example.se" || !u.JustInTime || !u.SSOOnly {
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
	// A refusal keeps what the admin typed and says why.
	f.err = api.Invalid(map[string]*api.Reason{api.FieldIssuer: api.Because(api.ReasonURLFormat)})
	tab.issuer.SetText("http://login.example.com")
	test.Tap(tab.save)
	if tab.issuer.Text != "http://login.example.com" || !tab.problem.Visible() || !strings.Contains(tab.problem.Text, "https://") {
		t.Errorf("refusal: issuer %q, problem %q", tab.issuer.Text, tab.problem.Text)
	}
}
