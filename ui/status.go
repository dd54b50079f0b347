package ui

import (
	"context"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/api"
)

// StatusModel is what the status page needs from the account.
type StatusModel interface {
	Me() api.Me
	// SetStatus changes availability on the server at once (not queued).
	SetStatus(ctx context.Context, u api.StatusUpdate) error
	// ExtendStatus adds minutes to the running timer, at once.
	ExtendStatus(ctx context.Context, minutes int) error
}

// availabilities in the order they are offered.
var availabilities = []api.Availability{api.Online, api.Unavailable, api.Offline}

func availabilityLabel(a api.Availability) string {
	switch a {
	case api.Online:
		return lang.L("Online")
	case api.Unavailable:
		return lang.L("Unavailable")
	}
	return lang.L("Offline")
}

// StatusPage sets availability, which decides whether queue calls ring.
type StatusPage struct {
	model  StatusModel
	choice *widget.RadioGroup
	reason *widget.Select
	// duration offers timer lengths beside the reason's default;
	// durations are the minutes each option sends (nil: the default) for
	// the reason durationFor.
	duration    *widget.Select
	durations   []*int
	durationFor string
	apply       *widget.Button
	queue       *widget.Label
	changed     *widget.Label
	problem     *widget.Label
	reasons     []api.ReasonCode
	content     fyne.CanvasObject
	body        *fyne.Container // relaid out when the timer shows or hides
	timed       *timerView
}

// NewStatusPage builds the page.
func NewStatusPage(m StatusModel) *StatusPage {
	p := &StatusPage{model: m}
	labels := make([]string, len(availabilities))
	for i, a := range availabilities {
		labels[i] = availabilityLabel(a)
	}
	p.choice = widget.NewRadioGroup(labels, func(string) { p.updateControls() })
	p.choice.Required = true
	p.reason = widget.NewSelect(nil, func(string) { p.updateControls() })
	p.reason.PlaceHolder = lang.L("Choose a reason")
	p.duration = widget.NewSelect(nil, func(string) { p.updateControls() })
	p.duration.PlaceHolder = lang.L("The reason's default")
	p.apply = widget.NewButton(lang.L("Set status"), p.Apply)
	p.apply.Importance = widget.HighImportance
	p.queue = widget.NewLabel("")
	p.queue.TextStyle.Bold = true
	p.changed = widget.NewLabel("")
	p.problem = problemLabel()
	p.timed = newTimerView(m, p.problem, p.Refresh)
	note := widget.NewLabel(lang.L("Only Online agents receive queue calls. Unavailable and Offline stop them; direct calls still reach you."))
	note.Wrapping = fyne.TextWrapWord

	p.body = container.NewVBox(
		widget.NewCard(lang.L("Availability"), "", container.NewVBox(
			p.choice,
			widget.NewForm(widget.NewFormItem(lang.L("Reason"), p.reason), widget.NewFormItem(lang.L("Duration"), p.duration)),
			p.timed.hint,
			container.NewHBox(p.apply),
			p.problem,
		)),
		p.timed.card,
		widget.NewCard(lang.L("Queue calls"), "", container.NewVBox(p.queue, p.changed, note)),
	)
	p.content = container.NewVScroll(p.body)
	p.Refresh()
	return p
}

// Content is the page's canvas object.
func (p *StatusPage) Content() fyne.CanvasObject { return p.content }

// Focus does nothing: the radio group is reached with Tab.
func (p *StatusPage) Focus(fyne.Canvas) {}

// Refresh shows the server's status.
func (p *StatusPage) Refresh() {
	me := p.model.Me()
	st := me.Status
	p.reasons = api.ActiveReasonCodes(me.Org.ReasonCodes)
	opts := make([]string, len(p.reasons))
	selected := ""
	for i, r := range p.reasons {
		opts[i] = r.Label
		if r.Code == st.ReasonCode {
			selected = r.Label
		}
	}
	p.reason.Options = opts
	p.durations = nil // the default again once the status is set
	p.choice.SetSelected(availabilityLabel(st.Availability))
	p.reason.SetSelected(selected)
	if st.QueueEligible {
		p.queue.SetText(lang.L("You receive queue calls."))
		p.queue.Importance = widget.SuccessImportance
	} else {
		p.queue.SetText(lang.L("You don't receive queue calls."))
		p.queue.Importance = widget.WarningImportance
	}
	p.queue.Refresh()
	when := zoneFunc(func() *time.Location { return userZone(me) }).stamp(st.ChangedAt)
	switch {
	case st.ChangedAt.IsZero():
		p.changed.SetText("")
	case st.ChangedByName == "":
		p.changed.SetText(lang.L("Set to {{.Status}} at {{.When}}.", map[string]any{"Status": availabilityLabel(st.Availability), "When": when}))
	default:
		p.changed.SetText(lang.L("Set to {{.Status}} by {{.Who}} at {{.When}}.", map[string]any{
			"Status": availabilityLabel(st.Availability), "Who": st.ChangedByName, "When": when}))
	}
	p.timed.show(st, userZone(me))
	p.updateControls()
}

// Close stops the countdown.
func (p *StatusPage) Close() { p.timed.stop() }

// selected returns the update the controls describe.
func (p *StatusPage) selected() api.StatusUpdate {
	u := api.StatusUpdate{Availability: api.Offline}
	for _, a := range availabilities {
		if availabilityLabel(a) == p.choice.Selected {
			u.Availability = a
		}
	}
	if u.Availability == api.Unavailable && p.reason.SelectedIndex() >= 0 {
		u.ReasonCode = p.reasons[p.reason.SelectedIndex()].Code
		if i := p.duration.SelectedIndex(); i >= 0 && i < len(p.durations) && u.ReasonCode == p.durationFor {
			u.Minutes = p.durations[i]
		}
	}
	return u
}

// durationChoices are the timer lengths, in minutes, an agent may pick
// instead of the reason's default.
var durationChoices = []int{5, 10, 15, 20, 30, 45, 60, 90, 120}

// offerDurations fills the duration choice for the reason code: its
// default first (or no timer), then durationChoices.
func (p *StatusPage) offerDurations(code string, codes []api.ReasonCode) {
	if code == p.durationFor && (code == "" || p.durations != nil) {
		return
	}
	p.durationFor = code
	if code == "" {
		p.durations, p.duration.Options = nil, nil
		p.duration.ClearSelected()
		return
	}
	def := 0
	if i := slices.IndexFunc(codes, func(c api.ReasonCode) bool { return c.Code == code }); i >= 0 {
		def = codes[i].Minutes
	}
	first := lang.L("No timer")
	if def > 0 {
		first = lang.L("{{.Minutes}} min (default)", map[string]any{"Minutes": def})
	}
	p.durations, p.duration.Options = []*int{nil}, []string{first}
	for _, m := range durationChoices {
		if m != def {
			p.durations = append(p.durations, &m)
			p.duration.Options = append(p.duration.Options, lang.L("{{.Minutes}} min", map[string]any{"Minutes": m}))
		}
	}
	p.duration.SetSelectedIndex(0) // calls updateControls again, which finds the options made
}

func (p *StatusPage) updateControls() {
	u := p.selected()
	me := p.model.Me()
	cur := me.Status
	if u.Availability == api.Unavailable {
		p.reason.Enable()
	} else {
		p.reason.Disable()
	}
	if p.offerDurations(u.ReasonCode, me.Org.ReasonCodes); u.ReasonCode != "" {
		p.duration.Enable()
		u = p.selected()
	} else {
		p.duration.Disable()
	}
	if p.timed.describeReason(u, me.Org.ReasonCodes) && p.body != nil {
		p.body.Refresh() // the hint or the timer came or went
	}
	// A duration chosen for the current status starts its timer again.
	changed := u.Availability != cur.Availability || u.ReasonCode != cur.ReasonCode || u.Minutes != nil
	setEnabled(p.apply, changed && api.ValidateStatus(u, me.Org.ReasonCodes) == nil)
}

// Apply sends the chosen status.
func (p *StatusPage) Apply() {
	u := p.selected()
	p.apply.Disable()
	async(func() (struct{}, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		return struct{}{}, p.model.SetStatus(ctx, u)
	}, func(_ struct{}, err error) {
		if err != nil {
			p.problem.SetText(describe(err))
			p.problem.Show()
		} else {
			p.problem.Hide()
		}
		p.Refresh()
	})
}
