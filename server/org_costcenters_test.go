package server_test

import (
	"slices"
	"testing"

	"github.com/phoneset/phoneset/api"
)

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
