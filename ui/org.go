package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/api"
)

// OrgModel is everything the Organisation page asks of the server, for
// admins (permission "account"). *client.Client satisfies it; each tab
// depends on its own part.
type OrgModel interface {
	OrgSettingsModel
	OrgCommerceModel
	OrgUsersModel
	OrgSMSModel
	OrgCostCentersModel
	OrgReasonCodesModel
	OrgStructureModel
	OrgAuditModel
	OrgSecondFactorModel
}

// OrgUsersModel lists the organisation's users and changes what only
// admins may: email addresses, the admin permission, and who belongs
// (OrgPeopleModel).
type OrgUsersModel interface {
	OrgUsers(ctx context.Context, f api.OrgUserFilter) ([]api.OrgUser, error)
	SetUserEmail(ctx context.Context, userID string, version int64, email, password string) (api.OrgUser, error)
	GrantAdmin(ctx context.Context, userID string) (api.OrgUser, error)
	RevokeAdmin(ctx context.Context, userID string) (api.OrgUser, error)
	supervisorAdmin
	OrgPeopleModel
	settingsSwitch
	// Categories offers the structure's options as filters.
	Categories(ctx context.Context) ([]api.Category, error)
}

// settingsSwitch reads and changes the org settings, for tabs that hold
// one of its switches.
type settingsSwitch interface {
	OrgSettings(ctx context.Context) (api.OrgSettings, error)
	UpdateOrgSettings(ctx context.Context, version int64, p api.OrgSettingsPatch) (api.OrgSettings, error)
}

// setSwitch applies a switch to the latest settings: the admin's choice
// is absolute, so another edit meanwhile is no conflict.
func setSwitch(ctx context.Context, m settingsSwitch, p api.OrgSettingsPatch) (api.OrgSettings, error) {
	s, err := m.OrgSettings(ctx)
	if err != nil {
		return s, err
	}
	return m.UpdateOrgSettings(ctx, s.Version, p)
}

// orgTab is one tab of the Organisation page.
type orgTab interface {
	load()
	// usersChanged tells the tab the organisation's users were reloaded.
	usersChanged()
	// clearProblem hides what went wrong before the page was shown again.
	clearProblem()
}

// tabProblem is the problem label every tab has.
type tabProblem struct{ problem *widget.Label }

func (t tabProblem) clearProblem() { t.problem.Hide() }

// OrgPage runs the organisation: company profile and defaults, package
// and licenses, users, system SMS, cost centers, status reasons,
// structure and the audit log, each in a tab. The server enforces every
// rule; the page shows what an admin may do and why not.
type OrgPage struct {
	model   OrgModel
	members []api.OrgUser
	tabs    *container.AppTabs
	all     []orgTab
	problem *widget.Label

	company   *orgCompanyTab
	commerce  *orgCommerceTab
	users     *orgUsersTab
	sms       *orgSMSTab
	costs     *orgCostCentersTab
	reasons   *orgReasonsTab
	structure *orgStructureTab
	audit     *orgAuditTab
	content   fyne.CanvasObject
}

// NewOrgPage builds the page; Load fetches its data.
func NewOrgPage(m OrgModel) *OrgPage {
	p := &OrgPage{model: m}
	users := func() []api.OrgUser { return p.members }
	p.problem = problemLabel()
	p.company = newOrgCompanyTab(m)
	p.commerce = newOrgCommerceTab(m, users, p.loadUsers)
	p.users = newOrgUsersTab(m, p.setUser, p.loadUsers, p.zone)
	p.sms = newOrgSMSTab(m, users)
	p.costs = newOrgCostCentersTab(m, users, p.loadUsers)
	p.reasons = newOrgReasonsTab(m)
	p.structure = newOrgStructureTab(m, users, p.loadUsers)
	p.audit = newOrgAuditTab(m, users, p.zone)
	p.all = []orgTab{p.company, p.commerce, p.users, p.sms, p.costs, p.reasons, p.structure, p.audit}
	p.tabs = container.NewAppTabs(
		container.NewTabItem(lang.L("Company"), p.company.content),
		container.NewTabItem(lang.L("Package & licenses"), p.commerce.content),
		container.NewTabItem(lang.L("Users"), p.users.content),
		container.NewTabItem(lang.L("System SMS"), p.sms.content),
		container.NewTabItem(lang.L("Cost centers"), p.costs.content),
		container.NewTabItem(lang.L("Status reasons"), p.reasons.content),
		container.NewTabItem(lang.L("Structure"), p.structure.content),
		container.NewTabItem(lang.L("Audit log"), p.audit.content),
		p.secondFactorTab(),
	)
	p.addProvisionTab()
	p.addSSOTab()
	p.content = container.NewBorder(p.problem, nil, nil, nil, p.tabs)
	return p
}

// Content is the page's canvas object.
func (p *OrgPage) Content() fyne.CanvasObject { return p.content }

// SwitchTab moves step tabs along, wrapping round. Focus, which may be on
// a control of the tab left, starts over.
func (p *OrgPage) SwitchTab(step int) {
	n := len(p.tabs.Items)
	p.tabs.SelectIndex(((p.tabs.SelectedIndex()+step)%n + n) % n)
	if c := fyne.CurrentApp().Driver().CanvasForObject(p.content); c != nil {
		c.Unfocus()
	}
}

// Focus puts the cursor in the company's display name.
func (p *OrgPage) Focus(c fyne.Canvas) { c.Focus(p.company.display) }

// zone is the organisation's time zone, which the audit log's times and
// dates are in.
func (p *OrgPage) zone() *time.Location {
	if loc, err := time.LoadLocation(p.company.settings.TimeZone); err == nil && p.company.settings.TimeZone != "" {
		return loc
	}
	return time.Local
}

// Load fetches every tab's data and the users; it runs each time the page
// is shown, so changes made elsewhere appear.
func (p *OrgPage) Load() {
	p.problem.Hide()
	for _, t := range p.all {
		t.clearProblem()
		t.load()
	}
	p.loadUsers()
}

// loadUsers refreshes the users every tab shows.
func (p *OrgPage) loadUsers() {
	orgLoad(p.problem, func(ctx context.Context) ([]api.OrgUser, error) {
		return p.model.OrgUsers(ctx, api.OrgUserFilter{})
	}, func(users []api.OrgUser) {
		p.members = users
		for _, t := range p.all {
			t.usersChanged()
		}
	})
}

// setUser takes in one user as a change returned them.
func (p *OrgPage) setUser(u api.OrgUser) {
	if i := slices.IndexFunc(p.members, func(m api.OrgUser) bool { return m.ID == u.ID }); i >= 0 {
		p.members[i] = u
	}
	for _, t := range p.all {
		t.usersChanged()
	}
}

// orgRun runs an admin's action off the UI goroutine. Success hides the
// tab's problem and goes to apply; a failure is shown in problem and then
// reload (if any) runs, so the tab shows what the server has rather than
// the refused edit.
func orgRun[T any](problem *widget.Label, work func(ctx context.Context) (T, error), apply func(T), reload func()) {
	orgCall(problem, work, func(v T) {
		problem.Hide()
		apply(v)
	}, reload)
}

// orgLoad fetches what a tab shows. It leaves a problem an action showed
// in place: loads follow refused actions.
func orgLoad[T any](problem *widget.Label, work func(ctx context.Context) (T, error), apply func(T)) {
	orgCall(problem, work, apply, nil)
}

func orgCall[T any](problem *widget.Label, work func(ctx context.Context) (T, error), apply func(T), reload func()) {
	async(func() (T, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		return work(ctx)
	}, func(v T, err error) {
		if err != nil {
			problem.SetText(describe(err))
			problem.Show()
			if reload != nil {
				reload()
			}
			return
		}
		apply(v)
	})
}

// money renders minor currency units: 24900 SEK → "249.00 SEK".
func money(minor int64, currency string) string {
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	return fmt.Sprintf("%s%d.%02d %s", sign, minor/100, minor%100, currency)
}

// userLabel names a user unmistakably in pickers.
func userLabel(u api.OrgUser) string { return u.DisplayName + " (" + u.Username + ")" }

// userNames maps user IDs to display names for showing who is where.
func userNames(users []api.OrgUser, ids []string) string {
	names := make([]string, 0, len(ids))
	for _, id := range ids {
		if i := slices.IndexFunc(users, func(u api.OrgUser) bool { return u.ID == id }); i >= 0 {
			names = append(names, users[i].DisplayName)
		}
	}
	if len(names) == 0 {
		return lang.L("Nobody")
	}
	return strings.Join(names, ", ")
}

// userChecks is a list of the users with a check each, for choosing who
// belongs to something.
type userChecks struct {
	group *widget.CheckGroup
	ids   map[string]string // label → user ID
}

func newUserChecks(users []api.OrgUser, selected []string) *userChecks {
	c := &userChecks{ids: map[string]string{}}
	labels := make([]string, 0, len(users))
	var on []string
	for _, u := range users {
		l := userLabel(u)
		labels = append(labels, l)
		c.ids[l] = u.ID
		if slices.Contains(selected, u.ID) {
			on = append(on, l)
		}
	}
	c.group = widget.NewCheckGroup(labels, nil)
	c.group.SetSelected(on)
	return c
}

// selected lists the checked users' IDs.
func (c *userChecks) selected() []string {
	ids := make([]string, 0, len(c.group.Selected))
	for _, l := range c.group.Selected {
		ids = append(ids, c.ids[l])
	}
	slices.Sort(ids)
	return ids
}

// pickUsers asks which users belong to something and hands the choice to
// done.
func pickUsers(obj fyne.CanvasObject, title string, users []api.OrgUser, selected []string, done func([]string)) {
	w := windowFor(obj)
	if w == nil {
		return
	}
	checks := newUserChecks(users, selected)
	d := dialog.NewCustomConfirm(title, lang.L("Done"), lang.L("Cancel"), container.NewVScroll(checks.group), func(ok bool) {
		if ok {
			done(checks.selected())
		}
	}, w)
	d.Resize(fyne.NewSize(420, 420))
	d.Show()
}

// askName asks for a name, starting from current, and hands it to done.
func askName(obj fyne.CanvasObject, title, current string, done func(string)) {
	w := windowFor(obj)
	if w == nil {
		return
	}
	e := widget.NewEntry()
	e.SetText(current)
	e.Validator = validator(api.ValidateDisplayName)
	dialog.ShowForm(title, lang.L("Save"), lang.L("Cancel"), []*widget.FormItem{widget.NewFormItem(lang.L("Name"), e)}, func(ok bool) {
		if ok && e.Text != current {
			done(e.Text)
		}
	}, w)
}

// bold is a label in bold type.
func bold(s string) *widget.Label {
	return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// explain is a wrapping label for explanations.
func explain(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	return l
}
