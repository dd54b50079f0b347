package ui

import (
	"context"
	"io"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/api"
)

// SupervisorModel is the backend of the Supervisor page (the HTTP client
// satisfies it).
type SupervisorModel interface {
	Agents(ctx context.Context) ([]api.AgentStatus, error)
	SetAgentStatus(ctx context.Context, id string, version int64, u api.StatusUpdate) (api.AgentStatus, error)
	TimeInStatus(ctx context.Context) ([]api.TimeInStatus, error)
	TimeInStatusCSV(ctx context.Context) ([]byte, error)
}

// supervisorTick is how often the Supervisor page counts time in status
// up. Tests, whose fyne.Do runs on the calling goroutine, turn it off.
var supervisorTick = time.Second

// SupervisorPage shows a supervisor's agents with their status and time
// in it, live; sets an agent's status; and sums up today per agent.
type SupervisorPage struct {
	model SupervisorModel
	me    func() api.Me
	now   func() time.Time
	// tickEvery is how often the times in status are redrawn (0: never).
	tickEvery time.Duration

	agents []api.AgentStatus
	today  []api.TimeInStatus

	list     *fyne.Container
	agent    *widget.Select
	choice   *widget.RadioGroup
	reason   *widget.Select
	apply    *widget.Button
	summary  *fyne.Container
	export   *widget.Button
	status   *widget.Label
	problem  *widget.Label
	content  fyne.CanvasObject
	stopTick chan struct{}
}

// NewSupervisorPage builds the page; me gives the organisation's reason
// codes and the supervisor's time zone.
func NewSupervisorPage(m SupervisorModel, me func() api.Me) *SupervisorPage {
	p := &SupervisorPage{model: m, me: me, now: time.Now, tickEvery: supervisorTick}
	p.list = container.NewVBox()
	p.agent = widget.NewSelect(nil, func(string) { p.updateControls() })
	p.agent.PlaceHolder = lang.L("Choose an agent")
	labels := make([]string, len(availabilities))
	for i, a := range availabilities {
		labels[i] = availabilityLabel(a)
	}
	p.choice = widget.NewRadioGroup(labels, func(string) { p.updateControls() })
	p.choice.Horizontal = true
	p.reason = widget.NewSelect(nil, func(string) { p.updateControls() })
	p.reason.PlaceHolder = lang.L("Choose a reason")
	p.apply = widget.NewButton(lang.L("Set status"), p.Apply)
	p.apply.Importance = widget.HighImportance
	p.summary = container.NewVBox()
	p.export = widget.NewButtonWithIcon(lang.L("Export CSV…"), theme.DownloadIcon(), p.chooseExport)
	p.status = widget.NewLabel("")
	p.problem = problemLabel()
	note := widget.NewLabel(lang.L("Changes show here as they happen. The agent sees at once that you set their status."))
	note.Wrapping = fyne.TextWrapWord
	p.content = container.NewVScroll(container.NewVBox(
		widget.NewCard(lang.L("Your agents"), "", container.NewVBox(p.list, note)),
		widget.NewCard(lang.L("Set an agent's status"), "", container.NewVBox(
			widget.NewForm(
				widget.NewFormItem(lang.L("Agent"), p.agent),
				widget.NewFormItem(lang.L("Status"), p.choice),
				widget.NewFormItem(lang.L("Reason"), p.reason)),
			container.NewHBox(p.apply),
		)),
		widget.NewCard(lang.L("Time in status today"), "", container.NewVBox(p.summary, container.NewHBox(p.export, p.status))),
		p.problem,
	))
	p.updateControls()
	return p
}

// Content is the page's canvas object.
func (p *SupervisorPage) Content() fyne.CanvasObject { return p.content }

// Focus does nothing: the controls are reached with Tab.
func (p *SupervisorPage) Focus(fyne.Canvas) {}

// Load fetches the agents and today's times, and starts the clock that
// counts time in status up while the page lives.
func (p *SupervisorPage) Load() {
	orgLoad(p.problem, func(ctx context.Context) ([]api.AgentStatus, error) { return p.model.Agents(ctx) }, p.showAgents)
	p.loadToday()
	if p.stopTick == nil && p.tickEvery > 0 {
		p.stopTick = make(chan struct{})
		go tickUntil(p.tickEvery, p.stopTick, p.showList)
	}
}

func (p *SupervisorPage) loadToday() {
	orgLoad(p.problem, func(ctx context.Context) ([]api.TimeInStatus, error) { return p.model.TimeInStatus(ctx) }, func(t []api.TimeInStatus) {
		p.today = t
		p.showToday()
	})
}

// Close stops the clock.
func (p *SupervisorPage) Close() {
	if p.stopTick != nil {
		close(p.stopTick)
		p.stopTick = nil
	}
}

// ApplyEvent takes a status the server pushed; agents the page does not list
// are none of its business.
func (p *SupervisorPage) ApplyEvent(ev api.StatusEvent) {
	i := slices.IndexFunc(p.agents, func(a api.AgentStatus) bool { return a.ID == ev.UserID })
	if i < 0 || ev.Status.Version <= p.agents[i].Status.Version {
		return
	}
	p.agents[i].Status = ev.Status
	p.showList()
}

func (p *SupervisorPage) showAgents(agents []api.AgentStatus) {
	p.agents = agents
	names := make([]string, len(agents))
	for i, a := range agents {
		names[i] = a.DisplayName
	}
	sel := p.agent.Selected
	p.agent.SetOptions(names)
	if !slices.Contains(names, sel) {
		p.agent.ClearSelected()
	}
	p.showList()
	p.updateControls()
}

// statusText is an availability with its reason, in words.
func (p *SupervisorPage) statusText(a api.Availability, code string) string {
	if a != api.Unavailable || code == "" {
		return availabilityLabel(a)
	}
	for _, r := range p.me().Org.ReasonCodes {
		if r.Code == code {
			return availabilityLabel(a) + " · " + r.Label
		}
	}
	return availabilityLabel(a) + " · " + code
}

func (p *SupervisorPage) showList() {
	if len(p.agents) == 0 {
		p.list.Objects = []fyne.CanvasObject{widget.NewLabel(lang.L("No agents: ask an admin to give you a scope on the Users page."))}
		p.relayout()
		return
	}
	head := func(s string) fyne.CanvasObject {
		return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	rows := []fyne.CanvasObject{container.NewGridWithColumns(4, head(lang.L("Agent")), head(lang.L("Status")),
		head(lang.L("Time in status")), head(lang.L("Set by")))}
	now := p.now()
	for _, a := range p.agents {
		st := widget.NewLabel(p.statusText(a.Status.Availability, a.Status.ReasonCode))
		if a.Status.Availability == api.Online {
			st.Importance = widget.SuccessImportance
		}
		rows = append(rows, container.NewGridWithColumns(4, widget.NewLabel(a.DisplayName), st,
			widget.NewLabel(countdown(now.Sub(a.Status.ChangedAt))), widget.NewLabel(a.Status.ChangedByName)))
	}
	p.list.Objects = rows
	p.relayout()
}

// relayout fits the page to its rows: cards do not grow by themselves
// when rows come or go.
func (p *SupervisorPage) relayout() { p.content.Refresh() }

func (p *SupervisorPage) showToday() {
	var rows []fyne.CanvasObject
	for _, t := range p.today {
		line := ""
		for i, st := range t.Times {
			if i > 0 {
				line += ", "
			}
			line += p.statusText(st.Availability, st.ReasonCode) + " " + countdown(time.Duration(st.Seconds)*time.Second)
		}
		rows = append(rows, container.NewGridWithColumns(2, widget.NewLabel(t.DisplayName), widget.NewLabel(line)))
	}
	p.summary.Objects = rows
	p.relayout()
	setEnabled(p.export, len(p.today) > 0)
}

// selected is the chosen agent and the update the controls describe.
func (p *SupervisorPage) selected() (*api.AgentStatus, api.StatusUpdate, []api.ReasonCode) {
	reasons := api.ActiveReasonCodes(p.me().Org.ReasonCodes)
	u := api.StatusUpdate{}
	for _, a := range availabilities {
		if availabilityLabel(a) == p.choice.Selected {
			u.Availability = a
		}
	}
	if u.Availability == api.Unavailable && p.reason.SelectedIndex() >= 0 && p.reason.SelectedIndex() < len(reasons) {
		u.ReasonCode = reasons[p.reason.SelectedIndex()].Code
	}
	i := p.agent.SelectedIndex()
	if i < 0 || i >= len(p.agents) {
		return nil, u, reasons
	}
	return &p.agents[i], u, reasons
}

func (p *SupervisorPage) updateControls() {
	agent, u, reasons := p.selected()
	opts := make([]string, len(reasons))
	for i, r := range reasons {
		opts[i] = r.Label
	}
	if !slices.Equal(p.reason.Options, opts) {
		p.reason.SetOptions(opts)
	}
	if u.Availability == api.Unavailable {
		p.reason.Enable()
	} else {
		p.reason.Disable()
	}
	setEnabled(p.apply, agent != nil && api.ValidateStatus(u, p.me().Org.ReasonCodes) == nil)
}

// Apply sets the chosen agent's status.
func (p *SupervisorPage) Apply() {
	agent, u, _ := p.selected()
	if agent == nil {
		return
	}
	id, version := agent.ID, agent.Status.Version
	p.apply.Disable()
	orgRun(p.problem, func(ctx context.Context) (api.AgentStatus, error) {
		return p.model.SetAgentStatus(ctx, id, version, u)
	}, func(a api.AgentStatus) {
		p.ApplyEvent(api.StatusEvent{UserID: a.ID, Status: a.Status})
		p.status.SetText("")
		p.updateControls()
		p.loadToday()
	}, p.Load)
}

func (p *SupervisorPage) chooseExport() {
	chooseSave(p.content, "time-in-status-"+p.now().Format("2006-01-02")+".csv", p.ExportTo)
}

// ExportTo writes today's time in status as CSV to w and closes it.
func (p *SupervisorPage) ExportTo(w io.WriteCloser) {
	exportCSV(p.problem, p.status, w, p.model.TimeInStatusCSV)
}
