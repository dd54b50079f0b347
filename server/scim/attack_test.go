package scim_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server"
	"github.com/phoneset/phoneset/server/mail"
	"github.com/phoneset/phoneset/server/servertest"
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

// TestErasureLeavesNoTrace: after an admin deletes someone an identity
// provider provisioned (with an externalId) and who came in by invitation,
// no row of any table holds their email addresses, names, externalId or
// user ID, in any case; the audit log keeps what happened under a
// pseudonym.
func TestErasureLeavesNoTrace(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		admin := e.signIn("admin")
		// Invited (the response is kept under its Idempotency-Key), then
		// accepted.
		r := e.doWith("POST", "/v1/org/invitations", admin, `{"email":"Erin.Person@Example.com","display_name":"Erin Person"}`,
			map[string]string{"Idempotency-Key": "invite-erin"})
		want(t, r, 201)
		link := regexp.MustCompile(`psl_[A-Za-z0-9_-]+`).FindString(e.lastMail(t, "Erin.Person@Example.com").Body)
		r = want(t, e.do("POST", "/v1/invitations/accept", "", `{"token":"`+link+`","username":"erinp","password":"Tangerine-Orbit-42","device":"d"}`), 201)
		// The identity provider links it and renames the address.
		rs := resources(t, want(t, e.do("GET", "/scim/v2/Users?filter="+q(`userName eq "erinp"`), e.token, ""), 200))
		if len(rs) != 1 {
			t.Fatalf("found %v", rs)
		}
		id := rs[0]["id"].(string)
		want(t, e.do("PATCH", "/scim/v2/Users/"+id, e.token, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`+
			`{"op":"replace","path":"externalId","value":"ext-erin-4711"},`+
			`{"op":"replace","path":"emails[type eq \"work\"].value","value":"erin.renamed@example.com"},`+
			`{"op":"replace","path":"userName","value":"ERIN.Renamed@example.com"}]}`), 200)
		// A mistyped sign-in and a reset request by address.
		e.do("POST", "/v1/sessions", "", `{"login":"Erin.Renamed@Example.com","password":"wrong"}`)
		e.do("POST", "/v1/password-resets", "", `{"login":"erin.renamed@example.com"}`)

		want(t, e.do("DELETE", "/v1/org/users/"+id, admin, `{"password":"`+server.DemoPassword+`"}`), 204)
		personal := []string{"erin.person@example.com", "erin.renamed@example.com", "erin person", "erinp", "ext-erin-4711", id}
		for _, hit := range e.scanTables(t, personal) {
			t.Error(hit)
		}
	})
}

// scanTables lists every cell of every table that holds one of needles,
// compared without case.
func (e *env) scanTables(t *testing.T, needles []string) []string {
	t.Helper()
	st := e.srv.Store()
	var hits []string
	for _, tb := range servertest.Tables(t, st) {
		cols, rows := servertest.Rows(t, st, tb)
		for _, vals := range rows {
			for i, v := range vals {
				var s string
				switch x := v.(type) {
				case []byte:
					s = string(x)
				case string:
					s = x
				default:
					continue
				}
				for _, n := range needles {
					if strings.Contains(strings.ToLower(s), strings.ToLower(n)) {
						hits = append(hits, fmt.Sprintf("%s.%s holds %q: %.200s", tb, cols[i], n, s))
					}
				}
			}
		}
	}
	return hits
}

func (e *env) lastMail(t *testing.T, to string) mail.Message {
	t.Helper()
	m, ok := e.srv.Outbox().Last(to)
	if !ok {
		t.Fatalf("no mail to %s", to)
	}
	return m
}

// TestSCIMTokenCannotTakeOverAnAdmin: a stolen SCIM token cannot point
// the owner's or another admin's address somewhere else (from where "forgot
// password" would take the account), by PATCH or by PUT; a member's new
// address, also a former admin's, is told to both addresses.
func TestSCIMTokenCannotTakeOverAnAdmin(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		q := e.srv.Store().Q()
		owner, admin, agent := e.demo.Admins[0].ID, e.demo.Agents[1].ID, e.demo.Agents[0].ID
		if err := q.Grant(ctx, admin, api.PermAccount); err != nil {
			t.Fatal(err)
		}
		patch := func(id, email string) resp {
			return e.do("PATCH", "/scim/v2/Users/"+id, e.token, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[`+
				`{"op":"replace","path":"emails[type eq \"work\"].value","value":"`+email+`"}]}`)
		}
		put := func(id, email string) resp {
			u, err := q.UserByID(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return e.do("PUT", "/scim/v2/Users/"+id, e.token, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"`+u.Username+
				`","name":{"givenName":"`+u.FirstName+`","familyName":"`+u.LastName+`"},"displayName":"`+u.DisplayName+
				`","emails":[{"type":"work","primary":true,"value":"`+email+`"}],"active":true}`)
		}
		for _, tt := range []struct {
			name  string
			id    string
			write func(id, email string) resp
		}{
			{"owner, PATCH", owner, patch},
			{"owner, PUT", owner, put},
			{"admin, PATCH", admin, patch},
			{"admin, PUT", admin, put},
		} {
			u, err := q.UserByID(ctx, tt.id)
			if err != nil {
				t.Fatal(err)
			}
			if r := tt.write(tt.id, "taken@evil.example"); r.status != 400 || !strings.Contains(string(r.body), "emails") {
				t.Errorf("%s: %d %s", tt.name, r.status, r.body)
			}
			if after, err := q.UserByID(ctx, tt.id); err != nil || after.Email != u.Email {
				t.Fatalf("%s: address now %q (%v), was %q", tt.name, after.Email, err, u.Email)
			}
		}
		// Once no longer an admin, the provider manages the address again.
		if _, err := q.Revoke(ctx, admin, api.PermAccount); err != nil {
			t.Fatal(err)
		}
		for id, email := range map[string]string{agent: "bo.new@example.com", admin: "former.admin@example.com"} {
			u, err := q.UserByID(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			want(t, patch(id, email), 200)
			for _, to := range []string{u.Email, email} {
				if m := e.lastMail(t, to); !strings.Contains(m.Body, email) {
					t.Errorf("mail to %s: %+v", to, m)
				}
			}
		}
	})
}
