package server_test

import (
	"slices"
	"testing"

	"github.com/phoneset/phoneset/api"
)

func TestOrgSMS(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		adm := e.admin()
		agent1, agent2 := e.demo.Agents[0].ID, e.demo.Agents[1].ID
		sms, v := orgGet[api.SMSSettings](t, e, adm, "/v1/org/sms")
		if len(sms.Zones) != len(api.SMSZones) || !sms.Zones[0].Enabled || sms.Zones[0].Scope != api.ScopeAll ||
			sms.Zones[1].Scope != api.ScopeSelected || !slices.Equal(sms.Zones[1].UserIDs, []string{agent1}) || sms.Zones[2].Enabled {
			t.Fatalf("zones %+v", sms.Zones)
		}
		if !sms.MessageTypes[0].Allowed || !sms.MessageTypes[1].Allowed || sms.MessageTypes[2].Allowed {
			t.Fatalf("types %+v", sms.MessageTypes)
		}
		for _, tt := range []struct {
			name   string
			path   string
			body   any
			status int
			field  string
		}{
			{"bad scope", "/v1/org/sms/zones/europe", api.SMSZoneUpdate{Enabled: true, Scope: "some"}, 422, "scope"},
			{"scope when off", "/v1/org/sms/zones/europe", api.SMSZoneUpdate{Scope: api.ScopeAll}, 422, "scope"},
			{"users for all", "/v1/org/sms/zones/europe", api.SMSZoneUpdate{Enabled: true, Scope: api.ScopeAll, UserIDs: []string{agent2}}, 422, "user_ids"},
			{"stranger", "/v1/org/sms/zones/europe", api.SMSZoneUpdate{Enabled: true, Scope: api.ScopeSelected, UserIDs: []string{"usr_x"}}, 422, "user_ids"},
			{"unknown zone", "/v1/org/sms/zones/moon", api.SMSZoneUpdate{}, 404, ""},
			{"unknown type", "/v1/org/sms/message-types", api.SMSTypesUpdate{Allowed: []string{"spam"}}, 422, "allowed"},
		} {
			r := e.orgWrite(adm, "PUT", tt.path, v, tt.body)
			if r.status != tt.status || (tt.field != "" && r.apiErr(t).Fields[tt.field] == nil) {
				t.Errorf("%s: %d %s", tt.name, r.status, r.body)
			}
		}
		r := e.orgWrite(adm, "PUT", "/v1/org/sms/zones/europe", v, api.SMSZoneUpdate{Enabled: true, Scope: api.ScopeSelected, UserIDs: []string{agent2, agent1, agent2}})
		wantStatus(t, r, 200)
		r.decode(t, &sms)
		if z := sms.Zones[2]; !z.Enabled || !slices.Equal(z.UserIDs, []string{agent1, agent2}) || sms.Version != v+1 {
			t.Fatalf("europe %+v (version %d)", z, sms.Version)
		}
		wantError(t, e.orgWrite(adm, "PUT", "/v1/org/sms/zones/domestic", v, api.SMSZoneUpdate{}), 412, api.CodeStale)
		// Repeating the applied change with its old version is a retry, not a conflict.
		wantStatus(t, e.orgWrite(adm, "PUT", "/v1/org/sms/zones/europe", v, api.SMSZoneUpdate{Enabled: true, Scope: api.ScopeSelected, UserIDs: []string{agent1, agent2}}), 200)
		r = e.orgWrite(adm, "PUT", "/v1/org/sms/zones/domestic", sms.Version, api.SMSZoneUpdate{})
		wantStatus(t, r, 200)
		r.decode(t, &sms)
		r = e.orgWrite(adm, "PUT", "/v1/org/sms/message-types", sms.Version, api.SMSTypesUpdate{Allowed: []string{"callback"}})
		wantStatus(t, r, 200)
		r.decode(t, &sms)
		if sms.Zones[0].Enabled || sms.MessageTypes[0].Allowed || !sms.MessageTypes[2].Allowed {
			t.Fatalf("after changes %+v", sms)
		}
		evs := auditEvents(t, e, "org/"+e.demo.OrgID+"/sms/")
		if !hasEvent(evs, "sms.update", "users", "", "Bo Agent, Cy Agent") || !hasEvent(evs, "sms.update", "enabled", "true", "false") ||
			!hasEvent(evs, "sms.update", "allowed", "answer_group, survey", "callback") {
			t.Errorf("sms events %+v", evs)
		}
	})
}

func TestOrgCostCenters(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		adm := e.admin()
		agent1, agent2 := e.demo.Agents[0].ID, e.demo.Agents[1].ID
		cc, _ := orgGet[api.CostCenters](t, e, adm, "/v1/org/cost-centers")
		if !cc.Enabled || len(cc.CostCenters) != 2 || cc.CostCenters[0].Name != "Sales" || !slices.Equal(cc.CostCenters[0].UserIDs, []string{agent2}) {
			t.Fatalf("demo cost centers %+v", cc)
		}
		sales, support := cc.CostCenters[0], cc.CostCenters[1]
		wantError(t, e.orgWrite(adm, "POST", "/v1/org/cost-centers", 0, api.NameRequest{Name: "sales"}), 409, api.CodeConflict)
		wantError(t, e.orgWrite(adm, "POST", "/v1/org/cost-centers", 0, api.NameRequest{Name: " Finance"}), 422, api.CodeInvalid)
		r := e.orgWrite(adm, "POST", "/v1/org/cost-centers", 0, api.NameRequest{Name: "Finance"})
		wantStatus(t, r, 201)
		var fin api.CostCenter
		r.decode(t, &fin)
		if fin.Version != 1 || len(fin.UserIDs) != 0 {
			t.Fatalf("created %+v", fin)
		}
		path := "/v1/org/cost-centers/" + fin.ID
		wantError(t, e.orgWrite(adm, "PATCH", path, 0, api.NameRequest{Name: "Money"}), 428, api.CodePreconditionRequired)
		r = e.orgWrite(adm, "PATCH", path, 1, api.NameRequest{Name: "Accounts"})
		wantStatus(t, r, 200)
		r.decode(t, &fin)
		wantError(t, e.orgWrite(adm, "PATCH", path, 1, api.NameRequest{Name: "Money"}), 412, api.CodeStale)

		// Both agents move to Accounts, leaving Sales and Support.
		r = e.orgWrite(adm, "PUT", path+"/users", fin.Version, api.UserIDsRequest{UserIDs: []string{agent2, agent1}})
		wantStatus(t, r, 200)
		r.decode(t, &fin)
		cc, _ = orgGet[api.CostCenters](t, e, adm, "/v1/org/cost-centers")
		for _, c := range cc.CostCenters {
			switch c.ID {
			case sales.ID, support.ID:
				if len(c.UserIDs) != 0 || c.Version == 1 {
					t.Errorf("%s kept its users or version: %+v", c.Name, c)
				}
			case fin.ID:
				if !slices.Equal(c.UserIDs, []string{agent1, agent2}) {
					t.Errorf("Accounts has %v", c.UserIDs)
				}
			}
		}
		users, _ := orgGet[[]api.OrgUser](t, e, adm, "/v1/org/users?cost_center="+fin.ID)
		if len(users) != 2 || users[0].CostCenter != fin.ID {
			t.Errorf("filtered users %+v", users)
		}
		evs := auditEvents(t, e, "user/"+agent2+"/cost-center")
		if !hasEvent(evs, "cost_center.assign", "cost_center", "Sales", "Accounts") {
			t.Errorf("move not audited: %+v", evs)
		}

		wantStatus(t, e.orgWrite(adm, "DELETE", path, 0, nil), 204)
		wantError(t, e.orgWrite(adm, "DELETE", path, 0, nil), 404, api.CodeNotFound)
		users, _ = orgGet[[]api.OrgUser](t, e, adm, "/v1/org/users")
		for _, u := range users {
			if u.CostCenter != "" && u.ID != e.demo.Admins[0].ID {
				t.Errorf("%s still in %s", u.DisplayName, u.CostCenter)
			}
		}
		if !hasEvent(auditEvents(t, e, "user/"+agent1+"/cost-center"), "cost_center.unassign", "cost_center", "Accounts", "") {
			t.Error("removal from a deleted cost center not audited")
		}

		// Switched off, cost centers cannot change.
		_, v := orgGet[api.OrgSettings](t, e, adm, "/v1/org")
		wantStatus(t, e.orgWrite(adm, "PATCH", "/v1/org", v, api.OrgSettingsPatch{CostCentersEnabled: ptr(false)}), 200)
		wantError(t, e.orgWrite(adm, "POST", "/v1/org/cost-centers", 0, api.NameRequest{Name: "Legal"}), 409, api.CodeConflict)
		wantError(t, e.orgWrite(adm, "DELETE", "/v1/org/cost-centers/"+sales.ID, 0, nil), 409, api.CodeConflict)
	})
}

func TestOrgReasonCodes(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		adm, agent := e.admin(), e.agent1()
		codes, _ := orgGet[[]api.OrgReasonCode](t, e, adm, "/v1/org/reason-codes")
		if len(codes) != 3 || codes[0].Code != "lunch" || codes[0].Version != 1 {
			t.Fatalf("demo codes %+v", codes)
		}
		for _, tt := range []struct {
			body  api.ReasonCodeCreate
			field string
		}{{api.ReasonCodeCreate{Label: ""}, "label"}, {api.ReasonCodeCreate{Label: "!!"}, "code"}, {api.ReasonCodeCreate{Code: "Bad Code", Label: "X"}, "code"}} {
			if ae := wantError(t, e.orgWrite(adm, "POST", "/v1/org/reason-codes", 0, tt.body), 422, api.CodeInvalid); ae.Fields[tt.field] == nil {
				t.Errorf("%+v: fields %v", tt.body, ae.Fields)
			}
		}
		wantError(t, e.orgWrite(adm, "POST", "/v1/org/reason-codes", 0, api.ReasonCodeCreate{Label: "Lunch"}), 409, api.CodeConflict)
		r := e.orgWrite(adm, "POST", "/v1/org/reason-codes", 0, api.ReasonCodeCreate{Label: "Coffee break"})
		wantStatus(t, r, 201)
		var rc api.OrgReasonCode
		r.decode(t, &rc)
		if rc.Code != "coffee_break" || rc.Version != 1 {
			t.Fatalf("created %+v", rc)
		}
		// Members can use it at once: GET /v1/me's cache sees the change.
		var me api.Me
		e.do(req{method: "GET", path: "/v1/me", token: agent.AccessToken}).decode(t, &me)
		if len(me.Org.ReasonCodes) != 4 {
			t.Fatalf("member sees %+v", me.Org.ReasonCodes)
		}
		away := api.StatusUpdate{Availability: api.Unavailable, ReasonCode: "coffee_break"}
		wantStatus(t, e.do(req{method: "PUT", path: "/v1/me/status", token: agent.AccessToken, body: away, header: ifMatch(1)}), 200)

		path := "/v1/org/reason-codes/coffee_break"
		r = e.orgWrite(adm, "PATCH", path, 1, api.ReasonCodePatch{Label: ptr("Fika"), Retired: ptr(true)})
		wantStatus(t, r, 200)
		r.decode(t, &rc)
		if rc.Label != "Fika" || !rc.Retired || rc.Version != 2 || r.header.Get("ETag") != api.ETag(2) {
			t.Fatalf("patched %+v", rc)
		}
		wantError(t, e.orgWrite(adm, "PATCH", path, 1, api.ReasonCodePatch{Retired: ptr(false)}), 412, api.CodeStale)
		wantError(t, e.orgWrite(adm, "PATCH", "/v1/org/reason-codes/nap", 1, api.ReasonCodePatch{Retired: ptr(false)}), 404, api.CodeNotFound)
		// Retired: no longer offered or accepted.
		wantError(t, e.do(req{method: "PUT", path: "/v1/me/status", token: agent.AccessToken, body: away, header: ifMatch(2)}), 422, api.CodeInvalid)
		evs := auditEvents(t, e, "org/"+e.demo.OrgID+"/reason-codes/coffee_break")
		if !hasEvent(evs, "reason_code.create", "label", "", "Coffee break") || !hasEvent(evs, "reason_code.update", "label", "Coffee break", "Fika") ||
			!hasEvent(evs, "reason_code.update", "retired", "false", "true") {
			t.Errorf("reason code events %+v", evs)
		}
	})
}

func TestOrgStructure(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		adm := e.admin()
		agent1, agent2 := e.demo.Agents[0].ID, e.demo.Agents[1].ID
		cats, _ := orgGet[[]api.Category](t, e, adm, "/v1/org/structure")
		if len(cats) != 1 || cats[0].Name != "Office" || len(cats[0].Options) != 2 || cats[0].Options[1].Name != "Malmö" {
			t.Fatalf("demo structure %+v", cats)
		}
		for _, tt := range []struct {
			body  api.CategoryCreate
			field string
		}{
			{api.CategoryCreate{Name: ""}, "name"},
			{api.CategoryCreate{Name: "Team", Options: []string{"Blue", "blue"}}, "options"},
			{api.CategoryCreate{Name: "Team", Options: []string{""}}, "options"},
		} {
			if ae := wantError(t, e.orgWrite(adm, "POST", "/v1/org/structure", 0, tt.body), 422, api.CodeInvalid); ae.Fields[tt.field] == nil {
				t.Errorf("%+v: fields %v", tt.body, ae.Fields)
			}
		}
		wantError(t, e.orgWrite(adm, "POST", "/v1/org/structure", 0, api.CategoryCreate{Name: "office"}), 409, api.CodeConflict)
		r := e.orgWrite(adm, "POST", "/v1/org/structure", 0, api.CategoryCreate{Name: "Team", Options: []string{"Blue", "Green"}})
		wantStatus(t, r, 201)
		var team api.Category
		r.decode(t, &team)
		if len(team.Options) != 2 || team.Version != 1 {
			t.Fatalf("created %+v", team)
		}
		blue, green := team.Options[0], team.Options[1]
		path := "/v1/org/structure/" + team.ID
		r = e.orgWrite(adm, "PUT", path+"/options/"+blue.ID+"/users", 1, api.UserIDsRequest{UserIDs: []string{agent1, agent2}})
		wantStatus(t, r, 200)
		r.decode(t, &team)
		// agent2 moves to Green: Blue keeps agent1 only.
		r = e.orgWrite(adm, "PUT", path+"/options/"+green.ID+"/users", team.Version, api.UserIDsRequest{UserIDs: []string{agent2}})
		wantStatus(t, r, 200)
		r.decode(t, &team)
		if !slices.Equal(team.Options[0].UserIDs, []string{agent1}) || !slices.Equal(team.Options[1].UserIDs, []string{agent2}) {
			t.Fatalf("after moves %+v", team.Options)
		}
		wantError(t, e.orgWrite(adm, "PUT", path+"/options/"+green.ID+"/users", 1, api.UserIDsRequest{}), 412, api.CodeStale)
		wantError(t, e.orgWrite(adm, "PUT", path+"/options/opt_none/users", team.Version, api.UserIDsRequest{}), 404, api.CodeNotFound)

		// The structure filters the users list.
		users, _ := orgGet[[]api.OrgUser](t, e, adm, "/v1/org/users?option="+green.ID)
		if len(users) != 1 || users[0].ID != agent2 || users[0].Options[team.ID] != green.ID || users[0].Options["cat_demo_office"] != "opt_demo_malmo" {
			t.Fatalf("Green users %+v", users)
		}

		// Remove Green (agent2 loses it), add Red, rename.
		r = e.orgWrite(adm, "PATCH", path, team.Version, api.CategoryPatch{Name: ptr("Squad"), RemoveOptions: []string{green.ID}, AddOptions: []string{"Red"}})
		wantStatus(t, r, 200)
		r.decode(t, &team)
		if team.Name != "Squad" || len(team.Options) != 2 || team.Options[1].Name != "Red" {
			t.Fatalf("patched %+v", team)
		}
		wantError(t, e.orgWrite(adm, "PATCH", path, team.Version, api.CategoryPatch{AddOptions: []string{"blue"}}), 422, api.CodeInvalid)
		wantError(t, e.orgWrite(adm, "PATCH", path, team.Version, api.CategoryPatch{RemoveOptions: []string{"opt_none"}}), 422, api.CodeInvalid)
		if users, _ := orgGet[[]api.OrgUser](t, e, adm, "/v1/org/users?option="+green.ID); len(users) != 0 {
			t.Errorf("removed option still held by %+v", users)
		}
		if !hasEvent(auditEvents(t, e, "user/"+agent2+"/structure/"+team.ID), "category.unassign", "Team", "Green", "") {
			t.Error("losing an option not audited")
		}

		wantStatus(t, e.orgWrite(adm, "DELETE", path, 0, nil), 204)
		cats, _ = orgGet[[]api.Category](t, e, adm, "/v1/org/structure")
		if len(cats) != 1 {
			t.Fatalf("after delete %+v", cats)
		}
		evs := auditEvents(t, e, "org/"+e.demo.OrgID+"/structure/"+team.ID)
		if !hasEvent(evs, "category.create", "options", "", "Blue, Green") || !hasEvent(evs, "category.update", "options", "Blue, Green", "Blue, Red") ||
			!hasEvent(evs, "category.delete", "name", "Squad", "") {
			t.Errorf("category events %+v", evs)
		}
	})
}
