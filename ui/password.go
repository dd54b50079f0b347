package ui

import (
	"context"
	"errors"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/api"
)

// ruleLabel is the checklist line for a password rule.
func ruleLabel(rule string) string {
	switch rule {
	case api.RuleLength:
		return lang.L("At least {{.Min}} characters", map[string]any{"Min": api.MinPasswordLen})
	case api.RuleUpper:
		return lang.L("An uppercase letter")
	case api.RuleLower:
		return lang.L("A lowercase letter")
	case api.RuleDigit:
		return lang.L("A number")
	case api.RuleSpecial:
		return lang.L("A special character, like ! or #")
	case api.RuleNotCommon:
		return lang.L("Not a common or easily guessed password")
	case api.RuleNotPersona:
		return lang.L("Doesn't contain your username or email")
	}
	return rule
}

// checklist shows the password policy, ticking rules off as the user types.
type checklist struct {
	rows     []*fyne.Container
	strength *widget.ProgressBar
	content  fyne.CanvasObject
	report   api.PasswordReport
}

func newChecklist() *checklist {
	c := &checklist{strength: widget.NewProgressBar()}
	c.strength.Max = 4
	c.strength.TextFormatter = func() string { return lang.L("Strength") }
	box := container.NewVBox()
	for _, chk := range api.CheckPassword("", "", "").Checks {
		row := container.NewHBox(widget.NewIcon(theme.CancelIcon()), widget.NewLabel(ruleLabel(chk.Rule)))
		c.rows = append(c.rows, row)
		box.Add(row)
	}
	c.content = container.NewVBox(box, c.strength)
	// Off the UI goroutine, so the first keystroke does not wait for it.
	goAsync(api.PreparePasswordCheck)
	return c
}

// update re-checks pw; the result stays in c.report.
func (c *checklist) update(pw, username, email string) {
	c.report = api.CheckPassword(pw, username, email)
	for i, chk := range c.report.Checks {
		if i >= len(c.rows) {
			break
		}
		icon, label := c.rows[i].Objects[0].(*widget.Icon), c.rows[i].Objects[1].(*widget.Label)
		if chk.OK {
			icon.SetResource(theme.NewSuccessThemedResource(theme.ConfirmIcon()))
			label.Importance = widget.MediumImportance
		} else {
			icon.SetResource(theme.NewErrorThemedResource(theme.CancelIcon()))
			label.Importance = widget.LowImportance
		}
		label.Refresh()
	}
	c.strength.SetValue(float64(c.report.Score))
}

// newPasswordFields are the new-password and repeat entries with the live
// checklist; ready says whether they hold an acceptable, matching password.
type newPasswordFields struct {
	password *passwordEntry
	repeat   *passwordEntry
	list     *checklist
	who      func() (username, email string)
	changed  func()
}

func newNewPasswordFields(who func() (string, string), changed func()) *newPasswordFields {
	f := &newPasswordFields{password: newPasswordEntry(), repeat: newPasswordEntry(), list: newChecklist(), who: who, changed: changed}
	f.password.SetPlaceHolder(lang.L("New password"))
	f.repeat.SetPlaceHolder(lang.L("Repeat the new password"))
	f.password.OnChanged = func(string) { f.update() }
	f.repeat.OnChanged = func(string) { f.update() }
	f.repeat.Validator = func(s string) error {
		if s != f.password.Text {
			return errors.New(lang.L("The passwords don't match."))
		}
		return nil
	}
	f.update()
	return f
}

func (f *newPasswordFields) update() {
	u, e := f.who()
	f.list.update(f.password.Text, u, e)
	f.changed()
}

func (f *newPasswordFields) ready() bool {
	return f.list.report.OK && f.repeat.Text == f.password.Text
}

func (f *newPasswordFields) clear() {
	f.password.SetText("")
	f.repeat.SetText("")
}

// passwordCard changes the password; the server then signs out every other
// session.
type passwordCard struct {
	change  func(ctx context.Context, current, next string) error
	current *passwordEntry
	fields  *newPasswordFields
	save    *widget.Button
	result  *widget.Label
	content fyne.CanvasObject
}

func newPasswordCard(me func() api.Me, change func(ctx context.Context, current, next string) error, forgot func()) *passwordCard {
	c := &passwordCard{change: change, current: newPasswordEntry()}
	c.current.SetPlaceHolder(lang.L("Current password"))
	c.save = widget.NewButton(lang.L("Change password"), c.Save)
	c.save.Importance = widget.HighImportance
	c.fields = newNewPasswordFields(func() (string, string) {
		p := me().Profile
		return p.Username, p.Email
	}, c.updateButton)
	c.current.OnChanged = func(string) { c.updateButton() }
	c.fields.repeat.OnSubmitted = func(string) { c.Save() }
	c.result = widget.NewLabel("")
	c.result.Wrapping = fyne.TextWrapWord
	c.result.Hide()
	c.content = widget.NewCard(lang.L("Password"), "", container.NewVBox(
		widget.NewForm(
			widget.NewFormItem(lang.L("Current password"), c.current),
			widget.NewFormItem(lang.L("New password"), c.fields.password),
			widget.NewFormItem(lang.L("Repeat"), c.fields.repeat),
		),
		c.fields.list.content,
		container.NewHBox(c.save, widget.NewButton(lang.L("Forgot password?"), forgot)),
		c.result,
	))
	c.updateButton()
	return c
}

func (c *passwordCard) updateButton() {
	setEnabled(c.save, c.current.Text != "" && c.fields.ready())
}

// Save changes the password.
func (c *passwordCard) Save() {
	if c.save.Disabled() {
		return
	}
	cur, next := c.current.Text, c.fields.password.Text
	c.save.Disable()
	async(func() (struct{}, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		return struct{}{}, c.change(ctx, cur, next)
	}, func(_ struct{}, err error) {
		if err != nil {
			c.result.Importance = widget.DangerImportance
			c.result.SetText(describe(err))
		} else {
			c.current.SetText("")
			c.fields.clear()
			c.result.Importance = widget.SuccessImportance
			c.result.SetText(lang.L("Password changed. Your other sessions were signed out."))
		}
		c.result.Show()
		c.updateButton()
	})
}
