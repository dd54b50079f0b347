package ui

import (
	"context"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/api"
)

// orgUsersTab lists the users, filtered by search or structure option,
// and lets admins make admins, set email addresses, invite people and
// deactivate, reactivate or delete users.
type orgUsersTab struct {
	model   OrgUsersModel
	setUser func(api.OrgUser)
	people  *orgPeople
	loading bool
	shown   []api.OrgUser
	filters []api.OrgUserFilter // by index of filter's options

	memberEmail *widget.Check
	search      *widget.Entry
	filter      *widget.Select
	list        *fyne.Container
	tabProblem
	content fyne.CanvasObject
}

func newOrgUsersTab(m OrgUsersModel, setUser func(api.OrgUser), reload func(), zone func() *time.Location) *orgUsersTab {
	t := &orgUsersTab{model: m, setUser: setUser}
	t.memberEmail = widget.NewCheck(lang.L("Members may change their own email address"), t.setMemberEmail)
	t.search = widget.NewEntry()
	t.search.SetPlaceHolder(lang.L("Search by name, username or email"))
	t.search.OnSubmitted = func(string) { t.Apply() }
	t.filter = widget.NewSelect(nil, func(string) { t.Apply() })
	t.list = container.NewVBox()
	t.problem = problemLabel()
	t.people = newOrgPeople(m, zone, reload, t.problem)
	t.content = container.NewVScroll(container.NewVBox(
		t.problem,
		widget.NewCard(lang.L("Email addresses"), "", container.NewVBox(t.memberEmail,
			explain(lang.L("When off, only admins change members' email addresses, with Change email below.")))),
		widget.NewCard(lang.L("Users"), "", container.NewVBox(
			container.NewBorder(nil, nil, nil, container.NewHBox(t.filter, t.people.invite), t.search), t.list)),
		t.people.card(),
	))
	t.people.obj = t.content
	return t
}

func (t *orgUsersTab) load() {
	orgLoad(t.problem, t.model.OrgSettings, func(s api.OrgSettings) {
		t.loading = true
		t.memberEmail.SetChecked(s.MembersChangeEmail)
		t.loading = false
	})
	orgLoad(t.problem, t.model.Categories, t.showFilters)
	t.people.load()
}

// showFilters offers every structure option as a filter.
func (t *orgUsersTab) showFilters(cats []api.Category) {
	t.people.setCategories(cats)
	t.filters = []api.OrgUserFilter{{}}
	opts := []string{lang.L("Everyone")}
	for _, c := range cats {
		for _, o := range c.Options {
			t.filters = append(t.filters, api.OrgUserFilter{Option: o.ID})
			opts = append(opts, c.Name+": "+o.Name)
		}
	}
	sel := max(t.filter.SelectedIndex(), 0)
	t.filter.OnChanged = nil // choosing the same option again is no new filter
	t.filter.SetOptions(opts)
	t.filter.SetSelectedIndex(min(sel, len(opts)-1))
	t.filter.OnChanged = func(string) { t.Apply() }
}

func (t *orgUsersTab) usersChanged() { t.Apply() }

// Apply lists the users the search and filter select.
func (t *orgUsersTab) Apply() {
	f := api.OrgUserFilter{}
	if i := t.filter.SelectedIndex(); i >= 0 && i < len(t.filters) {
		f = t.filters[i]
	}
	f.Query = t.search.Text
	orgLoad(t.problem, func(ctx context.Context) ([]api.OrgUser, error) {
		return t.model.OrgUsers(ctx, f)
	}, t.show)
}

func (t *orgUsersTab) show(users []api.OrgUser) {
	t.shown = users
	rows := make([]fyne.CanvasObject, 0, len(users))
	for _, u := range users {
		who := u.Username + " · " + u.Email
		if u.Owner {
			who += " · " + lang.L("Account owner")
		}
		if u.Deactivated {
			who += " · " + lang.L("Deactivated")
		}
		admin := widget.NewCheck(lang.L("Admin"), nil)
		admin.SetChecked(u.Admin)
		id := u.ID
		admin.OnChanged = func(on bool) { t.SetAdmin(id, on) }
		email := widget.NewButton(lang.L("Change email…"), func() { t.askEmail(id) })
		sup := widget.NewButton(lang.L("Supervisor…"), func() { t.askSupervisor(u) })
		buttons := append([]fyne.CanvasObject{admin, email, sup}, t.people.actions(u)...)
		rows = append(rows, container.NewBorder(nil, nil, nil, container.NewCenter(container.NewHBox(buttons...)),
			container.NewVBox(bold(u.DisplayName), widget.NewLabel(who))))
	}
	if len(rows) == 0 {
		rows = append(rows, widget.NewLabel(lang.L("No users match.")))
	}
	t.list.Objects = rows
	t.list.Refresh()
}

// SetAdmin grants or revokes permission "account"; the server keeps the
// owner and at least one admin, and says so.
func (t *orgUsersTab) SetAdmin(userID string, on bool) {
	orgRun(t.problem, func(ctx context.Context) (api.OrgUser, error) {
		if on {
			return t.model.GrantAdmin(ctx, userID)
		}
		return t.model.RevokeAdmin(ctx, userID)
	}, t.setUser, t.Apply)
}

func (t *orgUsersTab) askEmail(userID string) {
	w := windowFor(t.content)
	i := slices.IndexFunc(t.shown, func(u api.OrgUser) bool { return u.ID == userID })
	if w == nil || i < 0 {
		return
	}
	u := t.shown[i]
	e := widget.NewEntry()
	e.SetText(u.Email)
	e.Validator = validator(api.ValidateEmail)
	// The server wants the admin's own password: an address is a password
	// reset away from the account.
	pw := widget.NewPasswordEntry()
	pw.SetPlaceHolder(lang.L("Your password"))
	dialog.ShowForm(lang.L("Email address of {{.Name}}", map[string]any{"Name": u.DisplayName}), lang.L("Save"), lang.L("Cancel"),
		[]*widget.FormItem{{Text: lang.L("Email"), Widget: e, HintText: lang.L("Takes effect at once; both addresses are told.")},
			{Text: lang.L("Password"), Widget: pw}},
		func(ok bool) {
			if ok && e.Text != u.Email {
				t.SetEmail(u, e.Text, pw.Text)
			}
		}, w)
}

// SetEmail sets a user's email address at once, with the admin's password.
func (t *orgUsersTab) SetEmail(u api.OrgUser, email, password string) {
	orgRun(t.problem, func(ctx context.Context) (api.OrgUser, error) {
		return t.model.SetUserEmail(ctx, u.ID, u.ProfileVersion, email, password)
	}, t.setUser, t.Apply)
}

func (t *orgUsersTab) setMemberEmail(on bool) {
	if t.loading {
		return
	}
	orgRun(t.problem, func(ctx context.Context) (api.OrgSettings, error) {
		return setSwitch(ctx, t.model, api.OrgSettingsPatch{MembersChangeEmail: &on})
	}, func(api.OrgSettings) {}, t.load)
}
