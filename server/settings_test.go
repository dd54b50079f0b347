package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server"
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

func TestNotifications(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		a := e.agent1()
		r := e.do(req{method: "PUT", path: "/v1/me/notifications", token: a.AccessToken, header: ifMatch(1),
			body: api.Notifications{EmailMissedCalls: true}})
		wantStatus(t, r, 200)
		var n api.Notifications
		r.decode(t, &n)
		if n.Version != 2 || !n.EmailMissedCalls || n.EmailVoicemails {
			t.Fatalf("notifications = %+v", n)
		}
		wantError(t, e.do(req{method: "PUT", path: "/v1/me/notifications", token: a.AccessToken, header: ifMatch(1),
			body: api.Notifications{EmailVoicemails: true}}), 412, api.CodeStale)
		r = e.do(req{method: "PUT", path: "/v1/me/notifications", token: a.AccessToken, header: ifMatch(2),
			body: api.Notifications{EmailMissedCalls: true, EmailVoicemails: true}})
		wantStatus(t, r, 200)
		r = e.do(req{method: "GET", path: "/v1/me/notifications", token: a.AccessToken})
		n = api.Notifications{}
		r.decode(t, &n)
		if n.Version != 3 || !n.EmailMissedCalls || !n.EmailVoicemails || r.header.Get("ETag") != `"3"` {
			t.Fatalf("notifications = %+v", n)
		}
	})
}

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

func TestAPIKey(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		a := e.agent1()
		r := e.do(req{method: "GET", path: "/v1/me/api-key", token: a.AccessToken})
		wantStatus(t, r, 200)
		var k api.APIKey
		r.decode(t, &k)
		if k.Key != "" || !strings.HasPrefix(k.Masked, "psk_") || k.CreatedAt.IsZero() {
			t.Fatalf("masked key = %+v", k)
		}
		wantError(t, e.do(req{method: "POST", path: "/v1/me/api-key/reveal", token: a.AccessToken, body: api.PasswordProof{Password: "nope"}}), 422, api.CodeInvalid)
		r = e.do(req{method: "POST", path: "/v1/me/api-key/reveal", token: a.AccessToken, body: api.PasswordProof{Password: server.DemoPassword}})
		wantStatus(t, r, 200)
		var full api.APIKey
		r.decode(t, &full)
		if full.Masked != k.Masked || !strings.HasSuffix(full.Key, full.Masked[len(full.Masked)-4:]) || len(full.Key) != 47 {
			t.Fatalf("revealed %+v for %+v", full, k)
		}

		// The key authenticates both ways, but not for account security.
		for _, h := range []map[string]string{{"X-API-Key": full.Key}, {"Authorization": "Bearer " + full.Key}} {
			r := e.do(req{method: "GET", path: "/v1/me", header: h})
			wantStatus(t, r, 200)
			wantError(t, e.do(req{method: "GET", path: "/v1/me/sessions", header: h}), 403, api.CodeForbidden)
			wantError(t, e.do(req{method: "PUT", path: "/v1/me/password", header: h, body: api.PasswordChangeRequest{Current: server.DemoPassword, New: "Tangerine-Orbit-42"}}), 403, api.CodeForbidden)
		}

		r = e.do(req{method: "POST", path: "/v1/me/api-key/regenerate", token: a.AccessToken, body: api.PasswordProof{Password: server.DemoPassword}})
		wantStatus(t, r, 200)
		var next api.APIKey
		r.decode(t, &next)
		if next.Key == full.Key || next.Key == "" {
			t.Fatalf("regenerated %+v", next)
		}
		wantError(t, e.do(req{method: "GET", path: "/v1/me", header: map[string]string{"X-API-Key": full.Key}}), 401, api.CodeUnauthorized)
		wantStatus(t, e.do(req{method: "GET", path: "/v1/me", header: map[string]string{"X-API-Key": next.Key}}), 200)
		evs := auditActions(t, e, "user/"+e.demo.Agents[0].ID+"/api-key")
		if evs["api_key.reveal"] != 1 || evs["api_key.regenerate"] != 1 {
			t.Errorf("audit %v", evs)
		}
	})
}

func TestDeleteAccount(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		ag, ad := e.agent1(), e.admin()
		del := func(tok, pw string) resp {
			return e.do(req{method: "DELETE", path: "/v1/me", token: tok, body: api.PasswordProof{Password: pw}})
		}
		wantError(t, del(ag.AccessToken, server.DemoPassword), 403, api.CodeForbidden)
		wantError(t, del(ad.AccessToken, "wrong"), 422, api.CodeInvalid)
		wantError(t, del(ad.AccessToken, server.DemoPassword), 409, api.CodeConflict) // last admin

		if err := e.srv.Store().Q().Grant(t.Context(), e.demo.Agents[0].ID, api.PermAccount); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, del(ad.AccessToken, server.DemoPassword), 204)
		wantError(t, e.do(req{method: "GET", path: "/v1/me", token: ad.AccessToken}), 401, api.CodeUnauthorized)
		wantError(t, e.do(req{method: "POST", path: "/v1/sessions", body: api.SignInRequest{Login: "admin", Password: server.DemoPassword}}), 401, api.CodeUnauthorized)
		// Now agent1 is the last admin.
		wantError(t, del(ag.AccessToken, server.DemoPassword), http.StatusConflict, api.CodeConflict)
		if auditActions(t, e, "")["account.delete"] != 1 {
			t.Error("no account.delete audit event")
		}
	})
}

func TestIdempotencyKey(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		a := e.agent1()
		h := map[string]string{"If-Match": `"1"`, api.HeaderIdempotencyKey: "k-1"}
		first := e.do(req{method: "PATCH", path: "/v1/me/profile", token: a.AccessToken, header: h, body: api.ProfilePatch{DisplayName: ptr("Bo 1")}})
		wantStatus(t, first, 200)
		again := e.do(req{method: "PATCH", path: "/v1/me/profile", token: a.AccessToken, header: h, body: api.ProfilePatch{DisplayName: ptr("Bo 1")}})
		wantStatus(t, again, 200)
		if string(again.body) != string(first.body) || again.header.Get("Idempotent-Replayed") != "true" || again.header.Get("ETag") != `"2"` {
			t.Fatalf("replay %s %v, first %s", again.body, again.header, first.body)
		}
		var p api.Profile
		e.do(req{method: "GET", path: "/v1/me/profile", token: a.AccessToken}).decode(t, &p)
		if p.Version != 2 {
			t.Fatalf("version %d after a replayed write", p.Version)
		}
		wantError(t, e.do(req{method: "POST", path: "/v1/me/email", token: a.AccessToken, header: map[string]string{api.HeaderIdempotencyKey: "k-1"},
			body: api.EmailChangeRequest{Email: "x@example.com"}}), 422, api.CodeInvalid)
		// Keys are per user.
		b := e.admin()
		wantStatus(t, e.do(req{method: "PATCH", path: "/v1/me/profile", token: b.AccessToken, header: h, body: api.ProfilePatch{DisplayName: ptr("Ada 1")}}), 200)
	})
}

func TestDevOutbox(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		wantStatus(t, e.do(req{method: "POST", path: "/v1/password-resets", body: api.PasswordResetRequest{Login: "agent1", Channel: "sms"}}), 202)
		r := e.do(req{method: "GET", path: "/v1/dev/outbox"})
		wantStatus(t, r, 200)
		var msgs []struct{ To, Body string }
		r.decode(t, &msgs)
		if len(msgs) == 0 || msgs[len(msgs)-1].To != "+46701234502" || !smsCode.MatchString(msgs[len(msgs)-1].Body) {
			t.Fatalf("outbox %+v", msgs)
		}
	})
}
