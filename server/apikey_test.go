package server_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server"
)

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

// TestAPIKeyRegenerateLimited allows five new keys an hour per user.
func TestAPIKeyRegenerateLimited(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e, clk := newClockEnv(t)
		regenerate := func(tok string) resp {
			return e.do(req{method: "POST", path: "/v1/me/api-key/regenerate", token: tok, body: api.PasswordProof{Password: server.DemoPassword}})
		}
		a := e.agent1()
		for range 5 {
			wantStatus(t, regenerate(a.AccessToken), 200)
		}
		r := regenerate(a.AccessToken)
		wantError(t, r, http.StatusTooManyRequests, api.CodeRateLimited)
		secs, err := strconv.Atoi(r.header.Get("Retry-After"))
		if err != nil || secs <= 0 || secs > 3600 {
			t.Fatalf("Retry-After = %q", r.header.Get("Retry-After"))
		}
		// A new session of the same user shares the count; other users do not.
		wantError(t, regenerate(e.agent1().AccessToken), http.StatusTooManyRequests, api.CodeRateLimited)
		wantStatus(t, regenerate(e.admin().AccessToken), 200)
		if n := auditActions(t, e, "user/"+e.demo.Agents[0].ID+"/api-key")["api_key.regenerate"]; n != 5 {
			t.Fatalf("%d regenerations audited, want 5", n)
		}
		clk.Add(time.Duration(secs) * time.Second)
		wantStatus(t, regenerate(e.agent1().AccessToken), 200)
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
