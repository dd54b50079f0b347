package server_test

import (
	"testing"

	"github.com/phoneset/phoneset/api"
)

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
