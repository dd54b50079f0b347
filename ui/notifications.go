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

// NotificationsPage chooses which emails the user gets.
type NotificationsPage struct {
	model     NotificationsModel
	missed    *widget.Check
	voicemail *widget.Check
	problem   *widget.Label
	loading   bool
	content   fyne.CanvasObject
}

// NewNotificationsPage builds the page.
func NewNotificationsPage(m NotificationsModel) *NotificationsPage {
	p := &NotificationsPage{model: m}
	p.missed = widget.NewCheck(lang.L("Email me about missed calls"), func(bool) { p.save() })
	p.voicemail = widget.NewCheck(lang.L("Email me about new voicemails"), func(bool) { p.save() })
	p.problem = problemLabel()
	p.content = container.NewVScroll(container.NewVBox(
		widget.NewCard(lang.L("Email notifications"), lang.L("Sent to your account's email address."),
			container.NewVBox(p.missed, p.voicemail, p.problem)),
	))
	p.Refresh()
	return p
}

// Content is the page's canvas object.
func (p *NotificationsPage) Content() fyne.CanvasObject { return p.content }

// Focus puts keyboard focus on the first choice.
func (p *NotificationsPage) Focus(c fyne.Canvas) { c.Focus(p.missed) }

// Refresh shows the model's settings.
func (p *NotificationsPage) Refresh() {
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
