package ui

import (
	"context"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/api"
)

// OrgSecondFactorModel reads and sets the organisation's two-factor policy
// and resets a member's second factor. *client.Client satisfies it.
type OrgSecondFactorModel interface {
	OrgSecondFactor(ctx context.Context) (api.OrgSecondFactor, error)
	SetSecondFactorPolicy(ctx context.Context, version int64, policy string) (api.OrgSecondFactor, error)
	ResetSecondFactor(ctx context.Context, userID, password string) error
}

// orgSecondFactorTab sets who must sign in with a second factor and lists
// who has one, with a reset for a member who lost their phone.
type orgSecondFactorTab struct {
	model   OrgSecondFactorModel
	state   api.OrgSecondFactor
	policy  *widget.RadioGroup
	save    *widget.Button
	members *fyne.Container
	tabProblem
	content fyne.CanvasObject
}

// secondFactorTab makes the page's two-factor tab.
func (p *OrgPage) secondFactorTab() *container.TabItem {
	t := newOrgSecondFactorTab(p.model)
	p.all = append(p.all, t)
	return container.NewTabItem(lang.L("Two-factor"), t.content)
}

// policyLabels are the policies as the tab offers them, in order.
func policyLabels() []string {
	return []string{lang.L("Optional"), lang.L("Required for admins"), lang.L("Required for everyone")}
}

func newOrgSecondFactorTab(m OrgSecondFactorModel) *orgSecondFactorTab {
	t := &orgSecondFactorTab{model: m}
	t.policy = widget.NewRadioGroup(policyLabels(), func(string) { setEnabled(t.save, t.chosen() != t.state.Policy) })
	t.policy.Required = true
	t.save = widget.NewButton(lang.L("Save"), t.Save)
	t.save.Disable()
	t.members = container.NewVBox()
	t.problem = problemLabel()
	t.content = container.NewVScroll(container.NewVBox(
		t.problem,
		widget.NewCard(lang.L("Two-factor sign-in"), lang.L("Who must enter a code from an authenticator app as well as their password."),
			container.NewVBox(t.policy,
				explain(lang.L("Members it covers who have not set it up are walked through it at their next sign-in.")),
				container.NewHBox(layout.NewSpacer(), t.save))),
		widget.NewCard(lang.L("Members"), lang.L("Reset a member's second factor when they lose their phone; they can set it up again."), t.members),
	))
	return t
}

// chosen is the policy the radio group shows.
func (t *orgSecondFactorTab) chosen() string {
	if i := slices.Index(policyLabels(), t.policy.Selected); i >= 0 {
		return api.SecondFactorPolicies[i]
	}
	return ""
}

func (t *orgSecondFactorTab) load() { orgLoad(t.problem, t.model.OrgSecondFactor, t.show) }

func (t *orgSecondFactorTab) usersChanged() {}

func (t *orgSecondFactorTab) show(s api.OrgSecondFactor) {
	t.state = s
	if i := slices.Index(api.SecondFactorPolicies, s.Policy); i >= 0 {
		t.policy.SetSelected(policyLabels()[i])
	}
	t.save.Disable()
	rows := make([]fyne.CanvasObject, 0, len(s.Members))
	for _, m := range s.Members {
		status := lang.L("Off")
		if m.Enabled {
			status = lang.L("On")
		}
		var action fyne.CanvasObject
		if m.You {
			// The server resets only others: an admin's own factor goes
			// off on the Security page, with a code, as anyone's does.
			action = widget.NewLabelWithStyle(lang.L("Yours: change it on the Security page"), fyne.TextAlignTrailing, fyne.TextStyle{Italic: true})
		} else {
			reset := widget.NewButton(lang.L("Reset…"), func() { t.askReset(m) })
			setEnabled(reset, m.Enabled)
			action = reset
		}
		rows = append(rows, container.NewBorder(nil, nil, nil, container.NewHBox(widget.NewLabel(status), action), widget.NewLabel(m.DisplayName)))
	}
	t.members.Objects = rows
	t.members.Refresh()
}

// Save sets the chosen policy.
func (t *orgSecondFactorTab) Save() {
	policy, version := t.chosen(), t.state.Version
	orgRun(t.problem, func(ctx context.Context) (api.OrgSecondFactor, error) {
		return t.model.SetSecondFactorPolicy(ctx, version, policy)
	}, t.show, t.load)
}

// askReset asks for the admin's password before resetting m's second factor.
func (t *orgSecondFactorTab) askReset(m api.MemberSecondFactor) {
	w := windowFor(t.content)
	if w == nil {
		return
	}
	pw := newPasswordEntry()
	dialog.ShowForm(lang.L("Reset {{.Name}}'s second factor?", map[string]any{"Name": m.DisplayName}), lang.L("Reset"), lang.L("Cancel"),
		[]*widget.FormItem{widget.NewFormItem(lang.L("Your password"), pw)}, func(ok bool) {
			if ok {
				t.Reset(m.ID, pw.Text)
			}
		}, w)
}

// Reset removes a member's second factor with the admin's password.
func (t *orgSecondFactorTab) Reset(userID, password string) {
	orgRun(t.problem, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, t.model.ResetSecondFactor(ctx, userID, password)
	}, func(struct{}) { t.load() }, t.load)
}
