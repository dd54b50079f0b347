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
