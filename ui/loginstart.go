package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// LoginStartModel is this computer's setting to start Phoneset when the user
// signs in to it, kept by the operating system rather than in the account;
// internal/autostart satisfies it. Each call reads or writes one small file
// or registry value.
type LoginStartModel interface {
	// State says whether Phoneset starts at sign-in and whether IT set that
	// for every user of the computer (managed), which can't be undone here.
	State() (on, managed bool, err error)
	Set(on bool) error
}

// loginStartCard is the "This computer" card with the start-at-sign-in
// switch. It shows what the system will do, read afresh, not a remembered
// choice.
type loginStartCard struct {
	model   LoginStartModel
	check   *widget.Check
	note    *widget.Label
	loading bool
	card    *widget.Card
}

func newLoginStartCard(m LoginStartModel) *loginStartCard {
	c := &loginStartCard{model: m}
	c.check = widget.NewCheck(lang.L("Start Phoneset when I sign in to this computer"), c.set)
	c.note = widget.NewLabel("")
	c.note.Wrapping = fyne.TextWrapWord
	c.note.Hide()
	c.card = widget.NewCard(lang.L("This computer"), lang.L("Kept on this computer, not in your account."),
		container.NewVBox(c.check, c.note))
	c.refresh()
	return c
}

// refresh shows the system's setting.
func (c *loginStartCard) refresh() {
	on, managed, err := c.model.State()
	c.loading = true // SetChecked fires OnChanged; that is not a user edit
	c.check.SetChecked(on)
	c.loading = false
	switch {
	case err != nil:
		c.say(widget.DangerImportance, lang.L("Can't read whether Phoneset starts at sign-in: {{.Error}}", map[string]any{"Error": err.Error()}))
		c.check.Disable()
	case managed:
		c.say(widget.MediumImportance, lang.L("Your organisation starts Phoneset for everyone who signs in to this computer."))
		c.check.Disable()
	default:
		c.note.Hide()
		c.check.Enable()
	}
}

func (c *loginStartCard) set(on bool) {
	if c.loading {
		return
	}
	if err := c.model.Set(on); err != nil {
		c.refresh()
		c.say(widget.DangerImportance, lang.L("Can't change whether Phoneset starts at sign-in: {{.Error}}", map[string]any{"Error": err.Error()}))
		return
	}
	c.refresh()
}

func (c *loginStartCard) say(imp widget.Importance, text string) {
	c.note.Importance = imp
	c.note.SetText(text)
	c.note.Show()
}
