package scim_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"net/url"
)

// FuzzSCIMRequests sends any body to the SCIM routes that decode one
// (create, replace and patch of users and groups) and any filter to the
// lists: no input may cause a 5xx, and every refusal is a SCIM error.
func FuzzSCIMRequests(f *testing.F) {
	for _, seed := range []string{
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"name.givenName":"A","emails[type eq \"work\"].value":"a@example.com"}}]}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \"usr_demo_agent1\"]"}]}`,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"x@example.com","emails":[{"value":"x@example.com"}],"active":"true"}`,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Stockholm","members":[{"value":"usr_demo_admin"}]}`,
	} {
		f.Add(seed, `userName eq "agent1"`)
	}
	f.Add(`{}`, `emails[type eq "work" and value co "@"] or not (active eq false)`)
	f.Add(`{}`, "\x00") // a NUL in the query, refused before SCIM's handler: found by this fuzzer
	e := newEnv(f, "")
	client := &http.Client{Timeout: 10 * time.Second}
	f.Fuzz(func(t *testing.T, body, filter string) {
		for _, c := range []struct{ method, path string }{
			{"POST", "/scim/v2/Users"}, {"PUT", "/scim/v2/Users/usr_demo_agent2"}, {"PATCH", "/scim/v2/Users/usr_demo_agent2"},
			{"POST", "/scim/v2/Groups"}, {"PUT", "/scim/v2/Groups/opt_demo_malmo"}, {"PATCH", "/scim/v2/Groups/opt_demo_malmo"},
			{"GET", "/scim/v2/Users?filter=" + url.QueryEscape(filter)}, {"GET", "/scim/v2/Groups?filter=" + url.QueryEscape(filter)},
		} {
			req, err := http.NewRequest(c.method, e.base+c.path, strings.NewReader(body))
			if err != nil {
				continue
			}
			req.Header.Set("Authorization", "Bearer "+e.token)
			req.Header.Set("Content-Type", "application/scim+json")
			res, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode >= 500 {
				t.Fatalf("%s %s: %d %s", c.method, c.path, res.StatusCode, b)
			}
			if res.StatusCode >= 400 && !strings.Contains(string(b), "urn:ietf:params:scim:api:messages:2.0:Error") {
				t.Fatalf("%s %s: %d without a SCIM error: %s", c.method, c.path, res.StatusCode, b)
			}
		}
	})
}
