package ui

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/account"
	"github.com/phoneset/phoneset/api"
)

// The page's clock would redraw from its own goroutine, which the test
// driver does not serialise with the test's.
func init() { supervisorTick = 0 }

// ApplyStatus is the model's: a newer pushed status replaces the one held.
func (f *fakeModel) ApplyStatus(s api.Status) {
	if s.Version > f.me.Status.Version {
		f.me.Status = s
		f.emit(account.MeChanged)
	}
}

// The backend fakes of the app's wiring have no agents and push nothing.
func (*fakeOrg) Agents(context.Context) ([]api.AgentStatus, error) { return nil, nil }
func (*fakeOrg) SetAgentStatus(context.Context, string, int64, api.StatusUpdate) (api.AgentStatus, error) {
	return api.AgentStatus{}, nil
}
func (*fakeOrg) TimeInStatus(context.Context) ([]api.TimeInStatus, error) { return nil, nil }
func (*fakeOrg) TimeInStatusCSV(context.Context) ([]byte, error)          { return nil, nil }
func (*fakeOrg) WatchStatus(ctx context.Context, _ func(api.StatusEvent)) error {
	<-ctx.Done()
	return nil
}

// fakeSupervisor is a supervisor's backend with two agents, and the
// server's push, fed from events.
type fakeSupervisor struct {
	agents []api.AgentStatus
	today  []api.TimeInStatus
	csv    []byte
	sets   []string
	// events feeds WatchStatus; delivered says fn has returned.
	events    chan api.StatusEvent
	delivered chan struct{}
}

var supervisorNow = time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)

func newFakeSupervisor() *fakeSupervisor {
	return &fakeSupervisor{
		agents: []api.AgentStatus{
			{ID: "usr_bo", Username: "agent1", DisplayName: "Bo Agent", Status: api.Status{Version: 3, Availability: api.Online,
				ChangedBy: "usr_bo", ChangedByName: "Bo Agent", ChangedAt: supervisorNow.Add(-65 * time.Minute), QueueEligible: true}},
			{ID: "usr_cy", Username: "agent2", DisplayName: "Cy Agent", Status: api.Status{Version: 7, Availability: api.Unavailable, ReasonCode: "lunch",
				ChangedBy: "usr_ada", ChangedByName: "Ada Admin", ChangedAt: supervisorNow.Add(-12*time.Minute - 5*time.Second)}},
		},
		today: []api.TimeInStatus{
			{UserID: "usr_bo", DisplayName: "Bo Agent", Times: []api.StatusTime{{Availability: api.Online, Seconds: 5400}, {Availability: api.Offline, Seconds: 900}}},
			{UserID: "usr_cy", DisplayName: "Cy Agent", Times: []api.StatusTime{{Availability: api.Unavailable, ReasonCode: "lunch", Seconds: 725}}},
		},
		csv:    []byte("\"user_id\",\"agent\"\n"),
		events: make(chan api.StatusEvent), delivered: make(chan struct{}),
	}
}

func (f *fakeSupervisor) Agents(context.Context) ([]api.AgentStatus, error) {
	return slices.Clone(f.agents), nil
}

func (f *fakeSupervisor) SetAgentStatus(_ context.Context, id string, version int64, u api.StatusUpdate) (api.AgentStatus, error) {
	f.sets = append(f.sets, id+" "+string(u.Availability)+" "+u.ReasonCode)
	for i, a := range f.agents {
		if a.ID == id {
			f.agents[i].Status = api.Status{Version: version + 1, Availability: u.Availability, ReasonCode: u.ReasonCode,
				ChangedBy: "usr_ada", ChangedByName: "Ada Admin", ChangedAt: supervisorNow}
			return f.agents[i], nil
		}
	}
	return api.AgentStatus{}, api.ErrNotFound
}

func (f *fakeSupervisor) TimeInStatus(context.Context) ([]api.TimeInStatus, error) {
	return f.today, nil
}
func (f *fakeSupervisor) TimeInStatusCSV(context.Context) ([]byte, error) { return f.csv, nil }

func (f *fakeSupervisor) WatchStatus(ctx context.Context, fn func(api.StatusEvent)) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev := <-f.events:
			fn(ev)
			f.delivered <- struct{}{}
		}
	}
}

func newTestSupervisorPage(t *testing.T, f *fakeSupervisor) *SupervisorPage {
	m := newFakeModel()
	p := NewSupervisorPage(f, func() api.Me { return m.me })
	p.now = func() time.Time { return supervisorNow }
	return p
}

// rowTexts is the agent list as text, one line per row.
func (p *SupervisorPage) rowTexts() []string {
	var out []string
	for _, row := range p.list.Objects[1:] {
		line := ""
		for _, o := range row.(*fyne.Container).Objects {
			line += o.(*widget.Label).Text + "|"
		}
		out = append(out, line)
	}
	return out
}

func TestSupervisorPage(t *testing.T) {
	setup(t)
	f := newFakeSupervisor()
	p := newTestSupervisorPage(t, f)
	w := show(t, p.Content())
	p.Load()
	assertGolden(t, "supervisor.xml", w.Canvas())

	// A change pushed by the server shows at once; an older one does not
	// undo it.
	p.ApplyEvent(api.StatusEvent{UserID: "usr_bo", Status: api.Status{Version: 4, Availability: api.Unavailable, ReasonCode: "meeting",
		ChangedByName: "Bo Agent", ChangedAt: supervisorNow.Add(-30 * time.Second)}})
	p.ApplyEvent(api.StatusEvent{UserID: "usr_bo", Status: api.Status{Version: 3, Availability: api.Online}})
	p.ApplyEvent(api.StatusEvent{UserID: "usr_stranger", Status: api.Status{Version: 9, Availability: api.Online}})
	want := []string{
		"Bo Agent|" + lang.L("Unavailable") + " · Meeting|0:30|Bo Agent|",
		"Cy Agent|" + lang.L("Unavailable") + " · Lunch|12:05|Ada Admin|",
	}
	if got := p.rowTexts(); !slices.Equal(got, want) {
		t.Errorf("rows %q, want %q", got, want)
	}

	// Setting a status: an agent and, for Unavailable, a reason first.
	if !p.apply.Disabled() {
		t.Error("Set status enabled with no agent chosen")
	}
	p.agent.SetSelected("Cy Agent")
	p.choice.SetSelected(lang.L("Unavailable"))
	if !p.apply.Disabled() {
		t.Error("Set status enabled for Unavailable without a reason")
	}
	p.choice.SetSelected(lang.L("Online"))
	test.Tap(p.apply)
	if !slices.Equal(f.sets, []string{"usr_cy online "}) {
		t.Errorf("sets %q", f.sets)
	}
	if got := p.rowTexts()[1]; got != "Cy Agent|"+lang.L("Online")+"|0:00|Ada Admin|" {
		t.Errorf("after setting: %q", got)
	}

	var buf closeBuffer
	p.ExportTo(&buf)
	if !bytes.Equal(buf.Bytes(), f.csv) || !buf.closed {
		t.Errorf("export wrote %q (closed %v)", buf.Bytes(), buf.closed)
	}
}

// TestShellAppliesLiveStatus: the shell shows the Supervisor page to
// supervisors only, and applies pushed changes: the user's own to the
// model, agents' to the page.
func TestShellAppliesLiveStatus(t *testing.T) {
	setup(t)
	f := newFakeSupervisor()
	m := newFakeModel()
	m.me.User.ID = "usr_me"
	svc := newFakeServer().services()
	svc.Live, svc.Supervisor = f, f
	plain := NewShell(m, svc, func(string) {}, func() {})
	if slices.ContainsFunc(plain.items, func(it navItem) bool { return it.id == "supervisor" }) {
		t.Error("an agent without the supervisor role sees the Supervisor page")
	}
	plain.Close()

	m.me.User.Permissions = []string{api.PermSupervisor}
	s := NewShell(m, svc, func(string) {}, func() {})
	defer s.Close()
	show(t, s.Content())
	i := slices.IndexFunc(s.items, func(it navItem) bool { return it.id == "supervisor" })
	if i < 0 {
		t.Fatal("no Supervisor page for a supervisor")
	}
	s.Show(i)
	sp := s.Current().(*SupervisorPage)
	sp.now = func() time.Time { return supervisorNow }

	push := func(ev api.StatusEvent) {
		f.events <- ev
		<-f.delivered
	}
	push(api.StatusEvent{UserID: "usr_me", Status: api.Status{Version: 2, Availability: api.Unavailable, ReasonCode: "lunch", ChangedByName: "Ada Admin"}})
	if own := m.me.Status; own.ChangedByName != "Ada Admin" || own.Availability != api.Unavailable {
		t.Errorf("own status after the push: %+v", own)
	}
	push(api.StatusEvent{UserID: "usr_cy", Status: api.Status{Version: 8, Availability: api.Offline, ChangedByName: "Cy Agent", ChangedAt: supervisorNow}})
	if row := sp.rowTexts()[1]; row != "Cy Agent|"+lang.L("Offline")+"|0:00|Cy Agent|" {
		t.Errorf("agent row after the push: %q", row)
	}
}

func (f *fakeOrg) Supervisors(context.Context) ([]api.Supervisor, error) {
	return []api.Supervisor{{UserID: "u_admin", OptionIDs: []string{"opt_sthlm"}}}, f.call("supervisors")
}

func (f *fakeOrg) SetSupervisor(_ context.Context, id string, ids []string) (api.Supervisor, error) {
	return api.Supervisor{UserID: id, OptionIDs: ids}, f.call("supervise " + id + " " + strings.Join(ids, ","))
}

func (f *fakeOrg) RevokeSupervisor(_ context.Context, id string) (api.Supervisor, error) {
	return api.Supervisor{UserID: id, OptionIDs: []string{}}, f.call("unsupervise " + id)
}

// TestSupervisorScopeForm: admins grant the role with a scope of
// structure options, change it and take it away.
func TestSupervisorScopeForm(t *testing.T) {
	setup(t)
	f := newFakeOrg()
	var ids []string
	for _, c := range f.cats {
		for _, o := range c.Options {
			ids = append(ids, o.ID)
		}
	}
	if len(ids) < 2 {
		t.Fatalf("the fake structure has %d options", len(ids))
	}
	s := newSupervisorScope(f.cats, &api.Supervisor{UserID: "u_bo", OptionIDs: ids[:1]})
	if on, got := s.chosen(); !on || !slices.Equal(got, ids[:1]) {
		t.Fatalf("current scope shows as %v %v", on, got)
	}
	test.Tap(s.options[1])
	if on, got := s.chosen(); !on || !slices.Equal(got, ids[:2]) {
		t.Errorf("after ticking a second option: %v %v", on, got)
	}
	test.Tap(s.role)
	if !s.options[0].Disabled() {
		t.Error("options stay enabled without the role")
	}
	none := newSupervisorScope(f.cats, nil)
	if on, got := none.chosen(); on || len(got) != 0 || !none.options[0].Disabled() {
		t.Errorf("a member without the role: %v %v", on, got)
	}

	tab := newOrgUsersTab(f, func(api.OrgUser) {}, func() {}, func() *time.Location { return time.UTC })
	show(t, tab.content)
	tab.SetSupervisor("u_bo", true, ids[:2])
	tab.SetSupervisor("u_cy", false, nil)
	want := []string{"supervise u_bo " + ids[0] + "," + ids[1], "unsupervise u_cy"}
	if got := f.calls[len(f.calls)-2:]; !slices.Equal(got, want) {
		t.Errorf("calls %q, want %q", got, want)
	}
}
