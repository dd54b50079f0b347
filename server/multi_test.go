package server_test

import (
	"path/filepath"
	"testing"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server"
	"github.com/phoneset/phoneset/server/servertest"
)

// TestTwoServersOneDatabase runs two Server instances on one database, as
// two processes behind a load balancer would, and checks they agree.
func TestTwoServersOneDatabase(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		db := "sqlite:" + filepath.Join(t.TempDir(), "shared.db")
		if onPostgres(t) {
			db = servertest.PostgresDB(t)
		}
		secret := []byte("a shared secret of at least thirty-two bytes")
		a := newEnvWith(t, server.Config{DB: db, Secret: secret})
		b := newEnvWith(t, server.Config{DB: db, Secret: secret})
		if b.demo.OrgName != a.demo.OrgName {
			t.Fatalf("second server sees demo %+v", b.demo)
		}

		tok := a.agent1()
		var me api.Me
		b.do(req{method: "GET", path: "/v1/me", token: tok.AccessToken}).decode(t, &me)
		if me.Profile.DisplayName != "Bo Agent" {
			t.Fatalf("B: %+v", me.Profile)
		}

		// Edit via A, read via B (including B's cached GET /v1/me).
		wantStatus(t, a.do(req{method: "PATCH", path: "/v1/me/profile", token: tok.AccessToken, header: ifMatch(1),
			body: api.ProfilePatch{DisplayName: ptr("Bo via A")}}), 200)
		me = api.Me{}
		b.do(req{method: "GET", path: "/v1/me", token: tok.AccessToken}).decode(t, &me)
		if me.Profile.DisplayName != "Bo via A" || me.Profile.Version != 2 {
			t.Fatalf("B after A's edit: %+v", me.Profile)
		}

		// A stale write via B is refused and changes nothing.
		wantError(t, b.do(req{method: "PATCH", path: "/v1/me/profile", token: tok.AccessToken, header: ifMatch(1),
			body: api.ProfilePatch{DisplayName: ptr("Bo via B")}}), 412, api.CodeStale)
		var p api.Profile
		a.do(req{method: "GET", path: "/v1/me/profile", token: tok.AccessToken}).decode(t, &p)
		if p.DisplayName != "Bo via A" || p.Version != 2 {
			t.Fatalf("after B's stale write: %+v", p)
		}

		// A session revoked via A is refused by B at once.
		other := b.agent1()
		wantStatus(t, a.do(req{method: "DELETE", path: "/v1/me/sessions/" + other.SessionID, token: tok.AccessToken}), 204)
		wantError(t, b.do(req{method: "GET", path: "/v1/me", token: other.AccessToken}), 401, api.CodeUnauthorized)

		// The API key regenerated via A: B refuses the old one and can
		// reveal the new one (same sealing secret).
		var k1, k2 api.APIKey
		a.do(req{method: "POST", path: "/v1/me/api-key/reveal", token: tok.AccessToken, body: api.PasswordProof{Password: server.DemoPassword}}).decode(t, &k1)
		a.do(req{method: "POST", path: "/v1/me/api-key/regenerate", token: tok.AccessToken, body: api.PasswordProof{Password: server.DemoPassword}}).decode(t, &k2)
		wantError(t, b.do(req{method: "GET", path: "/v1/me", header: map[string]string{"X-API-Key": k1.Key}}), 401, api.CodeUnauthorized)
		var k3 api.APIKey
		b.do(req{method: "POST", path: "/v1/me/api-key/reveal", token: tok.AccessToken, body: api.PasswordProof{Password: server.DemoPassword}}).decode(t, &k3)
		if k3.Key != k2.Key || k2.Key == "" {
			t.Fatalf("B revealed %q, A made %q", k3.Key, k2.Key)
		}

		// Sign-in throttling is counted in the database: failures on
		// both servers add up.
		bad := api.SignInRequest{Login: "agent2", Password: "Wrong-Password-1"}
		for i := range 5 {
			srv := a
			if i%2 == 1 {
				srv = b
			}
			wantError(t, srv.do(req{method: "POST", path: "/v1/sessions", body: bad}), 401, api.CodeUnauthorized)
		}
		wantError(t, a.do(req{method: "POST", path: "/v1/sessions", body: api.SignInRequest{Login: "agent2", Password: server.DemoPassword}}), 429, api.CodeRateLimited)
		wantError(t, b.do(req{method: "POST", path: "/v1/sessions", body: api.SignInRequest{Login: "agent2", Password: server.DemoPassword}}), 429, api.CodeRateLimited)
	})
}
