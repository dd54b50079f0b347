package ui

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/api"
)

// OrgSSOModel reads and sets the organisation's single sign-on provider.
// *client.Client has it; the tab shows only when the model does.
type OrgSSOModel interface {
	OrgSSO(ctx context.Context) (api.SSOSettings, error)
	SetOrgSSO(ctx context.Context, version int64, u api.SSOSettingsUpdate) (api.SSOSettings, error)
	// VerifyOrgSSODomain has the server check a claimed domain's DNS TXT
	// record; a check that fails is an error, and the claim says why.
	VerifyOrgSSODomain(ctx context.Context, domain string) (api.SSODomain, error)
	// Reauthenticate proves the password again: the server takes a new
	// provider only from a session proven in the last five minutes.
	Reauthenticate(ctx context.Context, password string) error
}

// orgSSOTab configures sign-in through the company's OpenID Connect
// provider. The client secret is write-only: the server never sends it.
type orgSSOTab struct {
	model    OrgSSOModel
	settings api.SSOSettings
	zone     func() *time.Location

	enabled    *widget.Check
	issuer     *widget.Entry
	clientID   *widget.Entry
	secret     *widget.Entry
	domains    *widget.Entry
	ssoOnly    *widget.Check
	justInTime *widget.Check
	save       *widget.Button
	// reauth asks for the password when the session is too old to set
	// the provider; reauthPassword is its entry.
	reauth         *dialog.FormDialog
	reauthPassword *widget.Entry
	// claims lists the claimed domains, each with its state and what
	// proves it; rows holds their widgets by domain.
	claims *fyne.Container
	rows   map[string]*domainRow
	tabProblem
	content fyne.CanvasObject
}

// domainRow is one claimed domain's widgets.
type domainRow struct {
	state, failure       *widget.Label
	copy, verify, remove *widget.Button
}

// addSSOTab adds the Single sign-on tab when the model can set it.
func (p *OrgPage) addSSOTab() {
	m, ok := p.model.(OrgSSOModel)
	if !ok {
		return
	}
	t := newOrgSSOTab(m, p.zone)
	p.all = append(p.all, t)
	p.tabs.Append(container.NewTabItem(lang.L("Single sign-on"), t.content))
}

func newOrgSSOTab(m OrgSSOModel, zone func() *time.Location) *orgSSOTab {
	t := &orgSSOTab{model: m, zone: zone, claims: container.NewVBox()}
	t.enabled = widget.NewCheck(lang.L("Members can sign in with the company's identity provider"), nil)
	t.issuer = widget.NewEntry()
	t.issuer.SetPlaceHolder("https://login.example.com/tenant/v2.0")
	t.clientID = widget.NewEntry()
	t.secret = widget.NewPasswordEntry()
	t.domains = widget.NewEntry()
	t.domains.SetPlaceHolder(lang.L("example.com, example.se"))
	t.ssoOnly = widget.NewCheck(lang.L("Single sign-on only: members cannot sign in with a password (admins keep theirs)"), nil)
	t.justInTime = widget.NewCheck(lang.L("Create an account for new people from these domains at their first sign-in"), nil)
	t.save = widget.NewButton(lang.L("Save"), t.Save)
	t.save.Importance = widget.HighImportance
	t.problem = problemLabel()
	form := widget.NewForm(
		widget.NewFormItem(lang.L("Issuer URL"), t.issuer),
		widget.NewFormItem(lang.L("Client ID"), t.clientID),
		widget.NewFormItem(lang.L("Client secret"), t.secret),
		widget.NewFormItem(lang.L("Email domains"), t.domains),
	)
	t.content = container.NewVScroll(container.NewVBox(
		t.problem,
		widget.NewCard(lang.L("Single sign-on"), lang.L("OpenID Connect: Entra ID, Okta, Google, Keycloak and others."),
			container.NewVBox(t.enabled, form, t.ssoOnly, t.justInTime, container.NewHBox(t.save))),
		// The explanation wraps in the card's body: a card's subtitle does not.
		widget.NewCard(lang.L("Email domains"), "", container.NewVBox(
			explain(lang.L("Only verified domains sign people in. Prove each one with a TXT record in its DNS, then press Verify.")),
			t.claims)),
		explain(lang.L("Register Phoneset with the provider as a desktop app whose redirect is http://127.0.0.1/callback on any port. People sign in in their browser; the provider asks for its own second factor, so Phoneset asks for none after single sign-on.")),
	))
	return t
}

func (t *orgSSOTab) load() { orgLoad(t.problem, t.model.OrgSSO, t.show) }

func (t *orgSSOTab) usersChanged() {}

func (t *orgSSOTab) show(s api.SSOSettings) {
	t.settings = s
	t.enabled.SetChecked(s.Enabled)
	t.issuer.SetText(s.Issuer)
	t.clientID.SetText(s.ClientID)
	t.secret.SetText("")
	if s.ClientSecretSet {
		t.secret.SetPlaceHolder(lang.L("Stored; type to replace"))
	} else {
		t.secret.SetPlaceHolder(lang.L("None (public client with PKCE)"))
	}
	t.domains.SetText(strings.Join(s.Domains, ", "))
	t.ssoOnly.SetChecked(s.SSOOnly)
	t.justInTime.SetChecked(s.JustInTime)
	t.showClaims()
}

// showClaims lists the claimed domains: verified ones with their date,
// pending ones with the TXT record that proves them and why the last
// check failed.
func (t *orgSSOTab) showClaims() {
	t.rows = map[string]*domainRow{}
	t.claims.RemoveAll()
	if len(t.settings.DomainClaims) == 0 {
		t.claims.Add(widget.NewLabel(lang.L("No domains yet: add them under Email domains above and save.")))
	}
	for _, c := range t.settings.DomainClaims {
		r := &domainRow{state: widget.NewLabel(""), failure: widget.NewLabel("")}
		t.rows[c.Domain] = r
		r.remove = widget.NewButton(lang.L("Remove"), func() { t.Remove(c.Domain) })
		r.failure.Wrapping, r.failure.Importance = fyne.TextWrapWord, widget.WarningImportance
		r.failure.Hide()
		head := container.NewHBox(widget.NewLabelWithStyle(c.Domain, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), r.state)
		if c.State == api.SSODomainVerified && c.VerifiedAt != nil {
			r.state.SetText(lang.L("Verified on {{.Date}}", map[string]any{"Date": c.VerifiedAt.In(t.zone()).Format(time.DateOnly)}))
			t.claims.Add(container.NewBorder(nil, nil, nil, r.remove, head))
			continue
		}
		r.state.SetText(lang.L("Pending: signs nobody in until verified"))
		if c.Failure != "" {
			r.failure.SetText(reasonText(api.Because(c.Failure)))
			r.failure.Show()
		}
		r.copy = widget.NewButton(lang.L("Copy value"), func() { fyne.CurrentApp().Clipboard().SetContent(c.RecordValue) })
		r.verify = widget.NewButton(lang.L("Verify"), func() { t.Verify(c.Domain) })
		r.verify.Importance = widget.HighImportance
		record := widget.NewForm(
			widget.NewFormItem(lang.L("Name"), selectable(c.RecordName)),
			widget.NewFormItem(lang.L("Type"), widget.NewLabel("TXT")),
			widget.NewFormItem(lang.L("Value"), selectable(c.RecordValue)),
		)
		t.claims.Add(container.NewVBox(head, r.failure, record, container.NewHBox(r.copy, r.verify, r.remove)))
	}
}

func selectable(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Selectable = true
	return l
}

// Verify has the server check a domain's record, then shows the claims
// again: a failed check shows its reason on the domain's row.
func (t *orgSSOTab) Verify(domain string) {
	async(func() ([]api.SSODomain, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, verr := t.model.VerifyOrgSSODomain(ctx, domain)
		s, err := t.model.OrgSSO(ctx)
		if err != nil {
			return nil, err
		}
		var ae *api.Error
		if errors.As(verr, &ae) && ae.Reason != nil && slices.ContainsFunc(s.DomainClaims, func(c api.SSODomain) bool {
			return c.Domain == domain && c.Failure == ae.Reason.Code
		}) {
			verr = nil // the row says why
		}
		return s.DomainClaims, verr
	}, func(claims []api.SSODomain, err error) {
		if claims != nil {
			t.settings.DomainClaims = claims
			t.showClaims()
		}
		if err != nil {
			t.fail(err)
			return
		}
		t.problem.Hide()
	})
}

// Remove stops a domain signing people in and frees it for others. It
// sends the saved settings without the domain, not what the form holds.
func (t *orgSSOTab) Remove(domain string) {
	s := t.settings
	t.send(api.SSOSettingsUpdate{Enabled: s.Enabled, Issuer: s.Issuer, ClientID: s.ClientID, SSOOnly: s.SSOOnly, JustInTime: s.JustInTime,
		Domains: slices.DeleteFunc(slices.Clone(s.Domains), func(d string) bool { return d == domain })}, func() { t.Remove(domain) })
}

// Save sends the form; an empty secret field keeps the stored secret.
func (t *orgSSOTab) Save() {
	u := api.SSOSettingsUpdate{Enabled: t.enabled.Checked, Issuer: strings.TrimSpace(t.issuer.Text),
		ClientID: strings.TrimSpace(t.clientID.Text), SSOOnly: t.ssoOnly.Checked, JustInTime: t.justInTime.Checked,
		Domains: strings.FieldsFunc(t.domains.Text, func(r rune) bool { return r == ',' || r == ' ' || r == ';' })}
	if t.secret.Text != "" {
		s := t.secret.Text
		u.ClientSecret = &s
	}
	t.send(u, t.Save)
}

// send saves u; a session too old to change single sign-on asks for the
// password, then retries.
func (t *orgSSOTab) send(u api.SSOSettingsUpdate, retry func()) {
	version := t.settings.Version
	// A refusal keeps what the admin typed.
	async(func() (api.SSOSettings, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		return t.model.SetOrgSSO(ctx, version, u)
	}, func(s api.SSOSettings, err error) {
		switch {
		case reauthRequired(err):
			t.reauth, t.reauthPassword = askPassword(t.content, lang.L("Changing single sign-on needs your password."),
				t.model.Reauthenticate, t.fail, retry)
		case err != nil:
			t.fail(err)
		default:
			t.problem.Hide()
			t.show(s)
		}
	})
}

func (t *orgSSOTab) fail(err error) {
	t.problem.SetText(describe(err))
	t.problem.Show()
}
