package ui

import (
	"context"
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
	// Reauthenticate proves the password again: the server takes a new
	// provider only from a session proven in the last five minutes.
	Reauthenticate(ctx context.Context, password string) error
}

// orgSSOTab configures sign-in through the company's OpenID Connect
// provider. The client secret is write-only: the server never sends it.
type orgSSOTab struct {
	model    OrgSSOModel
	settings api.SSOSettings

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
	tabProblem
	content fyne.CanvasObject
}

// addSSOTab adds the Single sign-on tab when the model can set it.
func (p *OrgPage) addSSOTab() {
	m, ok := p.model.(OrgSSOModel)
	if !ok {
		return
	}
	t := newOrgSSOTab(m)
	p.all = append(p.all, t)
	p.tabs.Append(container.NewTabItem(lang.L("Single sign-on"), t.content))
}

func newOrgSSOTab(m OrgSSOModel) *orgSSOTab {
	t := &orgSSOTab{model: m}
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
				t.model.Reauthenticate, t.fail, t.Save)
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
