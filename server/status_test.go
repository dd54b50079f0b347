package server_test

import (
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
)

func TestStatus(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		a := e.agent1()
		if _, err := e.srv.Store().DB().Exec(`UPDATE reason_codes SET retired = TRUE WHERE code = 'training'`); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name     string
			update   api.StatusUpdate
			status   int
			field    string
			eligible bool
		}{
			{"unavailable needs a reason", api.StatusUpdate{Availability: api.Unavailable}, 422, "reason_code", false},
			{"unknown reason", api.StatusUpdate{Availability: api.Unavailable, ReasonCode: "nap"}, 422, "reason_code", false},
			{"retired reason", api.StatusUpdate{Availability: api.Unavailable, ReasonCode: "training"}, 422, "reason_code", false},
			{"reason with online", api.StatusUpdate{Availability: api.Online, ReasonCode: "lunch"}, 422, "reason_code", false},
			{"bad availability", api.StatusUpdate{Availability: "away"}, 422, "availability", false},
			{"online", api.StatusUpdate{Availability: api.Online}, 200, "", true},
			{"unavailable at lunch", api.StatusUpdate{Availability: api.Unavailable, ReasonCode: "lunch"}, 200, "", false},
			{"offline", api.StatusUpdate{Availability: api.Offline}, 200, "", false},
		}
		version := int64(1)
		for _, tt := range tests {
			r := e.do(req{method: "PUT", path: "/v1/me/status", token: a.AccessToken, body: tt.update, header: ifMatch(version)})
			if tt.field != "" {
				if ae := wantError(t, r, tt.status, api.CodeInvalid); ae.Fields[tt.field] == nil {
					t.Errorf("%s: fields %v", tt.name, ae.Fields)
				}
				continue
			}
			wantStatus(t, r, tt.status)
			var s api.Status
			r.decode(t, &s)
			if s.Version != version+1 || s.Availability != tt.update.Availability || s.ReasonCode != tt.update.ReasonCode ||
				s.QueueEligible != tt.eligible || s.ChangedBy != e.demo.Agents[0].ID || s.ChangedByName != "Bo Agent" ||
				time.Since(s.ChangedAt) > time.Minute || r.header.Get("ETag") != api.ETag(s.Version) {
				t.Errorf("%s: status %+v", tt.name, s)
			}
			version = s.Version
		}
		// Stale: refused, unchanged.
		wantError(t, e.do(req{method: "PUT", path: "/v1/me/status", token: a.AccessToken, body: api.StatusUpdate{Availability: api.Online}, header: ifMatch(1)}), 412, api.CodeStale)
		// A retry of a write that already happened is not a conflict.
		r := e.do(req{method: "PUT", path: "/v1/me/status", token: a.AccessToken, body: api.StatusUpdate{Availability: api.Offline}, header: ifMatch(version - 1)})
		wantStatus(t, r, 200)
		wantError(t, e.do(req{method: "PUT", path: "/v1/me/status", token: a.AccessToken, body: api.StatusUpdate{Availability: api.Online}}), 428, api.CodePreconditionRequired)

		var s api.Status
		r = e.do(req{method: "GET", path: "/v1/me/status", token: a.AccessToken})
		r.decode(t, &s)
		if s.Version != version || s.Availability != api.Offline {
			t.Errorf("status = %+v", s)
		}
		if n := auditActions(t, e, "user/"+e.demo.Agents[0].ID+"/status")["status.update"]; n < 3 {
			t.Errorf("status.update events = %d", n)
		}
	})
}
