package ui

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/api"
)

// orgPage shows a loaded Organisation page in a test window.
func orgPage(t *testing.T) (*OrgPage, *fakeOrg, fyne.Window) {
	t.Helper()
	setup(t)
	f := newFakeOrg()
	p := NewOrgPage(f)
	w := test.NewWindow(p.Content())
	w.Resize(fyne.NewSize(1000, 1400))
	t.Cleanup(w.Close)
	p.Load()
	return p, f, w
}

func TestOrgPageTabs(t *testing.T) {
	p, _, w := orgPage(t)
	for i, golden := range []string{"org_company.xml", "org_licenses.xml", "org_users.xml", "org_sms.xml",
		"org_costcenters.xml", "org_reasons.xml", "org_structure.xml", "org_audit.xml"} {
		p.tabs.SelectIndex(i)
		assertGolden(t, golden, w.Canvas())
	}
	if p.problem.Visible() {
		t.Errorf("loading shows a problem: %s", p.problem.Text)
	}
}

func TestOrgCompanyTab(t *testing.T) {
	p, f, _ := orgPage(t)
	c := p.company
	if c.companyName.Text != "Demo Contact Centre AB" || c.orgNumber.Text != "556677-8899" ||
		c.owner.Text != "Ada Admin <admin@demo.test>" || !c.save.Disabled() || !c.chooseAvatar.Checked {
		t.Fatalf("shown: %q %q %q save disabled %v", c.companyName.Text, c.orgNumber.Text, c.owner.Text, c.save.Disabled())
	}
	// Editing enables Save; a bad time zone disables it again.
	c.display.SetText(c.display.Text + " CC")
	c.zone.SetText("Mars/Base")
	if !c.save.Disabled() || c.revert.Disabled() {
		t.Fatal("an invalid time zone can be saved")
	}
	c.zone.SetText("Europe/Oslo")
	c.language.SetSelectedIndex(1)
	test.Tap(c.save)
	if len(f.patches) != 1 {
		t.Fatalf("patches %+v", f.patches)
	}
	got := f.patches[0]
	if got.DisplayName == nil || *got.DisplayName != "Demo Contact Centre CC" || *got.TimeZone != "Europe/Oslo" ||
		*got.Language != "sv" || got.Address != nil || got.MembersChooseAvatar != nil {
		t.Errorf("patch %+v", got)
	}
	if !c.save.Disabled() || c.settings.Version != 4 {
		t.Errorf("after save: disabled %v, version %d", c.save.Disabled(), c.settings.Version)
	}

	// A member switch applies at once and keeps unsaved form edits.
	c.city.SetText("Göteborg")
	test.Tap(c.chooseCover)
	if f.settings.MembersChooseCover || c.city.Text != "Göteborg" || c.save.Disabled() {
		t.Errorf("switch: server %v, city %q", f.settings.MembersChooseCover, c.city.Text)
	}
	test.Tap(c.revert)
	if c.city.Text != "Stockholm" {
		t.Errorf("revert left %q", c.city.Text)
	}

	// Someone else changed the settings: the edit is refused and the
	// page shows the server's values.
	f.settings.Version = 9
	f.settings.DisplayName = "Elsewhere"
	c.display.SetText("Mine")
	test.Tap(c.save)
	if !c.problem.Visible() || c.display.Text != "Mine" {
		t.Fatalf("stale save: problem %q, display %q", c.problem.Text, c.display.Text)
	}
	c.load()
	if c.display.Text != "Elsewhere" {
		t.Errorf("reload shows %q", c.display.Text)
	}

	// Photos go to the server as read; Remove follows what is set.
	c.uploadPhoto(api.PhotoCover, func() ([]byte, error) { return []byte("png"), nil })
	if string(f.photos[api.PhotoCover]) != "png" || c.cover.state.Text != "Set" || c.cover.remove.Disabled() {
		t.Errorf("cover after upload: %q", c.cover.state.Text)
	}
	c.uploadPhoto(api.PhotoAvatar, func() ([]byte, error) { return nil, errors.New("unreadable") })
	if !c.problem.Visible() || f.settings.HasAvatar {
		t.Error("an unreadable file was sent or not reported")
	}
	test.Tap(c.cover.remove)
	if f.settings.HasCover || !c.cover.remove.Disabled() {
		t.Error("cover not removed")
	}
}

func TestOrgPackage(t *testing.T) {
	tests := []struct {
		name      string
		can       bool
		refusal   *api.Reason
		text      string
		enabled   bool
		refusalUp bool
	}{
		{"binding period", false, bindingUntil, "You can't downgrade now: your contract is in its binding period until 2027-03-01; you can downgrade after that", false, true},
		{"allowed", true, nil, "", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setup(t)
			f := newFakeOrg()
			f.pkg.CanDowngrade, f.pkg.DowngradeRefusal = tt.can, tt.refusal
			p := NewOrgPage(f)
			show(t, p.Content())
			p.Load()
			c := p.commerce
			if !c.pkgApply.Disabled() || c.pkgChoice.Selected != "Unlimited" {
				t.Fatalf("initial: %q, apply enabled", c.pkgChoice.Selected)
			}
			if c.refusal.Visible() != tt.refusalUp || (tt.refusalUp && c.refusal.Text != tt.text) {
				t.Errorf("refusal %v %q", c.refusal.Visible(), c.refusal.Text)
			}
			c.pkgChoice.SetSelected("Light")
			if c.pkgApply.Disabled() == tt.enabled {
				t.Fatalf("downgrade button enabled = %v", !c.pkgApply.Disabled())
			}
			if tt.enabled {
				test.Tap(c.pkgApply)
				if f.pkg.Package != api.PackageLight || c.pkg.Package != api.PackageLight {
					t.Errorf("package %q", f.pkg.Package)
				}
			}
		})
	}
}

func TestOrgBuy(t *testing.T) {
	p, f, _ := orgPage(t)
	c := p.commerce
	if !c.buyBtn.Disabled() {
		t.Fatal("Buy enabled with nothing to buy")
	}
	c.amounts["pro"].SetText("2")
	c.amounts["wallboard"].SetText("1")
	if c.total.Text != "Total 647.00 SEK" || c.buyBtn.Disabled() {
		t.Fatalf("total %q", c.total.Text)
	}
	c.amounts["mobile"].SetText("x")
	if !c.buyBtn.Disabled() {
		t.Fatal("Buy enabled with a bad amount")
	}
	c.amounts["mobile"].SetText("")
	c.Buy()
	want := []api.OrderItem{{SKU: "pro", Quantity: 2}, {SKU: "wallboard", Quantity: 1}}
	if len(f.orderItems) != 1 || !slices.Equal(f.orderItems[0], want) {
		t.Fatalf("ordered %+v", f.orderItems)
	}
	if c.amounts["pro"].Text != "" || !c.ordered.Visible() || !strings.Contains(c.ordered.Text, "ord_2") || c.licenses.Licenses[0].Total != 5 {
		t.Errorf("after buying: %q, licenses %+v", c.ordered.Text, c.licenses.Licenses)
	}
	if len(c.orders.Objects) != 2 {
		t.Errorf("%d orders listed", len(c.orders.Objects))
	}
}

func TestOrgLicenseChecks(t *testing.T) {
	p, f, _ := orgPage(t)
	c := p.commerce
	// Cy holds no license: give her the last Pro, then a Mobile when none is left.
	c.SetLicense("u_cy", "pro", true)
	if !slices.Contains(f.user("u_cy").Licenses, "pro") || c.problem.Visible() {
		t.Fatalf("assign: %v %q", f.user("u_cy").Licenses, c.problem.Text)
	}
	c.SetLicense("u_cy", "mobile", true)
	if !c.problem.Visible() || !strings.Contains(c.problem.Text, "Mobile license licenses are assigned") {
		t.Fatalf("refusal shown as %q", c.problem.Text)
	}
	// The list follows the server, so the refused check is cleared.
	row := c.holders.Objects[2].(*fyne.Container)
	checks := row.Objects[1].(*fyne.Container).Objects
	if !checks[0].(*widget.Check).Checked || checks[1].(*widget.Check).Checked {
		t.Error("checks do not show Cy's licenses")
	}
	c.SetLicense("u_bo", "mobile", false)
	if slices.Contains(f.user("u_bo").Licenses, "mobile") {
		t.Error("unassign did not reach the server")
	}
}

func TestOrgUsersTab(t *testing.T) {
	p, f, _ := orgPage(t)
	u := p.users
	if len(u.list.Objects) != 3 || len(u.filter.Options) != 3 || u.filter.Selected != "Everyone" {
		t.Fatalf("%d users, filters %v", len(u.list.Objects), u.filter.Options)
	}
	u.filter.SetSelected("Office: Malmö")
	if last := f.filters[len(f.filters)-1]; last.Option != "opt_malmo" || len(u.list.Objects) != 1 {
		t.Fatalf("filter %+v, %d shown", last, len(u.list.Objects))
	}
	u.filter.SetSelected("Everyone")
	u.search.SetText("bo")
	u.Apply()
	if last := f.filters[len(f.filters)-1]; last.Query != "bo" || last.Option != "" {
		t.Errorf("search sent %+v", last)
	}

	// The owner keeps the permission; the server's reason is shown.
	u.SetAdmin("u_admin", false)
	if !u.problem.Visible() || !strings.Contains(u.problem.Text, "account owner") || !f.user("u_admin").Admin {
		t.Fatalf("owner revoke: %q", u.problem.Text)
	}
	u.SetAdmin("u_bo", true)
	if !f.user("u_bo").Admin || !p.members[1].Admin {
		t.Error("grant did not reach the server or the page")
	}

	u.SetEmail(f.users[2], "cy@wrong.test", "not-my-password")
	if !u.problem.Visible() || f.user("u_cy").Email == "cy@wrong.test" {
		t.Error("a wrong admin password was not reported")
	}
	u.SetEmail(f.users[2], "cy@new.test", "admin-password")
	if f.user("u_cy").Email != "cy@new.test" || p.members[2].Email != "cy@new.test" {
		t.Error("email not set")
	}
	u.SetEmail(api.OrgUser{ID: "u_cy", ProfileVersion: 1}, "late@new.test", "admin-password")
	if !u.problem.Visible() || f.user("u_cy").Email != "cy@new.test" {
		t.Error("a stale email change went through or was not reported")
	}

	test.Tap(u.memberEmail)
	if f.settings.MembersChangeEmail || u.memberEmail.Checked {
		t.Error("members may still change their email")
	}
}

func TestOrgSMSTab(t *testing.T) {
	p, f, _ := orgPage(t)
	s := p.sms
	nordic, europe := s.rows["nordic"], s.rows["europe"]
	if nordic.who.Text != "Bo Agent" || nordic.pick.Hidden || !europe.scope.Hidden || !europe.save.Disabled() {
		t.Fatalf("nordic %q, europe scope hidden %v", nordic.who.Text, europe.scope.Hidden)
	}
	test.Tap(europe.enabled)
	europe.scope.SetSelected("Selected users")
	europe.users = []string{"u_bo", "u_cy"}
	s.SaveZone("europe")
	want := api.SMSZoneUpdate{Enabled: true, Scope: api.ScopeSelected, UserIDs: []string{"u_bo", "u_cy"}}
	if got := f.zoneSets["europe"]; got.Enabled != want.Enabled || got.Scope != want.Scope || !slices.Equal(got.UserIDs, want.UserIDs) {
		t.Fatalf("europe sent %+v", got)
	}
	if s.rows["europe"].who.Text != "Bo Agent, Cy Agent" {
		t.Errorf("europe shows %q", s.rows["europe"].who.Text)
	}
	test.Tap(s.rows["domestic"].enabled)
	s.SaveZone("domestic")
	if got := f.zoneSets["domestic"]; got.Enabled || got.Scope != "" {
		t.Errorf("domestic sent %+v", got)
	}
	s.types.SetSelected([]string{"Answer groups"})
	test.Tap(s.saveType)
	if f.sms.MessageTypes[0].Allowed || !f.sms.MessageTypes[1].Allowed {
		t.Errorf("types %+v", f.sms.MessageTypes)
	}
}

func TestOrgCostCentersTab(t *testing.T) {
	p, f, _ := orgPage(t)
	c := p.costs
	if len(c.list.Objects) != 2 || !c.enabled.Checked || !c.add.Disabled() {
		t.Fatalf("%d cost centers", len(c.list.Objects))
	}
	test.Type(c.name, "Finance")
	test.Tap(c.add)
	if len(f.centers.CostCenters) != 3 || c.name.Text != "" || len(c.list.Objects) != 3 {
		t.Fatalf("create: %+v", f.centers.CostCenters)
	}
	c.Rename(f.centers.CostCenters[2], "Accounts")
	c.SetUsers(c.centers.CostCenters[2], []string{"u_bo"})
	if cc := f.centers.CostCenters[2]; cc.Name != "Accounts" || !slices.Equal(cc.UserIDs, []string{"u_bo"}) {
		t.Errorf("cost center %+v", cc)
	}
	c.Rename(api.CostCenter{ID: "cc_sales", Version: 7}, "Late")
	if !c.problem.Visible() || f.centers.CostCenters[0].Name != "Sales" {
		t.Error("stale rename went through or was not reported")
	}
	c.Remove("cc_sales")
	if len(f.centers.CostCenters) != 2 || len(c.list.Objects) != 2 {
		t.Errorf("after remove: %+v", f.centers.CostCenters)
	}
	// Switched off, nothing can be added.
	test.Tap(c.enabled)
	c.name.SetText("Legal")
	if f.centers.Enabled || !c.add.Disabled() {
		t.Error("cost centers still usable when off")
	}
}

func TestOrgReasonsTab(t *testing.T) {
	p, f, _ := orgPage(t)
	r := p.reasons
	if len(r.list.Objects) != 2 {
		t.Fatalf("%d reasons", len(r.list.Objects))
	}
	test.Type(r.label, "Coffee")
	test.Tap(r.add)
	r.Update(f.reasons[0], api.ReasonCodePatch{Retired: new(true)})
	r.Update(f.reasons[1], api.ReasonCodePatch{Retired: new(false), Label: new("Training")})
	if len(f.reasons) != 3 || !f.reasons[0].Retired || f.reasons[1].Retired || f.reasons[1].Label != "Training" || r.label.Text != "" {
		t.Fatalf("reasons %+v", f.reasons)
	}
	state := r.list.Objects[0].(*fyne.Container).Objects[1].(*fyne.Container).Objects[0].(*widget.Label)
	if state.Text != "Retired" {
		t.Errorf("lunch shows %q", state.Text)
	}
}

func TestOrgStructureTab(t *testing.T) {
	p, f, _ := orgPage(t)
	s := p.structure
	if !s.create.Disabled() || len(s.list.Objects) != 1 {
		t.Fatal("initial state")
	}
	s.name.SetText("Team")
	s.AddPending("Blue")
	s.AddPending("Blue")
	s.AddPending(" Green ")
	s.AddPending("")
	if s.pendLbl.Text != "Options: Blue, Green" || s.create.Disabled() {
		t.Fatalf("pending %q", s.pendLbl.Text)
	}
	test.Tap(s.create)
	if len(f.cats) != 2 || len(f.cats[1].Options) != 2 || s.name.Text != "" || len(s.list.Objects) != 2 {
		t.Fatalf("created %+v", f.cats)
	}
	// Strike Malmö, add Lund, then save both at once.
	s.edit("cat_office").remove = []string{"opt_malmo"}
	s.edit("cat_office").add = []string{"Lund"}
	s.show(s.cats)
	s.Save(s.cats[0])
	if got := f.catPatches[0]; !slices.Equal(got.RemoveOptions, []string{"opt_malmo"}) || !slices.Equal(got.AddOptions, []string{"Lund"}) {
		t.Fatalf("patch %+v", got)
	}
	if e := s.edits["cat_office"]; len(e.add)+len(e.remove) != 0 || s.cats[0].Options[1].Name != "Lund" {
		t.Errorf("after save: %+v", s.cats[0])
	}
	s.SetUsers(s.cats[0], "opt_Lund", []string{"u_cy"})
	if !slices.Equal(f.cats[0].Options[1].UserIDs, []string{"u_cy"}) {
		t.Errorf("option users %+v", f.cats[0].Options)
	}
	s.Remove("cat_new")
	if len(f.cats) != 1 || len(s.list.Objects) != 1 {
		t.Errorf("remove left %+v", f.cats)
	}
}

type closeBuffer struct {
	bytes.Buffer
	closed bool
}

func (b *closeBuffer) Close() error {
	b.closed = true
	return nil
}

func TestOrgAuditTab(t *testing.T) {
	p, f, _ := orgPage(t)
	a := p.audit
	if len(a.events.Items) != 2 || a.status.Text != "Events shown: 2" || a.more.Visible() {
		t.Fatalf("%d events, %q", len(a.events.Items), a.status.Text)
	}
	if a.events.Items[0].Title != "2026-11-23 09:00 · Ada Admin · org.update · display_name" {
		t.Errorf("title %q", a.events.Items[0].Title)
	}
	a.user.SetSelected("Bo Agent (agent1)")
	a.action.SetText("status")
	a.from.SetText("2026-11-01")
	a.to.SetText("2026-11-23")
	a.Apply()
	q := f.queries[len(f.queries)-1]
	sthlm, _ := time.LoadLocation("Europe/Stockholm")
	if q.User != "u_bo" || q.Action != "status" || !q.From.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, sthlm)) ||
		!q.To.Equal(time.Date(2026, 11, 24, 0, 0, 0, 0, sthlm)) || len(a.events.Items) != 1 {
		t.Fatalf("query %+v, %d events", q, len(a.events.Items))
	}
	// A bad date sends nothing.
	n := len(f.calls)
	a.to.SetText("23/11")
	a.Apply()
	if len(f.calls) != n {
		t.Error("a bad date was queried")
	}
	a.to.SetText("")
	a.user.SetSelected("Anyone")
	a.action.SetText("")

	// Pages of one: Older events fetches the next until there is none.
	a.pageSize = 1
	a.Apply()
	if len(a.events.Items) != 1 || !a.more.Visible() {
		t.Fatalf("first page: %d events, more %v", len(a.events.Items), a.more.Visible())
	}
	a.More()
	a.More()
	if len(a.events.Items) != 2 || a.events.Items[1].Title != "2026-11-23 08:00 · Bo Agent · status.update · availability" || a.more.Visible() {
		t.Errorf("after paging: %d events, more %v", len(a.events.Items), a.more.Visible())
	}

	var out closeBuffer
	a.ExportTo(&out)
	if out.String() != string(f.csv) || !out.closed || a.status.Text != "Exported 1 KB." {
		t.Errorf("export wrote %q, closed %v, status %q", out.String(), out.closed, a.status.Text)
	}
}

func TestOrgPresenceCard(t *testing.T) {
	p, f, _ := orgPage(t)
	c := p.reasons.away
	if !c.lockAway.Checked || c.reason.SelectedIndex() != 0 || c.idle.Text != "0" || c.autoOnline.Checked || !c.save.Disabled() {
		t.Fatalf("default shown: lock %v reason %d idle %q auto %v", c.lockAway.Checked, c.reason.SelectedIndex(), c.idle.Text, c.autoOnline.Checked)
	}
	if want := []string{"The first reason", "Lunch"}; !slices.Equal(c.reason.Options, want) {
		t.Errorf("reasons offered %q, want %q (no retired one)", c.reason.Options, want)
	}
	for _, bad := range []string{"241", "-1", "ten", ""} {
		c.idle.SetText(bad)
		if !c.save.Disabled() {
			t.Errorf("idle %q can be saved", bad)
		}
	}
	c.idle.SetText("10")
	c.reason.SetSelected("Lunch")
	test.Tap(c.autoOnline)
	test.Tap(c.save)
	want := api.Presence{Version: 2, LockAway: true, AwayReasonCode: "lunch", IdleMinutes: 10, AutoOnline: true}
	if f.presence != want || !c.save.Disabled() {
		t.Fatalf("saved %+v, want %+v", f.presence, want)
	}
	// A reason's timer.
	p.reasons.Update(f.reasons[0], api.ReasonCodePatch{Minutes: new(15), Then: new(api.Offline)})
	if f.reasons[0].Minutes != 15 || f.reasons[0].Then != api.Offline {
		t.Fatalf("timer %+v", f.reasons[0])
	}
	timer := p.reasons.list.Objects[0].(*fyne.Container).Objects[1].(*fyne.Container).Objects[1].(*widget.Label)
	if timer.Text != "15 min, then Offline" {
		t.Errorf("timer shows %q", timer.Text)
	}
}
