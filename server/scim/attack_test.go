package scim_test

import (
	"context"
	"testing"
	"time"
)

// TestDisabledOrgSCIMTokenRefused: an operator's "org disable" stops the
// organisation's identity provider too, not only its people's sessions.
func TestDisabledOrgSCIMTokenRefused(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		want(t, e.do("GET", "/scim/v2/Users", e.token, ""), 200)
		if _, err := e.srv.Store().Q().DisableOrg(context.Background(), e.demo.OrgID, time.Now()); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ method, path, body string }{
			{"GET", "/scim/v2/Users", ""},
			{"GET", "/scim/v2/Users/" + e.demo.Agents[0].ID, ""},
			{"POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ghost","emails":[{"value":"ghost@demo.phoneset.test"}]}`},
			{"PATCH", "/scim/v2/Users/" + e.demo.Agents[0].ID, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":true}]}`},
		} {
			if r := e.do(c.method, c.path, e.token, c.body); r.status != 401 {
				t.Errorf("%s %s with a disabled organisation's token: %d %s", c.method, c.path, r.status, r.body)
			}
		}
	})
}
