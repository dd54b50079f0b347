package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/api"
)

// NotificationsModel is what the notifications page needs.
type NotificationsModel interface {
	Me() api.Me
	// SetNotifications applies locally at once and queues for the server.
	SetNotifications(api.Notifications) error
}

// NotificationsPage chooses which emails the user gets and, on this
// computer, whether Phoneset starts at sign-in: where agents look for how
// the app reaches them.
type NotificationsPage struct {
	model     NotificationsModel
	login     *loginStartCard // nil without a LoginStartModel
	missed    *widget.Check
	voicemail *widget.Check
	problem   *widget.Label
	loading   bool
	content   fyne.CanvasObject
}

// NewNotificationsPage builds the page; login, when not nil, adds the
// start-at-sign-in switch.
func NewNotificationsPage(m NotificationsModel, login LoginStartModel) *NotificationsPage {
	p := &NotificationsPage{model: m}
	p.missed = widget.NewCheck(lang.L("Email me about missed calls"), func(bool) { p.save() })
	p.voicemail = widget.NewCheck(lang.L("Email me about new voicemails"), func(bool) { p.save() })
	p.problem = problemLabel()
	body := container.NewVBox(
		widget.NewCard(lang.L("Email notifications"), lang.L("Sent to your account's email address."),
			container.NewVBox(p.missed, p.voicemail, p.problem)),
	)
	if login != nil {
		p.login = newLoginStartCard(login)
		body.Add(p.login.card)
	}
	p.content = container.NewVScroll(body)
	p.Refresh()
	return p
}

// Content is the page's canvas object.
func (p *NotificationsPage) Content() fyne.CanvasObject { return p.content }

// Focus puts keyboard focus on the first choice.
func (p *NotificationsPage) Focus(c fyne.Canvas) { c.Focus(p.missed) }

// Refresh shows the model's settings and the system's start-at-sign-in.
func (p *NotificationsPage) Refresh() {
	if p.login != nil {
		p.login.refresh()
	}
	n := p.model.Me().Notifications
	p.loading = true // SetChecked fires OnChanged; that is not a user edit
	p.missed.SetChecked(n.EmailMissedCalls)
	p.voicemail.SetChecked(n.EmailVoicemails)
	p.loading = false
}

func (p *NotificationsPage) save() {
	if p.loading {
		return
	}
	n := p.model.Me().Notifications
	n.EmailMissedCalls, n.EmailVoicemails = p.missed.Checked, p.voicemail.Checked
	if err := p.model.SetNotifications(n); err != nil {
		p.problem.SetText(describe(err))
		p.problem.Show()
		p.Refresh()
		return
	}
	p.problem.Hide()
}
