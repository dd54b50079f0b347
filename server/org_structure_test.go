package server_test

import (
	"slices"
	"testing"

	"github.com/phoneset/phoneset/api"
)

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
