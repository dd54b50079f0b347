package server_test

import (
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
)

func TestPlanCountsAPIRequests(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		a := e.agent1()
		plan := func() (api.Plan, map[string]api.Usage) {
			var p api.Plan
			e.do(req{method: "GET", path: "/v1/me/plan", token: a.AccessToken}).decode(t, &p)
			m := map[string]api.Usage{}
			for _, u := range p.Usage {
				m[u.Metric] = u
			}
			return p, m
		}
		p, before := plan()
		if p.Name != "Unlimited" || p.CycleStart.IsZero() || p.CycleStart.After(time.Now()) {
			t.Errorf("plan = %+v", p)
		}
		if before["minutes"].Used != 1184 || before["minutes"].Limit != 5000 || len(p.Usage) != 4 {
			t.Errorf("usage = %+v", p.Usage)
		}
		for range 7 {
			e.do(req{method: "GET", path: "/v1/me", token: a.AccessToken})
		}
		_, after := plan()
		// Seven GET /v1/me and the second GET /v1/me/plan.
		if got := after["api_requests"].Used - before["api_requests"].Used; got != 8 {
			t.Errorf("api requests counted %d, want 8", got)
		}
	})
}
