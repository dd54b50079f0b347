package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/api"
)

// SecurityServices are the security endpoints. *client.Client satisfies it.
type SecurityServices interface {
	SessionsModel
	ResetModel
	SecondFactorServices
	ChangePassword(ctx context.Context, current, next string) error
	DeleteAccount(ctx context.Context, password string) error
}

// SecurityPage holds the password form, forgot password, the sessions
// list, log out and, for admins, deleting the account.
type SecurityPage struct {
	me       func() api.Me
	svc      SecurityServices
	signOut  func()
	password *passwordCard
	sessions *sessionsCard
	factor   *secondFactorCard

	deleteCard *widget.Card
	deletePw   *passwordEntry
	deleteBtn  *widget.Button
	deleteMsg  *widget.Label
	content    fyne.CanvasObject
}

// NewSecurityPage builds the page; signOut ends the session in the app.
func NewSecurityPage(me func() api.Me, svc SecurityServices, signOut func()) *SecurityPage {
	p := &SecurityPage{me: me, svc: svc, signOut: signOut}
	p.password = newPasswordCard(me, svc.ChangePassword, p.forgot)
	p.sessions = newSessionsCard(svc, func() *time.Location { return userZone(me()) })
	p.factor = newSecondFactorCard(svc)
	logout := widget.NewButtonWithIcon(lang.L("Log out of this computer"), theme.LogoutIcon(), signOut)

	p.deletePw = newPasswordEntry()
	p.deletePw.SetPlaceHolder(lang.L("Your password"))
	p.deletePw.OnChanged = func(s string) { setEnabled(p.deleteBtn, s != "") }
	p.deleteBtn = widget.NewButtonWithIcon(lang.L("Delete account…"), theme.DeleteIcon(), p.confirmDelete)
	p.deleteBtn.Importance = widget.DangerImportance
	p.deleteBtn.Disable()
	p.deleteMsg = problemLabel()
	warn := widget.NewLabel(lang.L("Deletes your account and everything in it. This can't be undone. The last admin of an organisation can't be deleted."))
	warn.Wrapping = fyne.TextWrapWord
	p.deleteCard = widget.NewCard(lang.L("Delete account"), "", container.NewVBox(
		warn, container.NewBorder(nil, nil, nil, p.deleteBtn, p.deletePw), p.deleteMsg))

	p.content = container.NewVScroll(container.NewVBox(
		p.password.content,
		p.factor.content,
		p.sessions.content,
		container.NewHBox(logout),
		p.deleteCard,
	))
	p.Refresh()
	return p
}

// Content is the page's canvas object.
func (p *SecurityPage) Content() fyne.CanvasObject { return p.content }

// Focus puts the cursor in the current-password field.
func (p *SecurityPage) Focus(c fyne.Canvas) { c.Focus(p.password.current) }

// Refresh shows the delete card to admins only: the server allows deleting
// an account to holders of "account" alone.
func (p *SecurityPage) Refresh() {
	if p.me().User.Can(api.PermAccount) {
		p.deleteCard.Show()
	} else {
		p.deleteCard.Hide()
	}
}

// Load reloads the sessions and the two-factor state.
func (p *SecurityPage) Load() {
	p.sessions.refresh()
	p.factor.load()
}

func (p *SecurityPage) forgot() {
	w := windowFor(p.content)
	if w == nil {
		return
	}
	var d dialog.Dialog
	form := newResetForm(p.svc, p.me().Profile.Username, func() {
		d.Hide()
		p.password.result.Importance = widget.SuccessImportance
		p.password.result.SetText(lang.L("Password changed."))
		p.password.result.Show()
	})
	d = dialog.NewCustom(lang.L("Forgot password"), lang.L("Close"), container.NewGridWrap(fyne.NewSize(420, form.content.MinSize().Height), form.content), w)
	d.Show()
}

func (p *SecurityPage) confirmDelete() {
	confirm(p.content, lang.L("Delete your account?"), lang.L("Your account and its settings are deleted for good."), p.Delete)
}

// Delete removes the account after the password is checked, then signs out.
func (p *SecurityPage) Delete() {
	pw := p.deletePw.Text
	async(func() (struct{}, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		return struct{}{}, p.svc.DeleteAccount(ctx, pw)
	}, func(_ struct{}, err error) {
		if err != nil {
			p.deleteMsg.SetText(describe(err))
			p.deleteMsg.Show()
			return
		}
		p.deletePw.SetText("")
		p.signOut()
	})
}
