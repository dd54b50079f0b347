package ui

import (
	"context"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/api"
)

// timerLabel says what a reason's timer does.
func timerLabel(rc api.ReasonCode) *widget.Label {
	l := widget.NewLabel(lang.L("No timer"))
	if rc.Minutes > 0 {
		l.SetText(lang.L("{{.Minutes}} min, then {{.Then}}", map[string]any{"Minutes": rc.Minutes, "Then": availabilityLabel(rc.Then)}))
	}
	l.Importance = widget.LowImportance
	return l
}

// minutesValidator accepts whole minutes from 0 to max.
func minutesValidator(max int) fyne.StringValidator {
	return validator(func(s string) *api.Reason {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > max {
			return &api.Reason{Code: api.ReasonNumberRange, Args: api.Args{"min": 0, "max": max}}
		}
		return nil
	})
}

// askTimer edits a reason's default duration and what follows it.
func askTimer(obj fyne.CanvasObject, rc api.OrgReasonCode, done func(api.ReasonCodePatch)) {
	w := windowFor(obj)
	if w == nil {
		return
	}
	minutes := widget.NewEntry()
	minutes.SetText(strconv.Itoa(rc.Minutes))
	minutes.Validator = minutesValidator(api.MaxStatusMinutes)
	thens := []api.Availability{api.Online, api.Offline}
	then := widget.NewSelect([]string{availabilityLabel(api.Online), availabilityLabel(api.Offline)}, nil)
	then.SetSelected(availabilityLabel(rc.Then))
	items := []*widget.FormItem{
		{Text: lang.L("Minutes"), Widget: minutes, HintText: lang.L("0: no timer")},
		{Text: lang.L("Then"), Widget: then},
	}
	dialog.ShowForm(lang.L("Timer for {{.Reason}}", map[string]any{"Reason": rc.Label}), lang.L("Save"), lang.L("Cancel"), items, func(ok bool) {
		if !ok {
			return
		}
		n, _ := strconv.Atoi(minutes.Text) // the validator passed
		next := thens[max(then.SelectedIndex(), 0)]
		if n != rc.Minutes || next != rc.Then {
			done(api.ReasonCodePatch{Minutes: &n, Then: &next})
		}
	}, w)
}

// presenceCard edits the organisation's away-on-lock and idle policy.
type presenceCard struct {
	model   OrgReasonCodesModel
	problem *widget.Label

	lockAway   *widget.Check
	reason     *widget.Select
	idle       *widget.Entry
	autoOnline *widget.Check
	save       *widget.Button
	card       *widget.Card

	cur   api.Presence
	codes []api.ReasonCode // the active reasons the select offers, after "the first"
}

func newPresenceCard(m OrgReasonCodesModel, problem *widget.Label) *presenceCard {
	c := &presenceCard{model: m, problem: problem}
	c.lockAway = widget.NewCheck(lang.L("Set Online agents Unavailable when their computer locks"), func(bool) { c.changed() })
	c.reason = widget.NewSelect(nil, func(string) { c.changed() })
	c.idle = widget.NewEntry()
	c.idle.Validator = minutesValidator(api.MaxIdleMinutes)
	c.idle.OnChanged = func(string) { c.changed() }
	c.autoOnline = widget.NewCheck(lang.L("Back Online by itself on return; otherwise the app asks"), func(bool) { c.changed() })
	c.save = widget.NewButton(lang.L("Save"), c.Save)
	c.save.Importance = widget.HighImportance
	c.save.Disable()
	form := widget.NewForm(
		widget.NewFormItem("", c.lockAway),
		widget.NewFormItem(lang.L("Reason"), c.reason),
		&widget.FormItem{Text: lang.L("Idle minutes"), Widget: c.idle, HintText: lang.L("Unavailable after this long without input; 0: never")},
		widget.NewFormItem("", c.autoOnline),
	)
	c.card = widget.NewCard(lang.L("Away on lock and idle"), lang.L("Queue calls stop for agents who left their computer."),
		widget.NewForm(widget.NewFormItem("", form), widget.NewFormItem("", c.save)))
	return c
}

// load fetches the policy and shows it with the org's active reasons.
func (c *presenceCard) load(codes []api.OrgReasonCode) {
	c.codes = c.codes[:0]
	opts := []string{lang.L("The first reason")}
	for _, rc := range codes {
		if !rc.Retired {
			c.codes = append(c.codes, rc.ReasonCode)
			opts = append(opts, rc.Label)
		}
	}
	c.reason.Options = opts
	orgLoad(c.problem, c.model.OrgPresence, c.show)
}

func (c *presenceCard) show(p api.Presence) {
	c.cur = p
	c.lockAway.SetChecked(p.LockAway)
	c.reason.SetSelectedIndex(0)
	for i, rc := range c.codes {
		if rc.Code == p.AwayReasonCode {
			c.reason.SetSelectedIndex(i + 1)
		}
	}
	c.idle.SetText(strconv.Itoa(p.IdleMinutes))
	c.autoOnline.SetChecked(p.AutoOnline)
	c.save.Disable()
}

// update is the policy the controls describe; ok is false while the idle
// minutes are not a number in range.
func (c *presenceCard) update() (api.PresenceUpdate, bool) {
	u := api.PresenceUpdate{LockAway: c.lockAway.Checked, AutoOnline: c.autoOnline.Checked}
	if i := c.reason.SelectedIndex(); i > 0 {
		u.AwayReasonCode = c.codes[i-1].Code
	}
	n, err := strconv.Atoi(c.idle.Text)
	u.IdleMinutes = n
	return u, err == nil && c.idle.Validate() == nil
}

func (c *presenceCard) changed() {
	u, ok := c.update()
	same := u == api.PresenceUpdate{LockAway: c.cur.LockAway, AwayReasonCode: c.cur.AwayReasonCode, IdleMinutes: c.cur.IdleMinutes, AutoOnline: c.cur.AutoOnline}
	setEnabled(c.save, ok && !same)
}

// Save sends the policy.
func (c *presenceCard) Save() {
	u, ok := c.update()
	if !ok {
		return
	}
	orgRun(c.problem, func(ctx context.Context) (api.Presence, error) {
		return c.model.SetOrgPresence(ctx, c.cur.Version, u)
	}, c.show, func() { orgLoad(c.problem, c.model.OrgPresence, c.show) })
}
