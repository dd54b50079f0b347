package ui

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/api"
)

// InviteSignInModel creates an invited account and signs in with it
// (account.Model does). The sign-in page offers "Accept an invitation"
// only when its model can.
type InviteSignInModel interface {
	AcceptInvitation(ctx context.Context, token, username, password, device string) error
}

// inviteForm takes the link from the invitation email, a username and a
// new password with the same live checklist as a password change.
type inviteForm struct {
	model    InviteSignInModel
	device   string
	link     *widget.Entry
	username *widget.Entry
	fields   *newPasswordFields
	create   *widget.Button
	busy     *widget.Activity
	problem  *widget.Label
	content  fyne.CanvasObject
	onSignIn func()
	// onChallenge takes over when the organisation requires a second
	// factor: the account is made, and enrolment comes before a session.
	onChallenge func(challenge string, enrol bool)
}

// addInvite puts "Accept an invitation" under the password form when the
// model can.
func (p *SignInPage) addInvite(form *fyne.Container) {
	m, ok := p.model.(InviteSignInModel)
	if !ok {
		return
	}
	b := widget.NewButton(lang.L("Accept an invitation"), func() { p.acceptInvitation(m) })
	b.Importance = widget.LowImportance
	i := slices.Index(form.Objects, fyne.CanvasObject(p.problem))
	form.Objects = slices.Insert(form.Objects, i, fyne.CanvasObject(b))
}

// acceptInvitation swaps the form for the invitation's; "Back to sign in"
// swaps back.
func (p *SignInPage) acceptInvitation(m InviteSignInModel) *inviteForm {
	f := &inviteForm{model: m, device: p.device, onSignIn: p.onSignIn, onChallenge: p.secondFactor}
	f.link = widget.NewEntry()
	f.link.SetPlaceHolder(lang.L("Paste the link from the email"))
	f.username = widget.NewEntry()
	f.username.SetPlaceHolder(lang.L("Choose a username"))
	f.create = widget.NewButton(lang.L("Create account and sign in"), f.Accept)
	f.create.Importance = widget.HighImportance
	f.fields = newNewPasswordFields(func() (string, string) { return strings.TrimSpace(f.username.Text), "" }, f.updateButton)
	f.link.OnChanged = func(string) { f.updateButton() }
	f.username.OnChanged = func(string) { f.fields.update() }
	f.fields.repeat.OnSubmitted = func(string) { f.Accept() }
	f.busy = widget.NewActivity()
	f.busy.Hide()
	f.problem = problemLabel()
	title := widget.NewLabelWithStyle(lang.L("Accept an invitation"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	box := container.NewVBox(title,
		widget.NewForm(
			widget.NewFormItem(lang.L("Invitation link"), f.link),
			widget.NewFormItem(lang.L("Username"), f.username),
			widget.NewFormItem(lang.L("New password"), f.fields.password),
			widget.NewFormItem(lang.L("Repeat"), f.fields.repeat),
		),
		f.fields.list.content,
		container.NewStack(f.create, f.busy),
		f.problem,
		widget.NewButton(lang.L("Back to sign in"), p.back))
	f.content = column(box)
	f.updateButton()
	p.content.Objects = []fyne.CanvasObject{f.content}
	p.content.Refresh()
	if c := fyne.CurrentApp().Driver().CanvasForObject(p.content); c != nil {
		c.Focus(f.link)
	}
	if p.OnTitle != nil {
		p.OnTitle(lang.L("Accept an invitation"))
	}
	return f
}

func (f *inviteForm) updateButton() {
	setEnabled(f.create, invitationToken(f.link.Text) != "" && strings.TrimSpace(f.username.Text) != "" && f.fields.ready())
}

// Accept creates the account and signs in. On a refusal everything typed
// stays, so the invitee fixes only what the message names.
func (f *inviteForm) Accept() {
	if f.create.Disabled() {
		return
	}
	token, username, password := invitationToken(f.link.Text), strings.TrimSpace(f.username.Text), f.fields.password.Text
	f.problem.Hide()
	f.create.Disable()
	f.busy.Show()
	f.busy.Start()
	async(func() (struct{}, error) {
		ctx, cancel := context.WithTimeout(context.Background(), signInTimeout)
		defer cancel()
		return struct{}{}, f.model.AcceptInvitation(ctx, token, username, password, f.device)
	}, func(_ struct{}, err error) {
		f.busy.Stop()
		f.busy.Hide()
		f.updateButton()
		if challenge, enrol, ok := api.ChallengeOf(err); ok {
			f.fields.clear()
			f.onChallenge(challenge, enrol)
			return
		}
		if err != nil {
			f.problem.SetText(describeInvitation(err))
			f.problem.Show()
			return
		}
		f.fields.clear()
		f.onSignIn()
	})
}

// describeInvitation says what went wrong; the server refuses a used,
// revoked, replaced or expired link alike, as a wrong token.
func describeInvitation(err error) string {
	var ae *api.Error
	if errors.As(err, &ae) && ae.Fields[api.FieldToken] != nil && ae.Fields[api.FieldToken].Code == api.ReasonTokenInvalid {
		return lang.L("This invitation link has been used, has expired or was withdrawn. Ask an admin to send you a new invitation.")
	}
	return describe(err)
}

// invitationToken is the token in an invitation link (…/v1/invitations/
// accept?token=…), or what was pasted when it is not a link: the token
// alone.
func invitationToken(s string) string {
	s = strings.Trim(strings.TrimSpace(s), "<>")
	if u, err := url.Parse(s); err == nil && u.Query().Has("token") {
		return u.Query().Get("token")
	}
	return s
}
