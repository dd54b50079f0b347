package scim_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/internal/testenv"
	"github.com/phoneset/phoneset/server"
	_ "github.com/phoneset/phoneset/server/scim"
	"github.com/phoneset/phoneset/server/servertest"
	"github.com/phoneset/phoneset/server/store"
)

// env is a running backend with SCIM linked in and a SCIM token of the
// demo organisation.
type env struct {
	t     testing.TB
	srv   *server.Server
	base  string
	demo  server.Demo
	token string // the demo organisation's SCIM token
}

// eachDB runs fn on SQLite and on PostgreSQL (skipped unless
// PHONESET_TEST_PG_DSN is set).
func eachDB(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, newEnv(t, "")) })
	t.Run("postgres", func(t *testing.T) {
		testenv.Require(t, servertest.PostgresEnv, "PostgreSQL")
		fn(t, newEnv(t, servertest.PostgresDB(t)))
	})
}

func newEnv(t testing.TB, db string) *env {
	srv, base, demo := servertest.NewWith(t, server.Config{DB: db})
	e := &env{t: t, srv: srv, base: base, demo: demo}
	e.token = e.newToken(e.signIn("admin"), "Entra ID")
	return e
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body %q: %v", r.body, err)
	}
	return m
}

func (e *env) do(method, path, token, body string) resp {
	e.t.Helper()
	return e.doWith(method, path, token, body, nil)
}

// doWith is do with extra request headers.
func (e *env) doWith(method, path, token, body string, header map[string]string) resp {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.base+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
		if !strings.HasPrefix(path, "/scim/") {
			req.Header.Set("Content-Type", "application/json")
		}
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{res.StatusCode, res.Header, b}
}

// want fails unless r has status.
func want(t testing.TB, r resp, status int) resp {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	return r
}

func (e *env) signIn(login string) string {
	b, _ := json.Marshal(api.SignInRequest{Login: login, Password: server.DemoPassword, Device: "scim test"})
	r := want(e.t, e.do("POST", "/v1/sessions", "", string(b)), 201)
	var tok api.Tokens
	json.Unmarshal(r.body, &tok)
	return tok.AccessToken
}

func (e *env) newToken(session, name string) string {
	r := want(e.t, e.do("POST", "/v1/org/scim/tokens", session, `{"name":"`+name+`"}`), 201)
	var c api.SCIMTokenCreated
	json.Unmarshal(r.body, &c)
	if !strings.HasPrefix(c.Secret, "pst_") || c.Token.ID == "" {
		e.t.Fatalf("created %+v", c)
	}
	return c.Secret
}

// otherOrg adds a second organisation with one admin and returns a SCIM
// token of it.
func (e *env) otherOrg() string {
	ctx := context.Background()
	demoAdmin, err := e.srv.Store().Q().UserByLogin(ctx, "admin")
	if err != nil {
		e.t.Fatal(err)
	}
	now := time.Now()
	err = e.srv.Store().Tx(ctx, func(q store.Q) error {
		if err := q.CreateOrg(ctx, &store.Org{ID: "org_b", DisplayName: "Org B", TimeZone: "Europe/Oslo", Language: "en", CycleDay: 1, CreatedAt: now}); err != nil {
			return err
		}
		if err := q.CreateUser(ctx, &store.User{ID: "usr_b_admin", OrgID: "org_b", Username: "badmin", Email: "admin@b.example",
			PasswordHash: demoAdmin.PasswordHash, PasswordChangedAt: now, DisplayName: "Bea B", Language: "en", TimeZone: "Europe/Oslo",
			Availability: api.Offline, StatusChangedAt: now, CreatedAt: now}); err != nil {
			return err
		}
		return q.Grant(ctx, "usr_b_admin", api.PermAccount)
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return e.newToken(e.signIn("badmin"), "Okta")
}

func resources(t *testing.T, r resp) []map[string]any {
	t.Helper()
	m := r.json(t)
	var out []map[string]any
	list, _ := m["Resources"].([]any)
	for _, it := range list {
		out = append(out, it.(map[string]any))
	}
	return out
}

// audit is the demo organisation's audit log, oldest first.
func (e *env) audit() []api.AuditEvent {
	evs, err := e.srv.Store().Q().OrgAudit(context.Background(), store.OrgAuditFilter{OrgID: e.demo.OrgID, Limit: 500})
	if err != nil {
		e.t.Fatal(err)
	}
	for i, j := 0, len(evs)-1; i < j; i, j = i+1, j-1 {
		evs[i], evs[j] = evs[j], evs[i]
	}
	return evs
}

func TestOnlyALiveSCIMTokenIsLetIn(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		admin := e.signIn("admin")
		revoked := e.newToken(admin, "Old")
		var list api.SCIMTokens
		json.Unmarshal(want(t, e.do("GET", "/v1/org/scim/tokens", admin, ""), 200).body, &list)
		if !list.Available || list.Path != "/scim/v2" || len(list.Tokens) != 2 {
			t.Fatalf("tokens %+v", list)
		}
		want(t, e.do("DELETE", "/v1/org/scim/tokens/"+list.Tokens[1].ID, admin, ""), 204)
		want(t, e.do("DELETE", "/v1/org/scim/tokens/"+list.Tokens[1].ID, admin, ""), 404)
		for name, tok := range map[string]string{
			"none": "", "admin session": admin, "agent session": e.signIn("agent1"),
			"revoked": revoked, "made up": "pst_" + strings.Repeat("A", 43),
		} {
			r := e.do("GET", "/scim/v2/Users", tok, "")
			if r.status != 401 || !strings.Contains(string(r.body), "urn:ietf:params:scim:api:messages:2.0:Error") {
				t.Errorf("%s: %d %s", name, r.status, r.body)
			}
		}
		want(t, e.do("GET", "/scim/v2/Users", e.token, ""), 200)
		// Agents cannot manage tokens.
		want(t, e.do("POST", "/v1/org/scim/tokens", e.signIn("agent1"), `{"name":"x"}`), 403)
	})
}

func TestTenantIsolation(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		other := e.otherOrg()
		rs := resources(t, want(t, e.do("GET", "/scim/v2/Users", other, ""), 200))
		if len(rs) != 1 || rs[0]["userName"] != "badmin" {
			t.Fatalf("org B sees %v", rs)
		}
		agent := e.demo.Agents[0].ID
		want(t, e.do("GET", "/scim/v2/Users/"+agent, other, ""), 404)
		want(t, e.do("PATCH", "/scim/v2/Users/"+agent, other,
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"Taken Over"}]}`), 404)
		want(t, e.do("PUT", "/scim/v2/Users/"+agent, other,
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"x","emails":[{"value":"x@b.example"}]}`), 404)
		want(t, e.do("GET", "/scim/v2/Groups/opt_demo_sthlm", other, ""), 404)
		want(t, e.do("PATCH", "/scim/v2/Groups/opt_demo_sthlm", other,
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"usr_b_admin"}]}]}`), 404)
		if got := resources(t, want(t, e.do("GET", "/scim/v2/Users?filter="+q(`userName eq "agent1"`), other, ""), 200)); len(got) != 0 {
			t.Fatalf("org B finds %v", got)
		}
		// Org A's token cannot put org B's people into its groups.
		want(t, e.do("PATCH", "/scim/v2/Groups/opt_demo_sthlm", e.token,
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"usr_b_admin"}]}]}`), 400)
		r := want(t, e.do("GET", "/scim/v2/Users/"+agent, e.token, ""), 200).json(t)
		if r["displayName"] == "Taken Over" {
			t.Fatal("org B changed org A")
		}
	})
}

func q(s string) string { return strings.NewReplacer(" ", "%20", `"`, "%22").Replace(s) }

// TestRFC7644Examples sends the requests of RFC 7644's examples (sections
// 3.3, 3.4.2, 3.5.1, 3.5.2) as they are written there.
func TestRFC7644Examples(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		// 3.3: the example has no email, which every Phoneset account has.
		r := want(t, e.do("POST", "/scim/v2/Users", e.token, `{
     "schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
     "userName":"bjensen",
     "externalId":"bjensen",
     "name":{
       "formatted":"Ms. Barbara J Jensen III",
       "familyName":"Jensen",
       "givenName":"Barbara"
     }
   }`), 400)
		if !strings.Contains(string(r.body), "invalidValue") || !strings.Contains(string(r.body), "emails") {
			t.Fatalf("no email: %s", r.body)
		}
		// ... and with the address of RFC 7643's full example.
		r = want(t, e.do("POST", "/scim/v2/Users", e.token, `{
     "schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
     "userName":"bjensen",
     "externalId":"bjensen",
     "name":{
       "formatted":"Ms. Barbara J Jensen III",
       "familyName":"Jensen",
       "givenName":"Barbara"
     },
     "emails":[{"value":"bjensen@example.com","type":"work","primary":true}]
   }`), 201)
		u := r.json(t)
		id, _ := u["id"].(string)
		if u["userName"] != "bjensen" || u["displayName"] != "Barbara Jensen" || u["externalId"] != "bjensen" || u["active"] != true ||
			!strings.HasSuffix(r.header.Get("Location"), "Users/"+id) {
			t.Fatalf("created %v (Location %s)", u, r.header.Get("Location"))
		}
		// The same userName again is a uniqueness conflict.
		r = want(t, e.do("POST", "/scim/v2/Users", e.token, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
			"userName":"BJensen","emails":[{"value":"other@example.com"}]}`), 409)
		if !strings.Contains(string(r.body), "uniqueness") {
			t.Fatalf("conflict %s", r.body)
		}

		// 3.4.2.2: filtering.
		rs := resources(t, want(t, e.do("GET", "/scim/v2/Users?filter="+q(`userName Eq "bjensen"`), e.token, ""), 200))
		if len(rs) != 1 || rs[0]["id"] != id {
			t.Fatalf("userName eq: %v", rs)
		}
		rs = resources(t, want(t, e.do("GET", "/scim/v2/Users?filter="+q(`name.familyName co "O'Malley"`), e.token, ""), 200))
		if len(rs) != 0 {
			t.Fatalf("familyName co: %v", rs)
		}
		rs = resources(t, want(t, e.do("GET", "/scim/v2/Users?filter="+q(`emails[type eq "work" and value co "@example.com"]`), e.token, ""), 200))
		if len(rs) != 1 || rs[0]["id"] != id {
			t.Fatalf("emails co: %v", rs)
		}
		want(t, e.do("GET", "/scim/v2/Users?filter="+q(`userName eq`), e.token, ""), 400)

		// 3.4.2.4: paging, 1-based.
		all := resources(t, want(t, e.do("GET", "/scim/v2/Users", e.token, ""), 200))
		m := want(t, e.do("GET", "/scim/v2/Users?startIndex=2&count=2", e.token, ""), 200).json(t)
		pg := resources(t, want(t, e.do("GET", "/scim/v2/Users?startIndex=2&count=2", e.token, ""), 200))
		if int(m["totalResults"].(float64)) != len(all) || m["startIndex"].(float64) != 2 || len(pg) != 2 || pg[0]["id"] != all[1]["id"] {
			t.Fatalf("page %v of %d", m, len(all))
		}

		// 3.5.1: replacing with PUT.
		r = want(t, e.do("PUT", "/scim/v2/Users/"+id, e.token, `{
     "schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
     "id":"`+id+`",
     "userName":"bjensen",
     "externalId":"bjensen",
     "name":{
       "formatted":"Ms. Barbara J Jensen III",
       "familyName":"Jensen",
       "givenName":"Barbara",
       "middleName":"Jane"
     },
     "roles":[],
     "emails":[
       {
           "value":"bjensen@example.com"
       },
       {
           "value":"babs@jensen.org"
       }
     ]
   }`), 200)
		if got := r.json(t); got["userName"] != "bjensen" || got["emails"].([]any)[0].(map[string]any)["value"] != "bjensen@example.com" {
			t.Fatalf("replaced %v", got)
		}

		// 3.5.2.3: replace with no path.
		r = want(t, e.do("PATCH", "/scim/v2/Users/"+id, e.token, `{
     "schemas":
       ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
     "Operations":[{
       "op":"replace",
       "value":{
         "emails":[
           {
             "value":"bjensen@example.com",
             "type":"work",
             "primary":true
           },
           {
             "value":"babs@jensen.org",
             "type":"home"
           }
         ],
         "nickName":"Babs"
     }
     }]
   }`), 200)

		// 3.5.2.1 and 3.5.2.2: group members added and removed.
		add := `{
     "schemas":
       ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
     "Operations":[
       {
        "op":"add",
        "path":"members",
        "value":[
         {
           "display": "Babs Jensen",
           "$ref":
   "https://example.com/v2/Users/` + id + `",
           "value": "` + id + `"
         }
        ]
       }
     ]
   }`
		g := want(t, e.do("PATCH", "/scim/v2/Groups/opt_demo_malmo", e.token, add), 200).json(t)
		if !hasMember(g, id) {
			t.Fatalf("after add %v", g)
		}
		g = want(t, e.do("PATCH", "/scim/v2/Groups/opt_demo_malmo", e.token, `{
     "schemas":
      ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
     "Operations":[{
       "op":"remove",
       "path":"members[value eq \"`+id+`\"]"
     }]
   }`), 200).json(t)
		if hasMember(g, id) || !hasMember(g, e.demo.Agents[1].ID) {
			t.Fatalf("after remove %v", g)
		}
		// 3.5.2.2: all members removed.
		g = want(t, e.do("PATCH", "/scim/v2/Groups/opt_demo_malmo", e.token, `{
     "schemas":
       ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
     "Operations":[{
       "op":"remove","path":"members"
     }]
   }`), 200).json(t)
		if len(g["members"].([]any)) != 0 {
			t.Fatalf("after remove all %v", g)
		}
		want(t, e.do("DELETE", "/scim/v2/Groups/opt_demo_malmo", e.token, ""), 400)
		want(t, e.do("GET", "/scim/v2/Users/usr_nobody", e.token, ""), 404)
	})
}

func hasMember(g map[string]any, id string) bool {
	ms, _ := g["members"].([]any)
	for _, m := range ms {
		if m.(map[string]any)["value"] == id {
			return true
		}
	}
	return false
}

// TestEntraProvisioning replays what Entra ID's provisioning service
// sends for a new user and a group: a lookup by userName, a create with
// enterprise attributes, PATCHes with capitalised ops and string
// booleans.
func TestEntraProvisioning(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		patch := func(path, ops string, status int) map[string]any {
			t.Helper()
			r := want(t, e.do("PATCH", path, e.token, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":`+ops+`}`), status)
			if status != 200 {
				return nil
			}
			return r.json(t)
		}
		rs := resources(t, want(t, e.do("GET", "/scim/v2/Users?filter="+q(`userName eq "Ann.Berg@contoso.com"`), e.token, ""), 200))
		if len(rs) != 0 {
			t.Fatalf("found %v", rs)
		}
		r := want(t, e.do("POST", "/scim/v2/Users", e.token, `{
			"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
			"externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
			"userName": "Ann.Berg@contoso.com",
			"active": true,
			"displayName": "Ann Berg",
			"emails": [{"primary": true, "type": "work", "value": "Ann.Berg@contoso.com"}],
			"meta": {"resourceType": "User"},
			"name": {"formatted": "Ann Berg", "familyName": "Berg", "givenName": "Ann"},
			"title": "Agent",
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Support"}
		}`), 201).json(t)
		id := r["id"].(string)
		rs = resources(t, want(t, e.do("GET", "/scim/v2/Users?filter="+q(`userName eq "ann.berg@contoso.com"`), e.token, ""), 200))
		if len(rs) != 1 || rs[0]["id"] != id {
			t.Fatalf("lookup after create %v", rs)
		}
		u, err := e.srv.Store().Q().UserByID(context.Background(), id)
		if err != nil || u.Username != "Ann.Berg" || u.Email != "Ann.Berg@contoso.com" || u.FirstName != "Ann" {
			t.Fatalf("stored %+v %v", u, err)
		}
		got := patch("/scim/v2/Users/"+id, `[
			{"op": "Replace", "path": "displayName", "value": "Ann B. Berg"},
			{"op": "Add", "path": "title", "value": "Team lead"},
			{"op": "Replace", "path": "name.familyName", "value": "Berg-Ek"},
			{"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "ann.berg-ek@contoso.com"},
			{"op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "Sales"},
			{"op": "Replace", "path": "externalId", "value": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"}
		]`, 200)
		if got["displayName"] != "Ann B. Berg" || got["name"].(map[string]any)["familyName"] != "Berg-Ek" ||
			got["emails"].([]any)[0].(map[string]any)["value"] != "ann.berg-ek@contoso.com" {
			t.Fatalf("patched %v", got)
		}
		// Audited with old and new values, naming the token.
		var seen []string
		for _, ev := range e.audit() {
			if ev.Action == "scim.user.update" && ev.Actor == "SCIM: Entra ID" {
				seen = append(seen, ev.Field+":"+ev.Old+"->"+ev.New)
			}
		}
		if strings.Join(seen, ",") != "last_name:Berg->Berg-Ek,display_name:Ann Berg->Ann B. Berg,email:Ann.Berg@contoso.com->ann.berg-ek@contoso.com" {
			t.Fatalf("audit %v", seen)
		}
		// A string that is no boolean is refused.
		patch("/scim/v2/Users/"+id, `[{"op": "Replace", "path": "active", "value": "Maybe"}]`, 400)

		// Groups: found by displayName, members added and removed with
		// the member in the value.
		gs := resources(t, want(t, e.do("GET", "/scim/v2/Groups?filter="+q(`displayName eq "Stockholm"`), e.token, ""), 200))
		if len(gs) != 1 || gs[0]["id"] != "opt_demo_sthlm" {
			t.Fatalf("group lookup %v", gs)
		}
		want(t, e.do("POST", "/scim/v2/Groups", e.token, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Stockholm"}`), 409)
		want(t, e.do("POST", "/scim/v2/Groups", e.token, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Oslo"}`), 400)
		g := patch("/scim/v2/Groups/opt_demo_sthlm", `[{"op": "Add", "path": "members", "value": [{"value": "`+id+`"}]}]`, 200)
		if !hasMember(g, id) {
			t.Fatalf("group %v", g)
		}
		u2 := want(t, e.do("GET", "/scim/v2/Users/"+id, e.token, ""), 200).json(t)
		if gr := u2["groups"].([]any); len(gr) != 1 || gr[0].(map[string]any)["value"] != "opt_demo_sthlm" {
			t.Fatalf("user groups %v", u2["groups"])
		}
		g = patch("/scim/v2/Groups/opt_demo_sthlm", `[{"op": "Remove", "path": "members", "value": [{"value": "`+id+`"}]}]`, 200)
		if hasMember(g, id) || len(g["members"].([]any)) != 2 {
			t.Fatalf("group after remove %v", g)
		}

		// Deactivation as Entra sends it ends a signed-in agent's
		// session at once; reactivation lets them sign in again.
		agent := e.demo.Agents[0].ID
		session := e.signIn("agent1")
		want(t, e.do("GET", "/v1/me", session, ""), 200)
		got = patch("/scim/v2/Users/"+agent, `[{"op": "Replace", "path": "active", "value": "False"}]`, 200)
		if got["active"] != false {
			t.Fatalf("after active False: %v", got)
		}
		want(t, e.do("GET", "/v1/me", session, ""), 401)
		want(t, e.do("POST", "/v1/sessions", "", `{"login":"agent1","password":"`+server.DemoPassword+`","device":"t"}`), 401)
		if rs := resources(t, want(t, e.do("GET", "/scim/v2/Users?filter="+q(`active eq false`), e.token, ""), 200)); len(rs) != 1 || rs[0]["id"] != agent {
			t.Fatalf("active eq false: %v", rs)
		}
		got = patch("/scim/v2/Users/"+agent, `[{"op": "Replace", "path": "active", "value": "True"}]`, 200)
		if got["active"] != true {
			t.Fatalf("after active True: %v", got)
		}
		e.signIn("agent1")
		var acts []string
		for _, ev := range e.audit() {
			if ev.Resource == "user/"+agent+"/active" {
				acts = append(acts, ev.Action+":"+ev.Old+"->"+ev.New)
			}
		}
		if acts[0] != "user.deactivate:true->false" || acts[len(acts)-1] != "user.reactivate:false->true" {
			t.Errorf("audit %v", acts)
		}
		// DELETE deactivates too; the owner cannot be.
		want(t, e.do("DELETE", "/scim/v2/Users/"+id, e.token, ""), 204)
		if u := want(t, e.do("GET", "/scim/v2/Users/"+id, e.token, ""), 200).json(t); u["active"] != false {
			t.Fatalf("after DELETE %v", u)
		}
		r2 := e.do("PATCH", "/scim/v2/Users/"+e.demo.Admins[0].ID, e.token,
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`)
		if r2.status != 400 && r2.status != 409 {
			t.Errorf("owner deactivated: %d %s", r2.status, r2.body)
		}
	})
}

// TestHostileSCIM sends hostile requests with a valid token: each
// refusal is a SCIM error that changes nothing, and accepted oddities are
// stored and served back exactly.
func TestHostileSCIM(t *testing.T) {
	eachDB(t, func(t *testing.T, e *env) {
		agent := e.demo.Agents[1].ID
		patch := func(ops string) resp {
			return e.do("PATCH", "/scim/v2/Users/"+agent, e.token, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":`+ops+`}`)
		}
		before := want(t, e.do("GET", "/scim/v2/Users/"+agent, e.token, ""), 200).json(t)
		for _, c := range []struct {
			name   string
			r      resp
			status int
		}{
			{"bell in a name", patch(`[{"op":"replace","path":"displayName","value":"Cy\u0007"}]`), 400},
			{"text direction override", patch(`[{"op":"replace","path":"name.givenName","value":"Cy\u202e"}]`), 400},
			{"65-character name", patch(`[{"op":"replace","path":"displayName","value":"` + strings.Repeat("é", 65) + `"}]`), 400},
			{"257-character userName", patch(`[{"op":"replace","path":"userName","value":"` + strings.Repeat("a", 257) + `"}]`), 400},
			{"no address", patch(`[{"op":"remove","path":"emails"}]`), 400},
			{"not an address", patch(`[{"op":"replace","path":"emails[type eq \"work\"].value","value":"x' OR '1'='1"}]`), 400},
			{"someone else's address", patch(`[{"op":"replace","path":"emails[type eq \"work\"].value","value":"ADMIN@demo.phoneset.test"}]`), 409},
			{"unknown op", patch(`[{"op":"move","path":"displayName","value":"x"}]`), 400},
			{"bad path", patch(`[{"op":"replace","path":"name[","value":"x"}]`), 400},
			{"not JSON", e.do("PATCH", "/scim/v2/Users/"+agent, e.token, `{"schemas":`), 400},
			{"no schemas", e.do("PATCH", "/scim/v2/Users/"+agent, e.token, `{"Operations":[{"op":"replace","path":"displayName","value":"x"}]}`), 400},
			{"over a megabyte", e.do("POST", "/scim/v2/Users", e.token, `{"userName":"`+strings.Repeat("a", 1<<20)+`"}`), 400},
			{"bad filter", e.do("GET", "/scim/v2/Users?filter="+q(`userName eq "x" and (`), e.token, ""), 400},
		} {
			if c.r.status != c.status || !strings.Contains(string(c.r.body), "urn:ietf:params:scim:api:messages:2.0:Error") {
				t.Errorf("%s: %d %s, want %d and a SCIM error", c.name, c.r.status, c.r.body, c.status)
			}
		}
		if r := e.do("GET", "/scim/v2/../v1/me", e.token, ""); r.status != 401 && r.status != 404 {
			t.Errorf("a SCIM token outside SCIM: %d %s", r.status, r.body)
		}
		after := want(t, e.do("GET", "/scim/v2/Users/"+agent, e.token, ""), 200).json(t)
		a, _ := json.Marshal(before)
		b, _ := json.Marshal(after)
		if string(a) != string(b) {
			t.Errorf("refusals changed the user:\n%s\n%s", a, b)
		}
		// Injection in a filter finds nobody; markup and formulas are text.
		if rs := resources(t, want(t, e.do("GET", "/scim/v2/Users?filter="+q(`userName eq "x' OR '1'='1"`), e.token, ""), 200)); len(rs) != 0 {
			t.Errorf("injection found %v", rs)
		}
		for _, s := range []string{"<script>alert(1)</script>", `=HYPERLINK("http://x","y")`, "Robert'); DROP TABLE users;--"} {
			v, _ := json.Marshal(s)
			got := want(t, patch(`[{"op":"replace","path":"displayName","value":`+string(v)+`}]`), 200).json(t)
			u, err := e.srv.Store().Q().UserByID(context.Background(), agent)
			if got["displayName"] != s || err != nil || u.DisplayName != s {
				t.Errorf("%q: served %v, stored %q", s, got["displayName"], u.DisplayName)
			}
		}
		// A hostile token name is refused like any name.
		r := e.do("POST", "/v1/org/scim/tokens", e.signIn("admin"), `{"name":"Entra\u001b[2J"}`)
		if r.status != 422 {
			t.Errorf("token name with an escape: %d %s", r.status, r.body)
		}
	})
}
