package server_test

import (
	"testing"

	"github.com/phoneset/phoneset/api"
)

func TestOrgPresence(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		adm, agent := e.admin(), e.agent1()
		p, v := orgGet[api.Presence](t, e, adm, "/v1/org/presence")
		if p != api.DefaultPresence || v != 1 {
			t.Fatalf("default %+v (ETag %d)", p, v)
		}
		tests := []struct {
			name   string
			body   api.PresenceUpdate
			status int
			field  string
		}{
			{"retired reason", api.PresenceUpdate{AwayReasonCode: "nap"}, 422, api.FieldAwayReasonCode},
			{"idle of a day", api.PresenceUpdate{IdleMinutes: 24 * 60}, 422, api.FieldIdleMinutes},
		}
		for _, tt := range tests {
			if ae := wantError(t, e.orgWrite(adm, "PUT", "/v1/org/presence", 1, tt.body), tt.status, api.CodeInvalid); ae.Fields[tt.field] == nil {
				t.Errorf("%s: %+v", tt.name, ae)
			}
		}
		want := api.PresenceUpdate{LockAway: true, AwayReasonCode: "meeting", IdleMinutes: 10, AutoOnline: true}
		r := e.orgWrite(adm, "PUT", "/v1/org/presence", 1, want)
		wantStatus(t, r, 200)
		r.decode(t, &p)
		if p != (api.Presence{Version: 2, LockAway: true, AwayReasonCode: "meeting", IdleMinutes: 10, AutoOnline: true}) || r.header.Get("ETag") != api.ETag(2) {
			t.Fatalf("saved %+v", p)
		}
		// Sent again (a retry): applied already, not a conflict.
		wantStatus(t, e.orgWrite(adm, "PUT", "/v1/org/presence", 1, want), 200)
		wantError(t, e.orgWrite(adm, "PUT", "/v1/org/presence", 1, api.PresenceUpdate{}), 412, api.CodeStale)
		// Members see it at once in GET /v1/me.
		var me api.Me
		e.do(req{method: "GET", path: "/v1/me", token: agent.AccessToken}).decode(t, &me)
		if me.Org.Presence != p {
			t.Fatalf("member sees %+v", me.Org.Presence)
		}
		// Agents cannot change it.
		wantError(t, e.orgWrite(agent, "PUT", "/v1/org/presence", 2, api.PresenceUpdate{}), 403, api.CodeForbidden)
		evs := auditEvents(t, e, "org/"+e.demo.OrgID+"/presence")
		if !hasEvent(evs, "presence.update", "idle_minutes", "0", "10") || !hasEvent(evs, "presence.update", "away_reason_code", "", "meeting") || len(evs) != 3 {
			t.Errorf("audit %+v", evs)
		}
	})
}
