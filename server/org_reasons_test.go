package server_test

import (
	"testing"

	"github.com/phoneset/phoneset/api"
)

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
