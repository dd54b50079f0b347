package ui

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/api"
)

// ResetModel is "forgot password". *client.Client satisfies it; no session is
// needed.
type ResetModel interface {
	RequestPasswordReset(ctx context.Context, req api.PasswordResetRequest) error
	ConfirmPasswordReset(ctx context.Context, req api.PasswordResetConfirm) error
}

// resetForm asks for a login and a channel (email link or SMS code), then
// for the code and a new password.
type resetForm struct {
	model   ResetModel
	done    func()
	login   *widget.Entry
	channel *widget.RadioGroup
	send    *widget.Button
	token   *widget.Entry
	fields  *newPasswordFields
	set     *widget.Button
	step2   *fyne.Container
	message *widget.Label
	content fyne.CanvasObject
}

func newResetForm(m ResetModel, login string, done func()) *resetForm {
	f := &resetForm{model: m, done: done}
	f.login = widget.NewEntry()
	f.login.SetText(login)
	f.login.SetPlaceHolder(lang.L("Username or email"))
	emailOpt, smsOpt := lang.L("Email me a link"), lang.L("Text a code to my mobile")
	f.channel = widget.NewRadioGroup([]string{emailOpt, smsOpt}, nil)
	f.channel.SetSelected(emailOpt)
	f.send = widget.NewButton(lang.L("Send"), f.Send)
	f.token = widget.NewEntry()
	f.token.SetPlaceHolder(lang.L("Code, or the token from the link"))
	f.set = widget.NewButton(lang.L("Set new password"), f.Confirm)
	f.set.Importance = widget.HighImportance
	f.fields = newNewPasswordFields(func() (string, string) { return strings.TrimSpace(f.login.Text), "" }, f.updateButtons)
	f.token.OnChanged = func(string) { f.updateButtons() }
	f.login.OnChanged = func(string) { f.updateButtons() }
	f.message = widget.NewLabel("")
	f.message.Wrapping = fyne.TextWrapWord
	f.message.Hide()
	f.step2 = container.NewVBox(
		widget.NewForm(
			widget.NewFormItem(lang.L("Code"), f.token),
			widget.NewFormItem(lang.L("New password"), f.fields.password),
			widget.NewFormItem(lang.L("Repeat"), f.fields.repeat),
		),
		f.fields.list.content,
		f.set,
	)
	f.step2.Hide()
	f.content = container.NewVBox(
		widget.NewForm(widget.NewFormItem(lang.L("Username"), f.login)),
		f.channel, f.send, f.message, f.step2,
	)
	f.updateButtons()
	return f
}

func (f *resetForm) updateButtons() {
	setEnabled(f.send, strings.TrimSpace(f.login.Text) != "")
	setEnabled(f.set, f.token.Text != "" && f.fields.ready())
}

func (f *resetForm) say(msg string, imp widget.Importance) {
	f.message.Importance = imp
	f.message.SetText(msg)
	f.message.Show()
}

// Send asks the server to mail a link or text a code.
func (f *resetForm) Send() {
	req := api.PasswordResetRequest{Login: strings.TrimSpace(f.login.Text), Channel: "email"}
	if f.channel.Selected != f.channel.Options[0] {
		req.Channel = "sms"
	}
	async(func() (struct{}, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		return struct{}{}, f.model.RequestPasswordReset(ctx, req)
	}, func(_ struct{}, err error) {
		if err != nil {
			f.say(describe(err), widget.DangerImportance)
			return
		}
		// The server answers alike for unknown logins, so this says "if".
		f.say(lang.L("If the account exists, we sent it a code. Enter it below with your new password."), widget.MediumImportance)
		f.step2.Show()
	})
}

// Confirm sets the new password with the code.
func (f *resetForm) Confirm() {
	if f.set.Disabled() {
		return
	}
	req := api.PasswordResetConfirm{Login: strings.TrimSpace(f.login.Text), Token: strings.TrimSpace(f.token.Text), Password: f.fields.password.Text}
	async(func() (struct{}, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		return struct{}{}, f.model.ConfirmPasswordReset(ctx, req)
	}, func(_ struct{}, err error) {
		if err != nil {
			f.say(describe(err), widget.DangerImportance)
			return
		}
		f.fields.clear()
		f.token.SetText("")
		f.done()
	})
}
