package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/api"
)

// OrgCostCentersModel manages cost centers; activating them is an org
// setting.
type OrgCostCentersModel interface {
	CostCenters(ctx context.Context) (api.CostCenters, error)
	CreateCostCenter(ctx context.Context, name string) (api.CostCenter, error)
	RenameCostCenter(ctx context.Context, id string, version int64, name string) (api.CostCenter, error)
	RemoveCostCenter(ctx context.Context, id string) error
	SetCostCenterUsers(ctx context.Context, id string, version int64, userIDs []string) (api.CostCenter, error)
	settingsSwitch
}

// orgCostCentersTab activates cost centers and creates, renames, removes
// and staffs them.
type orgCostCentersTab struct {
	model   OrgCostCentersModel
	users   func() []api.OrgUser
	reload  func() // reloads the users after membership changes
	centers api.CostCenters
	loading bool

	enabled *widget.Check
	list    *fyne.Container
	name    *widget.Entry
	add     *widget.Button
	tabProblem
	content fyne.CanvasObject
}

func newOrgCostCentersTab(m OrgCostCentersModel, users func() []api.OrgUser, reload func()) *orgCostCentersTab {
	t := &orgCostCentersTab{model: m, users: users, reload: reload}
	t.enabled = widget.NewCheck(lang.L("Use cost centers"), t.activate)
	t.list = container.NewVBox()
	t.name = widget.NewEntry()
	t.name.SetPlaceHolder(lang.L("New cost center"))
	t.name.OnChanged = func(s string) { setEnabled(t.add, t.centers.Enabled && api.ValidateDisplayName(s) == nil) }
	t.name.OnSubmitted = func(string) { t.Create() }
	t.add = widget.NewButtonWithIcon(lang.L("Add"), theme.ContentAddIcon(), t.Create)
	t.add.Disable()
	t.problem = problemLabel()
	t.content = container.NewVScroll(container.NewVBox(
		t.problem,
		widget.NewCard(lang.L("Cost centers"), lang.L("Book users' costs to the parts of your organisation that carry them."),
			container.NewVBox(t.enabled, t.list, container.NewBorder(nil, nil, nil, t.add, t.name))),
	))
	return t
}

func (t *orgCostCentersTab) load() { orgLoad(t.problem, t.model.CostCenters, t.show) }

func (t *orgCostCentersTab) usersChanged() { t.show(t.centers) }

func (t *orgCostCentersTab) show(cc api.CostCenters) {
	t.centers = cc
	t.loading = true
	t.enabled.SetChecked(cc.Enabled)
	t.loading = false
	rows := make([]fyne.CanvasObject, 0, len(cc.CostCenters))
	for _, c := range cc.CostCenters {
		rename := widget.NewButton(lang.L("Rename…"), func() {
			askName(t.content, lang.L("Rename cost center"), c.Name, func(name string) { t.Rename(c, name) })
		})
		users := widget.NewButton(lang.L("Users…"), func() {
			pickUsers(t.content, lang.L("Users in {{.Name}}", map[string]any{"Name": c.Name}), t.users(), c.UserIDs,
				func(ids []string) { t.SetUsers(c, ids) })
		})
		remove := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() {
			confirm(t.content, lang.L("Remove {{.Name}}?", map[string]any{"Name": c.Name}),
				lang.L("Its users will be in no cost center."), func() { t.Remove(c.ID) })
		})
		for _, b := range []*widget.Button{rename, users, remove} {
			setEnabled(b, cc.Enabled)
		}
		rows = append(rows, container.NewBorder(nil, nil, nil, container.NewCenter(container.NewHBox(users, rename, remove)),
			container.NewVBox(bold(c.Name), widget.NewLabel(userNames(t.users(), c.UserIDs)))))
	}
	if len(rows) == 0 {
		rows = append(rows, widget.NewLabel(lang.L("No cost centers yet.")))
	}
	t.list.Objects = rows
	t.list.Refresh()
	setEnabled(t.add, cc.Enabled && api.ValidateDisplayName(t.name.Text) == nil)
}

// after reloads the list and the users once a change is made.
func (t *orgCostCentersTab) after(api.CostCenter) {
	t.load()
	t.reload()
}

// Create adds a cost center named as typed.
func (t *orgCostCentersTab) Create() {
	name := t.name.Text
	if api.ValidateDisplayName(name) != nil || !t.centers.Enabled {
		return
	}
	orgRun(t.problem, func(ctx context.Context) (api.CostCenter, error) {
		return t.model.CreateCostCenter(ctx, name)
	}, func(c api.CostCenter) {
		t.name.SetText("")
		t.after(c)
	}, nil)
}

// Rename renames a cost center.
func (t *orgCostCentersTab) Rename(c api.CostCenter, name string) {
	orgRun(t.problem, func(ctx context.Context) (api.CostCenter, error) {
		return t.model.RenameCostCenter(ctx, c.ID, c.Version, name)
	}, t.after, t.load)
}

// SetUsers makes ids the cost center's users.
func (t *orgCostCentersTab) SetUsers(c api.CostCenter, ids []string) {
	orgRun(t.problem, func(ctx context.Context) (api.CostCenter, error) {
		return t.model.SetCostCenterUsers(ctx, c.ID, c.Version, ids)
	}, t.after, t.load)
}

// Remove removes a cost center.
func (t *orgCostCentersTab) Remove(id string) {
	orgRun(t.problem, func(ctx context.Context) (api.CostCenter, error) {
		return api.CostCenter{}, t.model.RemoveCostCenter(ctx, id)
	}, t.after, t.load)
}

func (t *orgCostCentersTab) activate(on bool) {
	if t.loading {
		return
	}
	orgRun(t.problem, func(ctx context.Context) (api.OrgSettings, error) {
		return setSwitch(ctx, t.model, api.OrgSettingsPatch{CostCentersEnabled: &on})
	}, func(api.OrgSettings) { t.load() }, t.load)
}
