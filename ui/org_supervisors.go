package ui

import (
	"context"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/api"
)

// supervisorAdmin grants the supervisor role on the Users tab.
type supervisorAdmin interface {
	Supervisors(ctx context.Context) ([]api.Supervisor, error)
	SetSupervisor(ctx context.Context, userID string, optionIDs []string) (api.Supervisor, error)
	RevokeSupervisor(ctx context.Context, userID string) (api.Supervisor, error)
}

// supervisorScope is what an admin chooses for a member: whether they are
// a supervisor, and of the holders of which structure options.
type supervisorScope struct {
	role    *widget.Check
	options []*widget.Check
	ids     []string // option IDs, by index of options
	content fyne.CanvasObject
}

// newSupervisorScope offers every structure option, ticking those of the
// member's current scope (sup nil: not a supervisor).
func newSupervisorScope(cats []api.Category, sup *api.Supervisor) *supervisorScope {
	s := &supervisorScope{}
	box := container.NewVBox()
	for _, c := range cats {
		for _, o := range c.Options {
			ch := widget.NewCheck(c.Name+": "+o.Name, nil)
			ch.SetChecked(sup != nil && slices.Contains(sup.OptionIDs, o.ID))
			s.options = append(s.options, ch)
			s.ids = append(s.ids, o.ID)
			box.Add(ch)
		}
	}
	if len(s.options) == 0 {
		box.Add(explain(lang.L("Add structure options first: a supervisor sees the members who hold the options you choose here.")))
	}
	s.role = widget.NewCheck(lang.L("Supervisor"), func(on bool) {
		for _, ch := range s.options {
			if on {
				ch.Enable()
			} else {
				ch.Disable()
			}
		}
	})
	s.role.SetChecked(sup != nil)
	s.role.OnChanged(sup != nil)
	s.content = container.NewVBox(s.role,
		explain(lang.L("Sees the status of the members holding these options, sets it, and exports their time in status.")), box)
	return s
}

// chosen is the role and scope the checks describe.
func (s *supervisorScope) chosen() (bool, []string) {
	ids := []string{}
	for i, ch := range s.options {
		if ch.Checked {
			ids = append(ids, s.ids[i])
		}
	}
	return s.role.Checked, ids
}

// askSupervisor lets the admin grant, change or revoke a member's
// supervisor role.
func (t *orgUsersTab) askSupervisor(u api.OrgUser) {
	w := windowFor(t.content)
	if w == nil {
		return
	}
	type scopeData struct {
		cats []api.Category
		sup  *api.Supervisor
	}
	orgLoad(t.problem, func(ctx context.Context) (scopeData, error) {
		cats, err := t.model.Categories(ctx)
		if err != nil {
			return scopeData{}, err
		}
		sups, err := t.model.Supervisors(ctx)
		d := scopeData{cats: cats}
		if i := slices.IndexFunc(sups, func(s api.Supervisor) bool { return s.UserID == u.ID }); i >= 0 {
			d.sup = &sups[i]
		}
		return d, err
	}, func(d scopeData) {
		s := newSupervisorScope(d.cats, d.sup)
		dialog.ShowCustomConfirm(lang.L("Supervisor role of {{.Name}}", map[string]any{"Name": u.DisplayName}), lang.L("Save"), lang.L("Cancel"),
			container.NewVScroll(s.content), func(ok bool) {
				if ok {
					on, ids := s.chosen()
					t.SetSupervisor(u.ID, on, ids)
				}
			}, w)
	})
}

// SetSupervisor makes a member a supervisor of the holders of optionIDs,
// or takes the role away.
func (t *orgUsersTab) SetSupervisor(userID string, on bool, optionIDs []string) {
	orgRun(t.problem, func(ctx context.Context) (api.Supervisor, error) {
		if on {
			return t.model.SetSupervisor(ctx, userID, optionIDs)
		}
		return t.model.RevokeSupervisor(ctx, userID)
	}, func(api.Supervisor) {}, nil)
}
