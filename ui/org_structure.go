package ui

import (
	"context"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/api"
)

// OrgStructureModel manages the organisation structure: categories with
// options, and who holds which option.
type OrgStructureModel interface {
	Categories(ctx context.Context) ([]api.Category, error)
	CreateCategory(ctx context.Context, name string, options []string) (api.Category, error)
	UpdateCategory(ctx context.Context, id string, version int64, p api.CategoryPatch) (api.Category, error)
	RemoveCategory(ctx context.Context, id string) error
	SetOptionUsers(ctx context.Context, categoryID, optionID string, version int64, userIDs []string) (api.Category, error)
}

// categoryEdit is a category's unsaved changes: options to remove and
// options to add.
type categoryEdit struct {
	remove []string // option IDs
	add    []string // option names
}

// orgStructureTab builds the structure: categories (e.g. Office) with
// options (Stockholm, Malmö) that users are given, for sorting and
// filtering.
type orgStructureTab struct {
	model   OrgStructureModel
	users   func() []api.OrgUser
	reload  func() // reloads the users after assignments
	cats    []api.Category
	edits   map[string]*categoryEdit
	list    *fyne.Container
	name    *widget.Entry
	option  *widget.Entry
	pending []string
	pendLbl *widget.Label
	create  *widget.Button
	tabProblem
	content fyne.CanvasObject
}

func newOrgStructureTab(m OrgStructureModel, users func() []api.OrgUser, reload func()) *orgStructureTab {
	t := &orgStructureTab{model: m, users: users, reload: reload, edits: map[string]*categoryEdit{}}
	t.list = container.NewVBox()
	t.name = widget.NewEntry()
	t.name.SetPlaceHolder(lang.L("Category, e.g. Office"))
	t.name.OnChanged = func(string) { t.updateCreate() }
	t.option = widget.NewEntry()
	t.option.SetPlaceHolder(lang.L("Option; press Return to add it"))
	t.option.OnSubmitted = func(s string) { t.AddPending(s) }
	t.pendLbl = widget.NewLabel("")
	t.create = widget.NewButtonWithIcon(lang.L("Create"), theme.ContentAddIcon(), t.Create)
	t.problem = problemLabel()
	t.content = container.NewVScroll(container.NewVBox(
		t.problem,
		explain(lang.L("Categories with options, such as departments or offices, sort users for contact groups and search, and filter the users list.")),
		t.list,
		widget.NewCard(lang.L("New category"), "", container.NewVBox(
			t.name, t.option, t.pendLbl, container.NewHBox(layout.NewSpacer(), t.create))),
	))
	t.updateCreate()
	return t
}

func (t *orgStructureTab) load() { orgLoad(t.problem, t.model.Categories, t.show) }

func (t *orgStructureTab) usersChanged() { t.show(t.cats) }

// AddPending adds an option to the category being created.
func (t *orgStructureTab) AddPending(s string) {
	s = strings.TrimSpace(s)
	if api.ValidateDisplayName(s) == nil && !slices.Contains(t.pending, s) {
		t.pending = append(t.pending, s)
	}
	t.option.SetText("")
	t.updateCreate()
}

func (t *orgStructureTab) updateCreate() {
	if len(t.pending) > 0 {
		t.pendLbl.SetText(lang.L("Options: {{.Options}}", map[string]any{"Options": strings.Join(t.pending, ", ")}))
	} else {
		t.pendLbl.SetText(lang.L("No options yet."))
	}
	setEnabled(t.create, api.ValidateDisplayName(t.name.Text) == nil)
}

// Create adds the category with its options.
func (t *orgStructureTab) Create() {
	name, opts := t.name.Text, slices.Clone(t.pending)
	orgRun(t.problem, func(ctx context.Context) (api.Category, error) {
		return t.model.CreateCategory(ctx, name, opts)
	}, func(api.Category) {
		t.name.SetText("")
		t.pending = nil
		t.updateCreate()
		t.load()
	}, nil)
}

func (t *orgStructureTab) show(cats []api.Category) {
	t.cats = cats
	cards := make([]fyne.CanvasObject, 0, len(cats))
	for _, c := range cats {
		cards = append(cards, t.card(c))
	}
	t.list.Objects = cards
	t.list.Refresh()
}

func (t *orgStructureTab) edit(id string) *categoryEdit {
	e := t.edits[id]
	if e == nil {
		e = &categoryEdit{}
		t.edits[id] = e
	}
	return e
}

// card shows a category: its options with their users, options waiting
// to be added, and the category's actions.
func (t *orgStructureTab) card(c api.Category) fyne.CanvasObject {
	ed := t.edit(c.ID)
	rows := container.NewVBox()
	for _, o := range c.Options {
		if slices.Contains(ed.remove, o.ID) {
			continue
		}
		users := widget.NewButton(lang.L("Users…"), func() {
			pickUsers(t.content, c.Name+": "+o.Name, t.users(), o.UserIDs, func(ids []string) { t.SetUsers(c, o.ID, ids) })
		})
		del := widget.NewButtonWithIcon("", theme.CancelIcon(), func() {
			ed.remove = append(ed.remove, o.ID)
			t.show(t.cats)
		})
		rows.Add(container.NewBorder(nil, nil, nil, container.NewCenter(container.NewHBox(users, del)),
			container.NewVBox(bold(o.Name), widget.NewLabel(userNames(t.users(), o.UserIDs)))))
	}
	for _, n := range ed.add {
		rows.Add(widget.NewLabel(lang.L("{{.Name}} (not saved)", map[string]any{"Name": n})))
	}
	add := widget.NewEntry()
	add.SetPlaceHolder(lang.L("Add an option; press Return"))
	add.OnSubmitted = func(s string) {
		if s = strings.TrimSpace(s); api.ValidateDisplayName(s) == nil {
			ed.add = append(ed.add, s)
			t.show(t.cats)
		}
	}
	save := widget.NewButtonWithIcon(lang.L("Save"), theme.DocumentSaveIcon(), func() { t.Save(c) })
	save.Importance = widget.HighImportance
	setEnabled(save, len(ed.add)+len(ed.remove) > 0)
	rename := widget.NewButton(lang.L("Rename…"), func() {
		askName(t.content, lang.L("Rename category"), c.Name, func(name string) { t.Rename(c, name) })
	})
	remove := widget.NewButtonWithIcon(lang.L("Remove"), theme.DeleteIcon(), func() { t.confirmRemove(c) })
	remove.Importance = widget.DangerImportance
	return widget.NewCard(c.Name, "", container.NewVBox(rows, add,
		container.NewHBox(rename, remove, layout.NewSpacer(), save)))
}

// Save sends a category's added and removed options.
func (t *orgStructureTab) Save(c api.Category) {
	ed := t.edit(c.ID)
	p := api.CategoryPatch{AddOptions: ed.add, RemoveOptions: ed.remove}
	t.updateCategory(c, p)
}

// Rename renames a category.
func (t *orgStructureTab) Rename(c api.Category, name string) {
	t.updateCategory(c, api.CategoryPatch{Name: &name})
}

func (t *orgStructureTab) updateCategory(c api.Category, p api.CategoryPatch) {
	orgRun(t.problem, func(ctx context.Context) (api.Category, error) {
		return t.model.UpdateCategory(ctx, c.ID, c.Version, p)
	}, func(api.Category) {
		delete(t.edits, c.ID)
		t.load()
		t.reload()
	}, t.load)
}

func (t *orgStructureTab) confirmRemove(c api.Category) {
	confirm(t.content, lang.L("Remove {{.Name}}?", map[string]any{"Name": c.Name}),
		lang.L("Its options are removed too, and users lose them."), func() { t.Remove(c.ID) })
}

// Remove removes a category with its options.
func (t *orgStructureTab) Remove(id string) {
	orgRun(t.problem, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, t.model.RemoveCategory(ctx, id)
	}, func(struct{}) {
		delete(t.edits, id)
		t.load()
		t.reload()
	}, t.load)
}

// SetUsers makes ids the holders of an option.
func (t *orgStructureTab) SetUsers(c api.Category, optionID string, ids []string) {
	orgRun(t.problem, func(ctx context.Context) (api.Category, error) {
		return t.model.SetOptionUsers(ctx, c.ID, optionID, c.Version, ids)
	}, func(api.Category) {
		t.load()
		t.reload()
	}, t.load)
}
