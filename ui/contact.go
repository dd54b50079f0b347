package ui

import (
	"context"
	"errors"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/api"
)

// VerifyModel starts and completes the email and mobile changes, which take
// effect only once verified, and re-enters the password when the server
// wants a fresh proof for them. *client.Client satisfies it.
type VerifyModel interface {
	RequestEmailChange(ctx context.Context, email string) error
	RequestMobileChange(ctx context.Context, mobile string) error
	ConfirmMobile(ctx context.Context, code string) (api.Profile, error)
	Reauthenticate(ctx context.Context, password string) error
}

// contactCard holds email and phone numbers: each change is verified (a link
// to the new address, an SMS code to the new mobile) before it applies.
type contactCard struct {
	model  ProfileModel
	verify VerifyModel

	email        *widget.Label
	emailPending *widget.Label
	newEmail     *widget.Entry
	sendLink     *widget.Button
	emailNote    *widget.Label

	mobile        *widget.Label
	newMobile     *widget.Entry
	sendCode      *widget.Button
	code          *widget.Entry
	confirm       *widget.Button
	codeBox       *fyne.Container
	mobilePending *widget.Label

	fixed      *widget.Label
	hideMobile *widget.Check
	hideFixed  *widget.Check
	voipNote   *widget.Label
	loading    bool

	// reauth asks for the password when the session is too old to start a
	// change; reauthPassword is its entry.
	reauth         *dialog.FormDialog
	reauthPassword *widget.Entry

	problem *widget.Label
	content fyne.CanvasObject
}

func newContactCard(m ProfileModel, v VerifyModel) *contactCard {
	c := &contactCard{model: m, verify: v}
	c.email = widget.NewLabel("")
	c.emailPending = infoLabel()
	c.newEmail = widget.NewEntry()
	c.newEmail.SetPlaceHolder(lang.L("New email address"))
	c.newEmail.Validator = validator(optional(api.ValidateEmail))
	c.newEmail.OnChanged = func(string) { c.updateButtons() }
	c.newEmail.OnSubmitted = func(string) { c.SendLink() }
	c.sendLink = widget.NewButton(lang.L("Send link"), c.SendLink)
	c.emailNote = infoLabel()

	c.mobile = widget.NewLabel("")
	c.newMobile = widget.NewEntry()
	c.newMobile.SetPlaceHolder("+46 70 123 45 67")
	c.newMobile.Validator = validator(optional(func(s string) *api.Reason { _, why := api.NormalizeMobile(s); return why }))
	c.newMobile.OnChanged = func(string) { c.updateButtons() }
	c.newMobile.OnSubmitted = func(string) { c.SendCode() }
	c.sendCode = widget.NewButton(lang.L("Send code"), c.SendCode)
	c.code = widget.NewEntry()
	c.code.SetPlaceHolder(lang.L("Code from the SMS"))
	c.code.OnChanged = func(string) { c.updateButtons() }
	c.code.OnSubmitted = func(string) { c.Confirm() }
	c.confirm = widget.NewButton(lang.L("Confirm"), c.Confirm)
	c.confirm.Importance = widget.HighImportance
	c.mobilePending = infoLabel()
	c.codeBox = container.NewVBox(c.mobilePending, container.NewBorder(nil, nil, nil, c.confirm, c.code))

	c.fixed = widget.NewLabel("")
	c.hideMobile = widget.NewCheck(lang.L("Hide my mobile number from colleagues"), func(bool) { c.saveHidden() })
	c.hideFixed = widget.NewCheck(lang.L("Hide my fixed number from colleagues"), func(bool) { c.saveHidden() })
	c.voipNote = infoLabel()
	c.voipNote.SetText(lang.L("Both numbers are hidden, so your calls are made via Mobile VoIP."))
	c.problem = problemLabel()

	form := widget.NewForm(
		widget.NewFormItem(lang.L("Email"), c.email),
		widget.NewFormItem("", container.NewBorder(nil, nil, nil, c.sendLink, c.newEmail)),
		widget.NewFormItem(lang.L("Mobile"), c.mobile),
		widget.NewFormItem("", container.NewVBox(container.NewBorder(nil, nil, nil, c.sendCode, c.newMobile), c.codeBox)),
		widget.NewFormItem(lang.L("Fixed number"), c.fixed),
	)
	form.Items[3].HintText = lang.L("Include the country code. We'll text you a code to confirm it.")
	c.content = widget.NewCard(lang.L("Email and phone"), "", container.NewVBox(
		form, c.emailPending, c.emailNote, c.hideMobile, c.hideFixed, c.voipNote, c.problem))
	return c
}

func infoLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.LowImportance
	return l
}

// optional lets an empty field pass: it just means "no change".
func optional(rule func(string) *api.Reason) func(string) *api.Reason {
	return func(s string) *api.Reason {
		if s == "" {
			return nil
		}
		return rule(s)
	}
}

func (c *contactCard) refresh(me api.Me) {
	p := me.Profile
	c.email.SetText(p.Email)
	showIf(c.emailPending, p.PendingEmail != "", lang.L("We sent a link to {{.Email}}. Your address changes when you open it.", map[string]any{"Email": p.PendingEmail}))
	if me.Org.MembersChangeEmail {
		c.newEmail.Enable()
		c.emailNote.Hide()
	} else {
		c.newEmail.Disable()
		showIf(c.emailNote, true, lang.L("Your organisation manages email addresses. Ask an admin to change yours."))
	}
	c.mobile.SetText(orNone(api.FormatPhone(p.Mobile)))
	c.fixed.SetText(orNone(api.FormatPhone(p.FixedNumber)))
	if p.PendingMobile != "" {
		c.mobilePending.SetText(lang.L("Enter the code we texted to {{.Number}}.", map[string]any{"Number": api.FormatPhone(p.PendingMobile)}))
		c.codeBox.Show()
	} else {
		c.codeBox.Hide()
	}
	c.loading = true // SetChecked fires OnChanged; loading is not an edit
	c.hideMobile.SetChecked(p.HideMobile)
	c.hideFixed.SetChecked(p.HideFixed)
	c.loading = false
	showIf(c.voipNote, api.CallsViaMobileVoIP(p.HideMobile, p.HideFixed), "")
	c.updateButtons()
}

// showIf shows l (with text, when given) or hides it.
func showIf(l *widget.Label, show bool, text string) {
	if text != "" {
		l.SetText(text)
	}
	if show {
		l.Show()
	} else {
		l.Hide()
	}
}

func orNone(s string) string {
	if s == "" {
		return lang.L("Not set")
	}
	return s
}

func (c *contactCard) updateButtons() {
	setEnabled(c.sendLink, !c.newEmail.Disabled() && c.newEmail.Text != "" && api.ValidateEmail(c.newEmail.Text) == nil)
	_, why := api.NormalizeMobile(c.newMobile.Text)
	setEnabled(c.sendCode, c.newMobile.Text != "" && why == nil)
	setEnabled(c.confirm, c.code.Text != "")
}

func (c *contactCard) saveHidden() {
	if c.loading {
		return
	}
	hm, hf := c.hideMobile.Checked, c.hideFixed.Checked
	if err := c.model.UpdateProfile(api.ProfilePatch{HideMobile: &hm, HideFixed: &hf}); err != nil {
		c.fail(err)
	}
	showIf(c.voipNote, api.CallsViaMobileVoIP(hm, hf), "")
}

// online runs a verification call, then refetches the account so pending
// values show, and reports the outcome.
func (c *contactCard) online(call func(ctx context.Context) error, done func()) {
	async(func() (struct{}, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := call(ctx); err != nil {
			return struct{}{}, err
		}
		return struct{}{}, c.model.Refresh(ctx)
	}, func(_ struct{}, err error) {
		if reauthRequired(err) {
			c.askPassword(func() { c.online(call, done) })
			return
		}
		if err != nil {
			c.fail(err)
			return
		}
		c.problem.Hide()
		done()
		c.refresh(c.model.Me())
	})
}

// reauthRequired is whether the server wants the password again first.
func reauthRequired(err error) bool {
	var ae *api.Error
	return errors.As(err, &ae) && ae.Reason != nil && ae.Reason.Code == api.ReasonReauthRequired
}

// askPassword asks for the password, re-authenticates the session and runs
// retry: the server lets only a recently proven session change the email
// or mobile, so a stolen token cannot.
func (c *contactCard) askPassword(retry func()) {
	c.reauth, c.reauthPassword = askPassword(c.content, lang.L("Changing your email or mobile needs your password."),
		c.verify.Reauthenticate, c.fail, retry)
}

func (c *contactCard) fail(err error) {
	c.problem.SetText(describe(err))
	c.problem.Show()
}

// SendLink mails a confirmation link to the new address.
func (c *contactCard) SendLink() {
	email := c.newEmail.Text
	if c.sendLink.Disabled() {
		return
	}
	c.online(func(ctx context.Context) error { return c.verify.RequestEmailChange(ctx, email) },
		func() { c.newEmail.SetText("") })
}

// SendCode texts a code to the new mobile.
func (c *contactCard) SendCode() {
	mobile, why := api.NormalizeMobile(c.newMobile.Text)
	if why != nil {
		c.fail(api.Invalid(map[string]*api.Reason{api.FieldMobile: why}))
		return
	}
	c.online(func(ctx context.Context) error { return c.verify.RequestMobileChange(ctx, mobile) },
		func() { c.newMobile.SetText("") })
}

// Confirm checks the SMS code; the mobile changes when it matches.
func (c *contactCard) Confirm() {
	code := c.code.Text
	if code == "" {
		return
	}
	c.online(func(ctx context.Context) error {
		_, err := c.verify.ConfirmMobile(ctx, code)
		return err
	}, func() { c.code.SetText("") })
}
