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

// OrgReasonCodesModel manages the reasons members give for Unavailable.
type OrgReasonCodesModel interface {
	OrgReasonCodes(ctx context.Context) ([]api.OrgReasonCode, error)
	CreateReasonCode(ctx context.Context, label string) (api.OrgReasonCode, error)
	UpdateReasonCode(ctx context.Context, code string, version int64, p api.ReasonCodePatch) (api.OrgReasonCode, error)
	OrgPresence(ctx context.Context) (api.Presence, error)
	SetOrgPresence(ctx context.Context, version int64, u api.PresenceUpdate) (api.Presence, error)
}

// orgReasonsTab creates, renames and retires the reasons for Unavailable
// and sets their timers, and holds the away-on-lock policy that uses them.
// Retired reasons can't be chosen but stay in members' history, so they
// are never deleted.
type orgReasonsTab struct {
	model OrgReasonCodesModel
	list  *fyne.Container
	label *widget.Entry
	add   *widget.Button
	away  *presenceCard
	tabProblem
	content fyne.CanvasObject
}

func newOrgReasonsTab(m OrgReasonCodesModel) *orgReasonsTab {
	t := &orgReasonsTab{model: m}
	t.list = container.NewVBox()
	t.label = widget.NewEntry()
	t.label.SetPlaceHolder(lang.L("New reason, e.g. Lunch"))
	t.label.OnChanged = func(s string) { setEnabled(t.add, api.ValidateDisplayName(s) == nil) }
	t.label.OnSubmitted = func(string) { t.Create() }
	t.add = widget.NewButtonWithIcon(lang.L("Add"), theme.ContentAddIcon(), t.Create)
	t.add.Disable()
	t.problem = problemLabel()
	t.away = newPresenceCard(m, t.problem)
	t.content = container.NewVScroll(container.NewVBox(
		t.problem,
		widget.NewCard(lang.L("Reasons for Unavailable"), lang.L("Members pick one when they set their status to Unavailable."),
			container.NewVBox(t.list, container.NewBorder(nil, nil, nil, t.add, t.label))),
		t.away.card,
	))
	return t
}

func (t *orgReasonsTab) load() {
	orgLoad(t.problem, t.model.OrgReasonCodes, func(codes []api.OrgReasonCode) {
		t.show(codes)
		t.away.load(codes)
	})
}

func (t *orgReasonsTab) usersChanged() {}

func (t *orgReasonsTab) show(codes []api.OrgReasonCode) {
	rows := make([]fyne.CanvasObject, 0, len(codes))
	for _, rc := range codes {
		title := bold(rc.Label)
		state := widget.NewLabel(lang.L("In use"))
		retire := widget.NewButton(lang.L("Retire"), func() { t.Update(rc, api.ReasonCodePatch{Retired: new(true)}) })
		if rc.Retired {
			state.SetText(lang.L("Retired"))
			state.Importance = widget.LowImportance
			retire = widget.NewButton(lang.L("Bring back"), func() { t.Update(rc, api.ReasonCodePatch{Retired: new(false)}) })
		}
		rename := widget.NewButton(lang.L("Rename…"), func() {
			askName(t.content, lang.L("Rename reason"), rc.Label, func(label string) {
				t.Update(rc, api.ReasonCodePatch{Label: &label})
			})
		})
		timer := widget.NewButton(lang.L("Timer…"), func() {
			askTimer(t.content, rc, func(p api.ReasonCodePatch) { t.Update(rc, p) })
		})
		rows = append(rows, container.NewBorder(nil, nil, nil, container.NewHBox(state, timerLabel(rc.ReasonCode), rename, timer, retire), title))
	}
	t.list.Objects = rows
	t.list.Refresh()
}

// Create adds a reason labelled as typed.
func (t *orgReasonsTab) Create() {
	label := t.label.Text
	if api.ValidateDisplayName(label) != nil {
		return
	}
	orgRun(t.problem, func(ctx context.Context) (api.OrgReasonCode, error) {
		return t.model.CreateReasonCode(ctx, label)
	}, func(api.OrgReasonCode) {
		t.label.SetText("")
		t.load()
	}, nil)
}

// Update renames, retires or brings back a reason.
func (t *orgReasonsTab) Update(rc api.OrgReasonCode, p api.ReasonCodePatch) {
	orgRun(t.problem, func(ctx context.Context) (api.OrgReasonCode, error) {
		return t.model.UpdateReasonCode(ctx, rc.Code, rc.Version, p)
	}, func(api.OrgReasonCode) { t.load() }, t.load)
}
