package server_test

import (
	"encoding/csv"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
)

func TestOrgAuditLog(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		adm, agent := e.admin(), e.agent1()
		agentID := e.demo.Agents[0].ID
		// Some history: the agent edits their profile, the admin the org.
		wantStatus(t, e.do(req{method: "PATCH", path: "/v1/me/profile", token: agent.AccessToken, header: ifMatch(1),
			body: api.ProfilePatch{DisplayName: ptr("=HYPERLINK(\"http://evil\")")}}), 200)
		_, v := orgGet[api.OrgSettings](t, e, adm, "/v1/org")
		wantStatus(t, e.orgWrite(adm, "PATCH", "/v1/org", v, api.OrgSettingsPatch{DisplayName: ptr("Demo CC"), Language: ptr("sv")}), 200)
		wantStatus(t, e.orgWrite(adm, "PUT", "/v1/org/users/"+e.demo.Agents[1].ID+"/licenses/mobile", 0, nil), 200)

		page := func(query string) api.AuditPage {
			t.Helper()
			p, _ := orgGet[api.AuditPage](t, e, adm, "/v1/org/audit?"+query)
			return p
		}
		all := page("")
		if len(all.Events) < 6 || all.NextBefore != 0 || !slices.IsSortedFunc(all.Events, func(a, b api.AuditEvent) int { return int(b.ID - a.ID) }) {
			t.Fatalf("whole log %+v", all)
		}
		today := time.Now().In(mustZone(t, "Europe/Stockholm")).Format(time.DateOnly)
		tests := []struct {
			name  string
			query url.Values
			want  func(api.AuditEvent) bool // every event returned matches
			some  bool                      // and there is at least one
		}{
			{"by user", url.Values{"user": {agentID}}, func(ev api.AuditEvent) bool {
				return ev.ActorID == agentID || strings.HasPrefix(ev.Resource, "user/"+agentID+"/")
			}, true},
			{"action prefix", url.Values{"action": {"org"}}, func(ev api.AuditEvent) bool { return strings.HasPrefix(ev.Action, "org.") }, true},
			{"exact action", url.Values{"action": {"license.assign"}}, func(ev api.AuditEvent) bool { return ev.Action == "license.assign" }, true},
			{"action is not a substring match", url.Values{"action": {"lic"}}, nil, false},
			{"resource prefix", url.Values{"resource": {"user/" + agentID}}, func(ev api.AuditEvent) bool {
				return strings.HasPrefix(ev.Resource, "user/"+agentID+"/")
			}, true},
			{"today", url.Values{"from": {today}, "to": {today}}, func(api.AuditEvent) bool { return true }, true},
			{"future", url.Values{"from": {"2999-01-01"}}, nil, false},
			{"past", url.Values{"to": {"2000-01-01T00:00:00Z"}}, nil, false},
			{"user and action", url.Values{"user": {agentID}, "action": {"profile.update"}}, func(ev api.AuditEvent) bool {
				return ev.Action == "profile.update" && ev.ActorID == agentID && ev.Field == "display_name" && ev.Old == "Bo Agent"
			}, true},
		}
		for _, tt := range tests {
			p := page(tt.query.Encode())
			if tt.some != (len(p.Events) > 0) {
				t.Errorf("%s: %d events", tt.name, len(p.Events))
			}
			for _, ev := range p.Events {
				if !tt.want(ev) {
					t.Errorf("%s: unexpected %+v", tt.name, ev)
				}
			}
		}
		for _, q := range []string{"from=yesterday", "to=2026-13-01", "from=2026-02-02&to=2026-02-01", "limit=0", "limit=501", "before=-1"} {
			wantError(t, e.do(req{method: "GET", path: "/v1/org/audit?" + q, token: adm.AccessToken}), 400, api.CodeInvalid)
		}

		// Paging backwards meets every event once.
		var paged []int64
		for before := int64(0); ; {
			p := page("limit=2&before=" + strconv.FormatInt(before, 10))
			for _, ev := range p.Events {
				paged = append(paged, ev.ID)
			}
			if p.NextBefore == 0 {
				break
			}
			before = p.NextBefore
		}
		var ids []int64
		for _, ev := range all.Events {
			ids = append(ids, ev.ID)
		}
		if !slices.Equal(paged, ids) {
			t.Errorf("paged %v, whole %v", paged, ids)
		}

		// CSV by Accept and by format, same rows as JSON, formulas defused.
		for _, r := range []resp{
			e.do(req{method: "GET", path: "/v1/org/audit?user=" + agentID, token: adm.AccessToken, header: map[string]string{"Accept": "text/csv"}}),
			e.do(req{method: "GET", path: "/v1/org/audit?format=csv&user=" + agentID, token: adm.AccessToken}),
		} {
			wantStatus(t, r, 200)
			if !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") || !strings.Contains(r.header.Get("Content-Disposition"), "attachment") {
				t.Fatalf("CSV headers %v", r.header)
			}
			rows, err := csv.NewReader(strings.NewReader(string(r.body))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if want := len(page("user=" + agentID).Events); len(rows) != want+1 || rows[0][0] != "id" || rows[0][9] != "new" {
				t.Fatalf("CSV has %d rows for %d events: %v", len(rows), want, rows)
			}
			if !slices.ContainsFunc(rows, func(row []string) bool { return row[9] == `'=HYPERLINK("http://evil")` }) {
				t.Errorf("formula not defused: %v", rows)
			}
		}
		if p := page("action=audit.export"); len(p.Events) != 2 || p.Events[0].Actor != "Ada Admin" {
			t.Errorf("exports not audited: %+v", p.Events)
		}
	})
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
