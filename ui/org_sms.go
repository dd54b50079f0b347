package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/api"
)

// OrgSMSModel reads and sets where system SMS may go and which kinds.
type OrgSMSModel interface {
	OrgSMS(ctx context.Context) (api.SMSSettings, error)
	SetSMSZone(ctx context.Context, version int64, zone string, u api.SMSZoneUpdate) (api.SMSSettings, error)
	SetSMSMessageTypes(ctx context.Context, version int64, allowed []string) (api.SMSSettings, error)
}

// smsZoneRow edits one zone: off, on for all users, or on for some.
type smsZoneRow struct {
	zone    string
	enabled *widget.Check
	scope   *widget.RadioGroup
	who     *widget.Label
	pick    *widget.Button
	save    *widget.Button
	users   []string // the selected users, as edited
}

// orgSMSTab sets the system SMS zones and allowed message types.
type orgSMSTab struct {
	model    OrgSMSModel
	users    func() []api.OrgUser
	settings api.SMSSettings
	zones    *fyne.Container
	rows     map[string]*smsZoneRow
	types    *widget.CheckGroup
	typeIDs  map[string]string // label → type
	saveType *widget.Button
	tabProblem
	content fyne.CanvasObject
}

func newOrgSMSTab(m OrgSMSModel, users func() []api.OrgUser) *orgSMSTab {
	t := &orgSMSTab{model: m, users: users, rows: map[string]*smsZoneRow{}, typeIDs: map[string]string{}}
	t.zones = container.NewVBox()
	t.types = widget.NewCheckGroup(nil, func([]string) { setEnabled(t.saveType, true) })
	t.saveType = widget.NewButton(lang.L("Save"), t.SaveTypes)
	t.saveType.Disable()
	t.problem = problemLabel()
	t.content = container.NewVScroll(container.NewVBox(
		t.problem,
		widget.NewCard(lang.L("SMS zones"), lang.L("Where users may send system SMS."), t.zones),
		widget.NewCard(lang.L("Message types"), lang.L("The kinds of system SMS that may be sent."),
			container.NewVBox(t.types, container.NewHBox(layout.NewSpacer(), t.saveType))),
	))
	return t
}

func (t *orgSMSTab) load() { orgLoad(t.problem, t.model.OrgSMS, t.show) }

func (t *orgSMSTab) usersChanged() {
	for _, r := range t.rows {
		r.who.SetText(userNames(t.users(), r.users))
	}
}

func (t *orgSMSTab) show(s api.SMSSettings) {
	t.settings = s
	objs := make([]fyne.CanvasObject, 0, len(s.Zones))
	for _, z := range s.Zones {
		r := t.zoneRow(z)
		t.rows[z.Zone] = r
		objs = append(objs, widget.NewCard(z.Name, "", container.NewVBox(
			container.NewHBox(r.enabled, r.scope),
			container.NewBorder(nil, nil, nil, container.NewHBox(r.pick, r.save), r.who))))
	}
	t.zones.Objects = objs
	t.zones.Refresh()

	labels, on := make([]string, 0, len(s.MessageTypes)), []string{}
	for _, mt := range s.MessageTypes {
		l := smsTypeName(mt)
		labels = append(labels, l)
		t.typeIDs[l] = mt.Type
		if mt.Allowed {
			on = append(on, l)
		}
	}
	t.types.Options = labels
	t.types.SetSelected(on)
	t.saveType.Disable()
}

func smsTypeName(mt api.SMSMessageType) string {
	switch mt.Type {
	case "survey":
		return lang.L("Surveys")
	case "answer_group":
		return lang.L("Answer groups")
	case "callback":
		return lang.L("Callback confirmations")
	case "queue_position":
		return lang.L("Queue position updates")
	}
	return mt.Name
}

func (t *orgSMSTab) zoneRow(z api.SMSZone) *smsZoneRow {
	all, some := lang.L("All users"), lang.L("Selected users")
	r := &smsZoneRow{zone: z.Zone, users: z.UserIDs, who: widget.NewLabel("")}
	r.save = widget.NewButton(lang.L("Save"), func() { t.SaveZone(z.Zone) })
	r.pick = widget.NewButton(lang.L("Choose users…"), func() {
		pickUsers(t.content, lang.L("Who may send SMS to {{.Zone}}", map[string]any{"Zone": z.Name}), t.users(), r.users, func(ids []string) {
			r.users = ids
			r.who.SetText(userNames(t.users(), ids))
			r.save.Enable()
		})
	})
	update := func() {
		r.scope.Hidden = !r.enabled.Checked
		selected := r.enabled.Checked && r.scope.Selected == some
		r.pick.Hidden, r.who.Hidden = !selected, !selected
		r.scope.Refresh()
	}
	r.enabled = widget.NewCheck(lang.L("Enabled"), nil)
	r.scope = widget.NewRadioGroup([]string{all, some}, nil)
	r.scope.Horizontal = true
	r.enabled.SetChecked(z.Enabled)
	r.scope.SetSelected(all)
	if z.Scope == api.ScopeSelected {
		r.scope.SetSelected(some)
	}
	r.who.SetText(userNames(t.users(), z.UserIDs))
	update()
	r.save.Disable()
	r.enabled.OnChanged = func(bool) { update(); r.save.Enable() }
	r.scope.OnChanged = func(string) { update(); r.save.Enable() }
	return r
}

// update is what a zone row asks for.
func (r *smsZoneRow) update() api.SMSZoneUpdate {
	switch {
	case !r.enabled.Checked:
		return api.SMSZoneUpdate{}
	case r.scope.Selected == lang.L("Selected users"):
		return api.SMSZoneUpdate{Enabled: true, Scope: api.ScopeSelected, UserIDs: nonNilIDs(r.users)}
	}
	return api.SMSZoneUpdate{Enabled: true, Scope: api.ScopeAll}
}

func nonNilIDs(ids []string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}

// SaveZone sends a zone's setting.
func (t *orgSMSTab) SaveZone(zone string) {
	u := t.rows[zone].update()
	orgRun(t.problem, func(ctx context.Context) (api.SMSSettings, error) {
		return t.model.SetSMSZone(ctx, t.settings.Version, zone, u)
	}, t.show, t.load)
}

// SaveTypes sends the allowed message types.
func (t *orgSMSTab) SaveTypes() {
	allowed := []string{}
	for _, l := range t.types.Selected {
		allowed = append(allowed, t.typeIDs[l])
	}
	orgRun(t.problem, func(ctx context.Context) (api.SMSSettings, error) {
		return t.model.SetSMSMessageTypes(ctx, t.settings.Version, allowed)
	}, t.show, t.load)
}
