package server_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server"
)

func agentIDs(t *testing.T, e *env, tok string) []string {
	t.Helper()
	r := e.do(req{method: "GET", path: "/v1/supervisor/agents", token: tok})
	wantStatus(t, r, 200)
	var agents []api.AgentStatus
	r.decode(t, &agents)
	var ids []string
	for _, a := range agents {
		ids = append(ids, a.ID)
	}
	return ids
}

// TestSupervisorScope: a supervisor sees exactly the holders of the
// options of their scope; everyone else is invisible, not refused.
func TestSupervisorScope(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		admin, agent1, agent2 := e.demo.Admins[0].ID, e.demo.Agents[0].ID, e.demo.Agents[1].ID
		atok := e.admin().AccessToken
		// The demo admin supervises both offices: both agents, not itself.
		if got := agentIDs(t, e, atok); !slices.Equal(got, []string{agent1, agent2}) {
			t.Fatalf("demo admin sees %v", got)
		}
		// Stockholm only: agent2 (Malmö) disappears.
		wantStatus(t, e.do(req{method: "PUT", path: "/v1/org/users/" + admin + "/supervisor", token: atok,
			body: api.SupervisorScope{OptionIDs: []string{"opt_demo_sthlm"}}}), 200)
		if got := agentIDs(t, e, atok); !slices.Equal(got, []string{agent1}) {
			t.Fatalf("Stockholm's supervisor sees %v", got)
		}
		r := e.superviseStatus(t, atok, agent2, api.Online, "")
		wantError(t, r, 404, api.CodeNotFound)
		// Another organisation's user is as invisible.
		newOtherOrg(t, e)
		wantError(t, e.superviseStatus(t, atok, "usr_other_admin", api.Online, ""), 404, api.CodeNotFound)

		// agent2 made a supervisor of Stockholm sees its holders.
		wantStatus(t, e.do(req{method: "PUT", path: "/v1/org/users/" + agent2 + "/supervisor", token: atok,
			body: api.SupervisorScope{OptionIDs: []string{"opt_demo_sthlm"}}}), 200)
		a2tok := e.signIn("agent2", server.DemoPassword).AccessToken
		if got := agentIDs(t, e, a2tok); !slices.Equal(got, []string{admin, agent1}) {
			t.Errorf("agent2 as supervisor sees %v", got)
		}
		// Refused scopes: an option of no category, too many.
		many := make([]string, api.MaxOptions+1)
		for i := range many {
			many[i] = "opt_demo_sthlm"
		}
		for _, bad := range [][]string{{"opt_nope"}, {"' OR '1'='1"}, many} {
			before := snapshot(t, e)
			r := e.do(req{method: "PUT", path: "/v1/org/users/" + agent2 + "/supervisor", token: atok, body: api.SupervisorScope{OptionIDs: bad}})
			if ae := wantError(t, r, 422, api.CodeInvalid); ae.Fields[api.FieldOptionIDs] == nil {
				t.Errorf("scope %.40v: %s does not name option_ids", bad, r.body)
			}
			if snapshot(t, e) != before {
				t.Errorf("scope %.40v: refused, but the database changed", bad)
			}
		}
		// Revoked: refused at once.
		wantStatus(t, e.do(req{method: "DELETE", path: "/v1/org/users/" + agent2 + "/supervisor", token: atok}), 200)
		r = e.do(req{method: "GET", path: "/v1/supervisor/agents", token: a2tok})
		if ae := wantError(t, r, 403, api.CodeForbidden); ae.Reason == nil || ae.Reason.Code != api.ReasonNeedsSupervisor {
			t.Errorf("revoked supervisor: %s", r.body)
		}
		// The grant and the revocation are audited.
		var page api.AuditPage
		e.do(req{method: "GET", path: "/v1/org/audit?resource=user/" + agent2 + "/permissions", token: atok}).decode(t, &page)
		var seen []string
		for _, ev := range page.Events {
			seen = append(seen, ev.Action+" "+ev.Old+" -> "+ev.New)
		}
		if !slices.Contains(seen, "permission.revoke granted -> not granted") ||
			!slices.Contains(seen, "permission.grant not granted -> granted: Office: Stockholm") {
			t.Errorf("audit: %q", seen)
		}
	})
}

// TestSupervisorSetsStatus: the change carries the supervisor's name, is
// audited old -> new, and refuses what PUT /v1/me/status refuses.
func TestSupervisorSetsStatus(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		agent1 := e.demo.Agents[0].ID
		atok := e.admin().AccessToken
		for _, bad := range []api.StatusUpdate{{Availability: "away"}, {Availability: api.Unavailable}, {Availability: api.Unavailable, ReasonCode: "nap"},
			{Availability: api.Online, ReasonCode: "lunch"}} {
			wantError(t, e.superviseStatus(t, atok, agent1, bad.Availability, bad.ReasonCode), 422, api.CodeInvalid)
		}
		r := e.superviseStatus(t, atok, agent1, api.Unavailable, "training")
		wantStatus(t, r, 200)
		var got api.AgentStatus
		r.decode(t, &got)
		if got.Status.ChangedByName != "Ada Admin" || got.Status.ReasonCode != "training" || r.header.Get("ETag") != api.ETag(got.Status.Version) {
			t.Errorf("answer %+v, ETag %s", got, r.header.Get("ETag"))
		}
		var own api.Status
		e.do(req{method: "GET", path: "/v1/me/status", token: e.agent1().AccessToken}).decode(t, &own)
		if own != got.Status {
			t.Errorf("agent sees %+v, supervisor set %+v", own, got.Status)
		}
		// A stale version is refused.
		r = e.do(req{method: "PUT", path: "/v1/supervisor/agents/" + agent1 + "/status", token: atok, header: ifMatch(got.Status.Version - 1),
			body: api.StatusUpdate{Availability: api.Online}})
		wantError(t, r, 412, api.CodeStale)
		var page api.AuditPage
		e.do(req{method: "GET", path: "/v1/org/audit?action=status.set_by_supervisor", token: atok}).decode(t, &page)
		var seen []string
		for _, ev := range page.Events {
			seen = append(seen, ev.Field+": "+ev.Old+" -> "+ev.New+" by "+ev.Actor)
		}
		slices.Sort(seen)
		want := []string{"availability: offline -> unavailable by Ada Admin", "reason_code:  -> training by Ada Admin"}
		if !slices.Equal(seen, want) {
			t.Errorf("audit %q, want %q", seen, want)
		}
	})
}

// TestTimeInStatus adds up today's statuses from the history, from
// midnight in the supervisor's time zone, and exports them as safe CSV.
func TestTimeInStatus(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		stockholm, err := time.LoadLocation("Europe/Stockholm")
		if err != nil {
			t.Skip("no time zone data:", err)
		}
		c := &clock{now: time.Date(2026, 12, 6, 7, 0, 0, 0, stockholm)}
		e := newEnvWith(t, server.Config{Now: c.Now})
		agent1 := e.demo.Agents[0].ID
		at := func(hh, mm int) { c.Add(time.Date(2026, 12, 6, hh, mm, 0, 0, stockholm).Sub(c.Now())) }
		at(8, 0)
		e.setStatus(t, e.agent1().AccessToken, api.Online, "")
		at(8, 10)
		wantStatus(t, e.superviseStatus(t, e.admin().AccessToken, agent1, api.Unavailable, "lunch"), 200)
		at(8, 40)
		e.setStatus(t, e.agent1().AccessToken, api.Online, "")
		at(9, 0)
		// An agent whose display name is a formula.
		atok := e.admin().AccessToken
		var p api.Profile
		a2 := e.signIn("agent2", server.DemoPassword).AccessToken
		e.do(req{method: "GET", path: "/v1/me/profile", token: a2}).decode(t, &p)
		wantStatus(t, e.do(req{method: "PATCH", path: "/v1/me/profile", token: a2, header: ifMatch(p.Version),
			body: api.ProfilePatch{DisplayName: ptr(`=HYPERLINK("http://x","y")`)}}), 200)

		var rows []api.TimeInStatus
		e.do(req{method: "GET", path: "/v1/supervisor/time-in-status", token: atok}).decode(t, &rows)
		var got []api.StatusTime
		for _, row := range rows {
			if row.UserID == agent1 {
				got = row.Times
				if !row.From.Equal(time.Date(2026, 12, 6, 0, 0, 0, 0, stockholm)) {
					t.Errorf("from %v, want midnight in Stockholm", row.From)
				}
			}
		}
		want := []api.StatusTime{{Availability: api.Offline, Seconds: 3600}, {Availability: api.Online, Seconds: 1800},
			{Availability: api.Unavailable, ReasonCode: "lunch", Seconds: 1800}}
		if !slices.Equal(got, want) {
			t.Errorf("agent1's day: %+v, want %+v", got, want)
		}

		r := e.do(req{method: "GET", path: "/v1/supervisor/time-in-status?format=csv", token: atok})
		wantStatus(t, r, 200)
		if ct := r.header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}
		csv := string(r.body)
		for _, line := range []string{
			`"user_id","agent","from","to","availability","reason_code","seconds"`,
			`"usr_demo_agent1","Bo Agent","2026-12-05T23:00:00Z","2026-12-06T08:00:00Z","unavailable","lunch","1800"`,
			`"usr_demo_agent2","'=HYPERLINK(""http://x"",""y"")"`,
		} {
			if !strings.Contains(csv, line) {
				t.Errorf("CSV lacks %s:\n%s", line, csv)
			}
		}
	})
}
