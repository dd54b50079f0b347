package client_test

import (
	"context"
	"encoding/csv"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server"
	"github.com/phoneset/phoneset/server/servertest"
)

// TestOrgClientAgainstServer runs the org client methods against the real
// backend: an admin runs the organisation, an agent is refused.
func TestOrgClientAgainstServer(t *testing.T) {
	_, url, demo := servertest.New(t)
	ctx := context.Background()
	adm := signedIn(t, url, "admin", server.DemoPassword)
	agent := signedIn(t, url, "agent1", server.DemoPassword)

	if _, err := agent.OrgSettings(ctx); !errors.Is(err, api.ErrForbidden) {
		t.Fatalf("agent reads org settings: %v", err)
	}
	o, err := adm.OrgSettings(ctx)
	check(t, err)
	o, err = adm.UpdateOrgSettings(ctx, o.Version, api.OrgSettingsPatch{MembersChangeEmail: new(false), Language: new("sv")})
	check(t, err)
	if o.MembersChangeEmail || o.Language != "sv" {
		t.Fatalf("settings %+v", o)
	}
	if _, err := adm.UpdateOrgSettings(ctx, o.Version-1, api.OrgSettingsPatch{Language: new("en")}); !errors.Is(err, api.ErrStale) {
		t.Fatalf("stale write: %v", err)
	}
	err = agent.RequestEmailChange(ctx, "bo@elsewhere.test")
	if ae := wantCode(t, err, http.StatusForbidden, api.CodeForbidden); !strings.Contains(ae.Message, "admin") {
		t.Errorf("refusal says %q", ae.Message)
	}
	users, err := adm.OrgUsers(ctx, api.OrgUserFilter{Query: "agent1"})
	check(t, err)
	u, err := adm.SetUserEmail(ctx, users[0].ID, users[0].ProfileVersion, "bo@elsewhere.test", server.DemoPassword)
	check(t, err)
	if u.Email != "bo@elsewhere.test" {
		t.Fatalf("user %+v", u)
	}

	p, err := adm.OrgPackage(ctx)
	check(t, err)
	if p, err = adm.SetOrgPackage(ctx, p.Version, api.PackageLight); err != nil || p.Package != api.PackageLight {
		t.Fatalf("downgrade: %+v %v", p, err)
	}

	order, err := adm.PlaceOrder(ctx, []api.OrderItem{{SKU: api.LicenseMobile, Quantity: 1}})
	check(t, err)
	if order.Total != 9900 || order.Currency != "SEK" {
		t.Fatalf("order %+v", order)
	}
	if _, err := adm.PlaceOrder(ctx, []api.OrderItem{{SKU: "yacht", Quantity: 1}}); !errors.Is(err, &api.Error{Code: api.CodeInvalid}) {
		t.Fatalf("unknown product: %v", err)
	}
	u, err = adm.AssignLicense(ctx, demo.Agents[1].ID, api.LicenseMobile)
	check(t, err)
	l, err := adm.OrgLicenses(ctx)
	check(t, err)
	if l.Licenses[1].SKU != api.LicenseMobile || l.Licenses[1].Total != 4 || l.Licenses[1].Assigned != 2 {
		t.Fatalf("licenses %+v", l.Licenses)
	}

	cc, err := adm.CreateCostCenter(ctx, "Finance")
	check(t, err)
	cc, err = adm.SetCostCenterUsers(ctx, cc.ID, cc.Version, []string{demo.Agents[0].ID})
	check(t, err)
	rc, err := adm.CreateReasonCode(ctx, "Fika")
	check(t, err)
	if rc, err = adm.UpdateReasonCode(ctx, rc.Code, rc.Version, api.ReasonCodePatch{Retired: new(true)}); err != nil || !rc.Retired {
		t.Fatalf("retire: %+v %v", rc, err)
	}
	if rc, err = adm.UpdateReasonCode(ctx, "lunch", 1, api.ReasonCodePatch{Minutes: new(30), Then: new(api.Offline)}); err != nil || rc.Minutes != 30 {
		t.Fatalf("timer: %+v %v", rc, err)
	}
	pres, err := adm.OrgPresence(ctx)
	check(t, err)
	if pres, err = adm.SetOrgPresence(ctx, pres.Version, api.PresenceUpdate{LockAway: true, AwayReasonCode: "meeting", IdleMinutes: 5}); err != nil || pres.IdleMinutes != 5 {
		t.Fatalf("presence: %+v %v", pres, err)
	}
	cat, err := adm.CreateCategory(ctx, "Team", []string{"Blue", "Green"})
	check(t, err)
	cat, err = adm.SetOptionUsers(ctx, cat.ID, cat.Options[1].ID, cat.Version, []string{demo.Agents[1].ID})
	check(t, err)
	green, err := adm.OrgUsers(ctx, api.OrgUserFilter{Option: cat.Options[1].ID})
	check(t, err)
	if len(green) != 1 || green[0].ID != demo.Agents[1].ID {
		t.Fatalf("Green holders %+v", green)
	}
	s, err := adm.OrgSMS(ctx)
	check(t, err)
	if _, err = adm.SetSMSZone(ctx, s.Version, "europe", api.SMSZoneUpdate{Enabled: true, Scope: api.ScopeAll}); err != nil {
		t.Fatal(err)
	}

	page, err := adm.AuditLog(ctx, api.AuditQuery{User: demo.Agents[0].ID, Limit: 50})
	check(t, err)
	var sawEmail, sawCostCenter bool
	for _, ev := range page.Events {
		sawEmail = sawEmail || (ev.Action == "email.set_by_admin" && ev.New == "bo@elsewhere.test" && ev.Actor == "Ada Admin")
		sawCostCenter = sawCostCenter || (ev.Action == "cost_center.assign" && ev.New == "Finance" && ev.Old == "Support")
	}
	if !sawEmail || !sawCostCenter {
		t.Errorf("audit for agent1: %+v", page.Events)
	}
	raw, err := adm.ExportAuditCSV(ctx, api.AuditQuery{User: demo.Agents[0].ID})
	check(t, err)
	rows, err := csv.NewReader(strings.NewReader(string(raw))).ReadAll()
	check(t, err)
	if len(rows) != len(page.Events)+1 {
		t.Errorf("CSV has %d rows for %d events", len(rows), len(page.Events))
	}

	// The agent was made an admin and now passes.
	if _, err := adm.GrantAdmin(ctx, demo.Agents[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := agent.OrgPackage(ctx); err != nil {
		t.Fatalf("new admin: %v", err)
	}
	if _, err := agent.RevokeAdmin(ctx, demo.Admins[0].ID); !errors.Is(err, api.ErrConflict) {
		t.Fatalf("revoking the owner: %v", err)
	}
}
