package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/api"
)

// SecondFactorServices turn two-factor sign-in on and off. *client.Client
// satisfies it.
type SecondFactorServices interface {
	SecondFactor(ctx context.Context) (api.SecondFactorStatus, error)
	StartEnrolment(ctx context.Context, password string) (api.TOTPEnrolment, error)
	ConfirmEnrolment(ctx context.Context, code string) ([]string, error)
	DisableSecondFactor(ctx context.Context, password, code string) error
	NewRecoveryCodes(ctx context.Context, password string) ([]string, error)
}

// secondFactorCard is the Security page's two-factor card: set up with a
// QR code and a first code, new recovery codes, turn off with the password
// and a code. Every step that shows or removes a secret needs the password.
type secondFactorCard struct {
	svc      SecondFactorServices
	status   api.SecondFactorStatus
	state    *widget.Label
	password *passwordEntry
	code     *widget.Entry
	action   *widget.Button // Set up…, Turn on or Turn off
	codesBtn *widget.Button // New recovery codes
	extra    *fyne.Container
	problem  *widget.Label
	content  *widget.Card
}

func newSecondFactorCard(svc SecondFactorServices) *secondFactorCard {
	c := &secondFactorCard{svc: svc}
	c.state = explain("")
	c.password = newPasswordEntry()
	c.password.SetPlaceHolder(lang.L("Your password"))
	c.code = widget.NewEntry()
	c.code.SetPlaceHolder(lang.L("Code from the app"))
	c.action = widget.NewButton("", nil)
	c.codesBtn = widget.NewButton(lang.L("New recovery codes"), c.NewCodes)
	c.extra = container.NewVBox()
	c.problem = problemLabel()
	c.content = widget.NewCard(lang.L("Two-factor sign-in"), lang.L("A code from an app on your phone, as well as your password."),
		container.NewVBox(c.state, c.extra,
			widget.NewForm(widget.NewFormItem(lang.L("Password"), c.password), widget.NewFormItem(lang.L("Code"), c.code)),
			container.NewHBox(c.action, c.codesBtn), c.problem))
	c.show(api.SecondFactorStatus{})
	return c
}

func (c *secondFactorCard) load() {
	orgLoad(c.problem, c.svc.SecondFactor, c.show)
}

// show sets the card to the state the server reported.
func (c *secondFactorCard) show(s api.SecondFactorStatus) {
	c.status = s
	c.extra.Objects = nil
	c.extra.Refresh()
	c.code.SetText("")
	c.password.SetText("")
	switch {
	case s.Enabled && s.Required:
		c.state.SetText(lang.L("On. Your organisation requires it. Recovery codes left: {{.Count}}.", map[string]any{"Count": s.RecoveryCodesLeft}))
		c.action.Hide()
		c.code.Disable()
	case s.Enabled:
		c.state.SetText(lang.L("On. Recovery codes left: {{.Count}}.", map[string]any{"Count": s.RecoveryCodesLeft}))
		c.setAction(lang.L("Turn off"), c.TurnOff)
		c.code.Enable()
	default:
		c.state.SetText(lang.L("Off. Set it up with an authenticator app such as Microsoft Authenticator, Google Authenticator or 1Password."))
		c.setAction(lang.L("Set up…"), c.Start)
		c.code.Disable()
	}
	setEnabled(c.codesBtn, s.Enabled)
}

func (c *secondFactorCard) setAction(label string, f func()) {
	c.action.SetText(label)
	c.action.OnTapped = f
	c.action.Show()
}

// Start shows a new secret, after the password.
func (c *secondFactorCard) Start() {
	pw := c.password.Text
	orgRun(c.problem, func(ctx context.Context) (api.TOTPEnrolment, error) { return c.svc.StartEnrolment(ctx, pw) }, func(en api.TOTPEnrolment) {
		c.password.SetText("")
		c.extra.Objects = []fyne.CanvasObject{enrolmentView(en)}
		c.extra.Refresh()
		c.state.SetText(lang.L("Enter the code the app shows to turn two-factor sign-in on."))
		c.code.Enable()
		c.setAction(lang.L("Turn on"), c.Confirm)
	}, nil)
}

// Confirm turns it on with the first code and shows the recovery codes.
func (c *secondFactorCard) Confirm() {
	code := c.code.Text
	orgRun(c.problem, func(ctx context.Context) ([]string, error) { return c.svc.ConfirmEnrolment(ctx, code) }, c.showCodes, nil)
}

// NewCodes replaces the recovery codes, after the password.
func (c *secondFactorCard) NewCodes() {
	pw := c.password.Text
	orgRun(c.problem, func(ctx context.Context) ([]string, error) { return c.svc.NewRecoveryCodes(ctx, pw) }, c.showCodes, nil)
}

// showCodes shows new recovery codes until Continue, and the state they
// make (codes left). The state arrives later and show clears the card's
// extra part, so the codes go back in: they are shown this once only.
func (c *secondFactorCard) showCodes(codes []string) {
	shown := true
	view := recoveryCodesView(codes, func() {
		shown = false
		c.extra.Objects = nil
		c.extra.Refresh()
	})
	put := func() {
		if shown {
			c.extra.Objects = []fyne.CanvasObject{view}
			c.extra.Refresh()
		}
	}
	put()
	orgLoad(c.problem, c.svc.SecondFactor, func(s api.SecondFactorStatus) {
		c.show(s)
		put()
	})
}

// TurnOff needs the password and a current code (or a recovery code).
func (c *secondFactorCard) TurnOff() {
	pw, code := c.password.Text, c.code.Text
	orgRun(c.problem, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, c.svc.DisableSecondFactor(ctx, pw, code)
	},
		func(struct{}) { c.load() }, nil)
}
