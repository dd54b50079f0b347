package ui

import (
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// DemoMessage is an email or text message the embedded demo backend "sent".
type DemoMessage struct {
	Channel string // "email" or "sms"
	To      string
	Subject string
	Body    string
	At      time.Time
}

// InboxPage shows the demo backend's outbox, so verification links and
// codes can be used without a mail server or a phone.
type InboxPage struct {
	messages func() []DemoMessage
	zone     zoneFunc
	list     *fyne.Container
	content  fyne.CanvasObject
}

// NewInboxPage builds the page; messages lists what was sent, oldest first.
func NewInboxPage(messages func() []DemoMessage, zone zoneFunc) *InboxPage {
	p := &InboxPage{messages: messages, zone: zone, list: container.NewVBox()}
	intro := widget.NewLabel(lang.L("The demo organisation sends no real email or text messages. They arrive here instead, with their links and codes."))
	intro.Wrapping = fyne.TextWrapWord
	reload := widget.NewButtonWithIcon(lang.L("Check for new messages"), theme.ViewRefreshIcon(), p.Load)
	p.content = container.NewBorder(container.NewVBox(intro, container.NewHBox(reload)), nil, nil, nil,
		container.NewVScroll(p.list))
	return p
}

// Content is the page's canvas object.
func (p *InboxPage) Content() fyne.CanvasObject { return p.content }

// Focus does nothing: the page has no inputs.
func (p *InboxPage) Focus(fyne.Canvas) {}

// Load shows the messages, newest first.
func (p *InboxPage) Load() {
	msgs := slices.Clone(p.messages())
	slices.Reverse(msgs)
	rows := make([]fyne.CanvasObject, 0, len(msgs))
	for _, m := range msgs {
		icon := theme.MailComposeIcon()
		title := m.Subject
		if m.Channel == "sms" {
			icon, title = theme.ComputerIcon(), lang.L("Text message")
		}
		body := widget.NewLabel(m.Body)
		body.Wrapping = fyne.TextWrapWord
		body.Selectable = true // links and codes are for copying
		head := container.NewBorder(nil, nil, widget.NewIcon(icon), widget.NewLabel(p.zone.stamp(m.At)),
			widget.NewLabelWithStyle(lang.L("To {{.To}}: {{.Title}}", map[string]any{"To": m.To, "Title": title}), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		rows = append(rows, container.NewVBox(head, body, widget.NewSeparator()))
	}
	if len(rows) == 0 {
		rows = append(rows, widget.NewLabel(lang.L("No messages yet.")))
	}
	p.list.Objects = rows
	p.list.Refresh()
}
