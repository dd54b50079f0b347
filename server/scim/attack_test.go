package scim_test

import (
	"context"
	"fmt"
	"strings"
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

// TestSCIMPatchBounded: a PATCH with more operations than any identity
// provider sends is refused before it reaches the database, and a
// megabyte of group members (40,000 unknown IDs, which took 4.9 s of
// quadratic work inside the organisation's write transaction) is refused
// with nothing changed.
func TestSCIMPatchBounded(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		patchOp := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[%s]}`
		var ops, members []string
		for i := range 5000 {
			ops = append(ops, `{"op":"replace","path":"displayName","value":"N`+fmt.Sprint(i)+`"}`)
		}
		for i := range 40000 {
			members = append(members, fmt.Sprintf(`{"value":"usr_%06d"}`, i))
		}
		group := "/scim/v2/Groups/opt_demo_sthlm"
		user := "/scim/v2/Users/" + e.demo.Agents[0].ID
		beforeGroup := string(want(t, e.do("GET", group, e.token, ""), 200).body)
		beforeUser := string(want(t, e.do("GET", user, e.token, ""), 200).body)
		for _, c := range []struct{ name, method, path, body string }{
			{"5,000 operations on a user", "PATCH", user, fmt.Sprintf(patchOp, strings.Join(ops, ","))},
			{"5,000 operations on a group", "PATCH", group, fmt.Sprintf(patchOp, strings.Join(ops, ","))},
			{"40,000 members added", "PATCH", group, fmt.Sprintf(patchOp, `{"op":"add","path":"members","value":[`+strings.Join(members, ",")+`]}`)},
			{"40,000 members removed and added", "PATCH", group, fmt.Sprintf(patchOp, `{"op":"remove","path":"members","value":[`+
				strings.Join(members, ",")+`]},{"op":"add","path":"members","value":[`+strings.Join(members, ",")+`]}`)},
			{"40,000 members put", "PUT", group, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Stockholm","members":[` +
				strings.Join(members, ",") + `]}`},
		} {
			if r := e.do(c.method, c.path, e.token, c.body); r.status != 400 || !strings.Contains(string(r.body), "urn:ietf:params:scim:api:messages:2.0:Error") {
				t.Errorf("%s (%d bytes): %d %.300s", c.name, len(c.body), r.status, r.body)
			}
		}
		if after := string(want(t, e.do("GET", group, e.token, ""), 200).body); after != beforeGroup {
			t.Errorf("a refused PATCH changed the group:\n%s\n%s", beforeGroup, after)
		}
		if after := string(want(t, e.do("GET", user, e.token, ""), 200).body); after != beforeUser {
			t.Errorf("a refused PATCH changed the user:\n%s\n%s", beforeUser, after)
		}
		// Membership edits still add, remove and replace as before.
		admin, agent := e.demo.Admins[0].ID, e.demo.Agents[0].ID
		for _, c := range []struct{ ops, want string }{
			{`{"op":"remove","path":"members[value eq \"` + agent + `\"]"}`, admin},
			{`{"op":"add","path":"members","value":[{"value":"` + agent + `"},{"value":"` + agent + `"}]}`, admin + " " + agent},
			{`{"op":"remove","path":"members","value":[{"value":"` + admin + `"}]}`, agent},
			{`{"op":"replace","path":"members","value":[{"value":"` + admin + `"}]},{"op":"add","path":"members","value":[{"value":"` + agent + `"}]}`, admin + " " + agent},
			{`{"op":"remove","path":"members"}`, ""},
			{`{"op":"add","value":{"members":[{"value":"` + admin + `"},{"value":"` + agent + `"}]}}`, admin + " " + agent},
		} {
			g := want(t, e.do("PATCH", group, e.token, fmt.Sprintf(patchOp, c.ops)), 200).json(t)
			var got []string
			for _, m := range g["members"].([]any) {
				got = append(got, m.(map[string]any)["value"].(string))
			}
			if strings.Join(got, " ") != c.want {
				t.Errorf("%s: members %v, want %s", c.ops, got, c.want)
			}
		}
	})
}
