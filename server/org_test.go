package server_test

import (
	"bytes"
	"fmt"
	"image/jpeg"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server"
	"github.com/phoneset/phoneset/server/servertest"
)

// orgGet fetches an admin resource into v and returns its ETag version
// (0 when it has none).
func orgGet[T any](t *testing.T, e *env, tok api.Tokens, path string) (T, int64) {
	t.Helper()
	var v T
	r := e.do(req{method: "GET", path: path, token: tok.AccessToken})
	wantStatus(t, r, 200)
	r.decode(t, &v)
	version, _ := api.ParseETag(r.header.Get("ETag"))
	return v, version
}

// orgWrite sends a write as tok with an If-Match version (none when 0).
func (e *env) orgWrite(tok api.Tokens, method, path string, version int64, body any) resp {
	e.t.Helper()
	var h map[string]string
	if version > 0 {
		h = ifMatch(version)
	}
	return e.do(req{method: method, path: path, token: tok.AccessToken, body: body, header: h})
}

// snapshot renders every table a request could change, for comparing
// before and after; sessions and counters move on every request and are
// left out.
func snapshot(t *testing.T, e *env) string {
	t.Helper()
	st := e.srv.Store()
	skip := []string{"sessions", "rate_counters", "usage_counters", "goose_db_version"}
	var b strings.Builder
	for _, tb := range servertest.Tables(t, st) {
		if slices.Contains(skip, tb) {
			continue
		}
		_, rows := servertest.Rows(t, st, tb)
		lines := make([]string, 0, len(rows))
		for _, vals := range rows {
			lines = append(lines, fmt.Sprintf("%#v", vals))
		}
		slices.Sort(lines)
		fmt.Fprintf(&b, "%s: %d rows\n%s\n", tb, len(lines), strings.Join(lines, "\n"))
	}
	return b.String()
}

// orgPath fills a route pattern's wildcards with real demo resources, so a
// refusal cannot be a 404 in disguise.
func orgPath(e *env, pattern string) (method, path string) {
	method, path, _ = strings.Cut(pattern, " ")
	fill := map[string]string{
		"users/{id}": "users/" + e.demo.Agents[1].ID, "cost-centers/{id}": "cost-centers/cc_demo_sales",
		"structure/{id}": "structure/cat_demo_office", "{option}": "opt_demo_malmo", "{sku}": api.LicensePro,
		"{zone}": "domestic", "{code}": "lunch", "{kind}": api.PhotoAvatar, "invitations/{id}": "invitations/" + e.pendingInvitation(),
		// The demo has no SCIM token; the admin check comes before any lookup.
		"tokens/{id}": "tokens/sct_demo",
		// The demo's seeded domain, verified.
		"{domain}": "demo.phoneset.test",
	}
	for k, v := range fill {
		path = strings.ReplaceAll(path, k, v)
	}
	if strings.Contains(path, "{") {
		e.t.Fatalf("no value for a wildcard of %s", pattern)
	}
	return method, path
}

// TestOrgRoutesRefuseMembers walks every /v1/org route from the route
// table with an agent's token (and with none): each must refuse, and the
// database, audit log included, must be exactly as before.
func TestOrgRoutesRefuseMembers(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		agent := e.agent1()
		e.pendingInvitation()
		before := snapshot(t, e)
		n := 0
		for _, pattern := range server.RoutePatterns(e.srv) {
			if _, p, _ := strings.Cut(pattern, " "); p != "/v1/org" && !strings.HasPrefix(p, "/v1/org/") {
				continue
			}
			method, path := orgPath(e, pattern)
			n++
			for _, tt := range []struct {
				token  string
				status int
				code   string
			}{{agent.AccessToken, 403, api.CodeForbidden}, {"", 401, api.CodeUnauthorized}} {
				r := e.do(req{method: method, path: path, token: tt.token, body: map[string]any{},
					header: map[string]string{"If-Match": api.ETag(1), api.HeaderIdempotencyKey: "walk-" + pattern}})
				if r.status != tt.status || r.apiErr(t).Code != tt.code {
					t.Errorf("%s with token %v: %d %s", pattern, tt.token != "", r.status, r.body)
				}
			}
		}
		if n < 30 {
			t.Fatalf("walked only %d /v1/org routes", n)
		}
		if after := snapshot(t, e); after != before {
			t.Errorf("refused requests changed the database:\nbefore:\n%s\nafter:\n%s", before, after)
		}
	})
}

func TestOrgSettings(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		adm := e.admin()
		o, version := orgGet[api.OrgSettings](t, e, adm, "/v1/org")
		if o.CompanyName != "Demo Contact Centre AB" || o.OrgNumber != "556677-8899" || o.Owner.ID != e.demo.Admins[0].ID ||
			o.Owner.DisplayName != "Ada Admin" || o.Address.City != "Stockholm" || !o.MembersChangeEmail || version != o.Version {
			t.Fatalf("settings = %+v (ETag %d)", o, version)
		}
		tests := []struct {
			name    string
			body    any
			version int64 // 0: the current one; -1: none
			status  int
			field   string
			check   func(api.OrgSettings) bool
		}{
			{name: "profile", body: api.OrgSettingsPatch{DisplayName: ptr("Demo CC"),
				Address: &api.Address{Street: "Kungsgatan 2", PostalCode: "411 19", City: "Göteborg", Country: "Sweden"}},
				status: 200, check: func(o api.OrgSettings) bool { return o.DisplayName == "Demo CC" && o.Address.City == "Göteborg" }},
			{name: "defaults", body: api.OrgSettingsPatch{TimeZone: ptr("America/New_York"), Language: ptr("sv")},
				status: 200, check: func(o api.OrgSettings) bool { return o.TimeZone == "America/New_York" && o.Language == "sv" }},
			{name: "switches", body: api.OrgSettingsPatch{MembersChooseCover: ptr(false), CostCentersEnabled: ptr(false)},
				status: 200, check: func(o api.OrgSettings) bool {
					return !o.MembersChooseCover && o.MembersChooseAvatar && !o.CostCentersEnabled
				}},
			{name: "company name is customer care's", body: map[string]any{"company_name": "Other AB"}, status: 422, field: "company_name"},
			{name: "org number too", body: map[string]any{"org_number": "1", "display_name": "X"}, status: 422, field: "org_number"},
			{name: "owner too", body: map[string]any{"owner": map[string]string{"id": "usr_demo_agent1"}}, status: 422, field: "owner"},
			{name: "bad time zone", body: api.OrgSettingsPatch{TimeZone: ptr("Mars/Olympus")}, status: 422, field: "time_zone"},
			{name: "bad language", body: api.OrgSettingsPatch{Language: ptr("xx")}, status: 422, field: "language"},
			{name: "empty name", body: api.OrgSettingsPatch{DisplayName: ptr("")}, status: 422, field: "display_name"},
			{name: "long street", body: api.OrgSettingsPatch{Address: &api.Address{Street: strings.Repeat("x", 101)}}, status: 422, field: "address.street"},
			{name: "stale", body: api.OrgSettingsPatch{DisplayName: ptr("Late")}, version: 1, status: 412},
			{name: "no If-Match", body: api.OrgSettingsPatch{DisplayName: ptr("Late")}, version: -1, status: 428},
		}
		for _, tt := range tests {
			v := tt.version
			if v == 0 {
				v = version
			}
			r := e.orgWrite(adm, "PATCH", "/v1/org", max(v, 0), tt.body)
			if r.status != tt.status {
				t.Fatalf("%s: %d %s", tt.name, r.status, r.body)
			}
			if tt.field != "" && r.apiErr(t).Fields[tt.field] == nil {
				t.Errorf("%s: no reason for %s: %s", tt.name, tt.field, r.body)
			}
			if tt.check == nil {
				continue
			}
			var got api.OrgSettings
			r.decode(t, &got)
			if !tt.check(got) || got.Version != version+1 || r.header.Get("ETag") != api.ETag(got.Version) {
				t.Errorf("%s: settings %+v", tt.name, got)
			}
			version = got.Version
		}
		// A retry of an applied change is not a conflict.
		wantStatus(t, e.orgWrite(adm, "PATCH", "/v1/org", version-1, api.OrgSettingsPatch{TimeZone: ptr("America/New_York")}), 200)

		// Members see the defaults at once, through the cached /v1/me.
		var me api.Me
		e.do(req{method: "GET", path: "/v1/me", token: e.agent1().AccessToken}).decode(t, &me)
		if me.Org.DisplayName != "Demo CC" || me.Org.TimeZone != "America/New_York" || me.Org.MembersChooseCover {
			t.Errorf("member sees org %+v", me.Org)
		}
		got := auditEvents(t, e, "org/"+e.demo.OrgID)
		if !hasEvent(got, "org.update", "display_name", "Demo Contact Centre", "Demo CC") ||
			!hasEvent(got, "org.update", "address.city", "Stockholm", "Göteborg") ||
			!hasEvent(got, "org.update", "members_choose_cover", "true", "false") {
			t.Errorf("audit events: %+v", got)
		}
		for _, ev := range got {
			if ev.Action == "org.update" && (ev.ActorID != e.demo.Admins[0].ID || ev.Actor != "Ada Admin" || ev.IP != "127.0.0.1") {
				t.Errorf("event lacks who/where: %+v", ev)
			}
		}
	})
}

func auditEvents(t *testing.T, e *env, resource string) []api.AuditEvent {
	t.Helper()
	evs, err := e.srv.Store().Q().AuditEvents(t.Context(), storeFilter(e.demo.OrgID, resource))
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func hasEvent(evs []api.AuditEvent, action, field, old, new string) bool {
	return slices.ContainsFunc(evs, func(ev api.AuditEvent) bool {
		return ev.Action == action && ev.Field == field && ev.Old == old && ev.New == new
	})
}

// TestOrgSwitchesReachMembers checks that the personal endpoints honour
// the switches an admin sets.
func TestOrgSwitchesReachMembers(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		adm, agent := e.admin(), e.agent1()
		set := func(p api.OrgSettingsPatch) {
			t.Helper()
			_, v := orgGet[api.OrgSettings](t, e, adm, "/v1/org")
			wantStatus(t, e.orgWrite(adm, "PATCH", "/v1/org", v, p), 200)
		}
		img := testPNG(t, 300, 300)
		for _, kind := range []string{api.PhotoAvatar, api.PhotoCover} {
			p := api.OrgSettingsPatch{MembersChooseAvatar: ptr(false)}
			if kind == api.PhotoCover {
				p = api.OrgSettingsPatch{MembersChooseCover: ptr(false)}
			}
			set(p)
			r := e.do(req{method: "PUT", path: "/v1/me/" + kind, token: agent.AccessToken, body: img, ctype: "image/png", header: ifMatch(1)})
			if ae := wantError(t, r, 403, api.CodeForbidden); !strings.Contains(ae.Message, "organisation") {
				t.Errorf("%s refusal gives no reason: %s", kind, ae.Message)
			}
		}

		// An email change pending when admins take addresses over is
		// cancelled: its link stops working.
		next := "bo.new@demo.phoneset.test"
		wantStatus(t, e.do(req{method: "POST", path: "/v1/me/email", token: agent.AccessToken, body: api.EmailChangeRequest{Email: next}}), 202)
		m, _ := e.srv.Outbox().Last(next)
		token := linkToken.FindString(m.Body)
		set(api.OrgSettingsPatch{MembersChangeEmail: ptr(false)})
		r := e.do(req{method: "POST", path: "/v1/me/email", token: agent.AccessToken, body: api.EmailChangeRequest{Email: "x@demo.phoneset.test"}})
		if ae := wantError(t, r, 403, api.CodeForbidden); !strings.Contains(ae.Message, "admin") {
			t.Errorf("email refusal gives no reason: %s", ae.Message)
		}
		wantError(t, e.do(req{method: "POST", path: "/v1/me/email/confirm", token: agent.AccessToken, body: api.TokenRequest{Token: token}}), 422, api.CodeInvalid)
		p, _ := orgGet[api.Profile](t, e, agent, "/v1/me/profile")
		if p.PendingEmail != "" || p.Email != "agent1@demo.phoneset.test" {
			t.Fatalf("pending change survived: %+v", p)
		}
		if !hasEvent(auditEvents(t, e, "user/"+e.demo.Agents[0].ID+"/profile"), "email.change_cancelled", "pending_email", next, "") {
			t.Error("cancelled change not audited")
		}

		// Admins set the address directly.
		users, _ := orgGet[[]api.OrgUser](t, e, adm, "/v1/org/users?q=agent1")
		if len(users) != 1 {
			t.Fatalf("search found %+v", users)
		}
		path := "/v1/org/users/" + e.demo.Agents[0].ID + "/email"
		wantError(t, e.orgWrite(adm, "PUT", path, users[0].ProfileVersion, api.EmailSet{Email: "not an address", Password: server.DemoPassword}), 422, api.CodeInvalid)
		wantError(t, e.orgWrite(adm, "PUT", path, users[0].ProfileVersion, api.EmailSet{Email: "agent2@demo.phoneset.test", Password: server.DemoPassword}), 409, api.CodeConflict)
		wantError(t, e.orgWrite(adm, "PUT", path, users[0].ProfileVersion-1, api.EmailSet{Email: next, Password: server.DemoPassword}), 412, api.CodeStale)
		r = e.orgWrite(adm, "PUT", path, users[0].ProfileVersion, api.EmailSet{Email: next, Password: server.DemoPassword})
		wantStatus(t, r, 200)
		var u api.OrgUser
		r.decode(t, &u)
		if u.Email != next || u.ProfileVersion != users[0].ProfileVersion+1 {
			t.Fatalf("after admin set: %+v", u)
		}
		if _, ok := e.srv.Outbox().Last("agent1@demo.phoneset.test"); !ok {
			t.Error("the old address was not told")
		}
		e.signIn(next, server.DemoPassword)
		if !hasEvent(auditEvents(t, e, "user/"+e.demo.Agents[0].ID+"/profile"), "email.set_by_admin", "email", "agent1@demo.phoneset.test", next) {
			t.Error("admin email change not audited")
		}
		wantError(t, e.orgWrite(adm, "PUT", "/v1/org/users/usr_nobody/email", 1, api.EmailSet{Email: "a@b.test", Password: server.DemoPassword}), 404, api.CodeNotFound)

		set(api.OrgSettingsPatch{MembersChangeEmail: ptr(true)})
		wantStatus(t, e.do(req{method: "POST", path: "/v1/me/email", token: agent.AccessToken, body: api.EmailChangeRequest{Email: "bo3@demo.phoneset.test"}}), 202)
	})
}

// TestAdminSetsEmailGuarded: an address is a password reset away from the
// account, so only the owner sets the owner's address, and an admin setting
// anyone's re-enters their own password. Refusals change nothing; a change
// is audited and told to both addresses.
func TestAdminSetsEmailGuarded(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		owner, second, member := e.demo.Admins[0].ID, e.demo.Agents[0].ID, e.demo.Agents[1].ID
		wantStatus(t, e.orgWrite(e.admin(), "PUT", "/v1/org/users/"+second+"/permissions/account", 0, nil), 200)
		signIn := map[string]func() api.Tokens{owner: e.admin, second: e.agent1}
		cases := []struct {
			name          string
			actor, target string
			password      string
			status        int
			code, reason  string // reason: the whole request's, or "password"'s
		}{
			{"admin sets the owner's", second, owner, server.DemoPassword, 403, api.CodeForbidden, api.ReasonOwnerOnly},
			{"admin sets the owner's, wrong password", second, owner, "nope", 403, api.CodeForbidden, api.ReasonOwnerOnly},
			{"owner, no password", owner, second, "", 422, api.CodeInvalid, api.ReasonWrongPassword},
			{"owner, wrong password", owner, second, "Phoneset-demo-2", 422, api.CodeInvalid, api.ReasonWrongPassword},
			{"admin, the member's password", second, member, "x" + server.DemoPassword, 422, api.CodeInvalid, api.ReasonWrongPassword},
			{"admin, 2000-byte password", second, member, strings.Repeat("x", 2000), 422, api.CodeInvalid, api.ReasonWrongPassword},
			{"admin sets a member's", second, member, server.DemoPassword, 200, "", ""},
			{"owner sets an admin's", owner, second, server.DemoPassword, 200, "", ""},
			{"owner sets the owner's", owner, owner, server.DemoPassword, 200, "", ""},
		}
		for i, c := range cases {
			tok := signIn[c.actor]()
			users, _ := orgGet[[]api.OrgUser](t, e, tok, "/v1/org/users")
			var before api.OrgUser
			for _, u := range users {
				if u.ID == c.target {
					before = u
				}
			}
			next := fmt.Sprintf("guarded%d@example.com", i)
			snap := snapshot(t, e)
			r := e.orgWrite(tok, "PUT", "/v1/org/users/"+c.target+"/email", before.ProfileVersion, api.EmailSet{Email: next, Password: c.password})
			if c.status != 200 {
				ae := wantError(t, r, c.status, c.code)
				got := ""
				if ae.Reason != nil {
					got = ae.Reason.Code
				} else if ae.Fields["password"] != nil {
					got = ae.Fields["password"].Code
				}
				if got != c.reason {
					t.Errorf("%s: reason %q, want %q; %s", c.name, got, c.reason, r.body)
				}
				if snapshot(t, e) != snap {
					t.Errorf("%s: refused, but the database changed", c.name)
				}
				continue
			}
			wantStatus(t, r, 200)
			for _, to := range []string{before.Email, next} {
				if m, ok := e.srv.Outbox().Last(to); !ok || !strings.Contains(m.Body, next) {
					t.Errorf("%s: %s was not told: %+v", c.name, to, m)
				}
			}
			if !hasEvent(auditEvents(t, e, "user/"+c.target+"/profile"), "email.set_by_admin", "email", before.Email, next) {
				t.Errorf("%s: not audited", c.name)
			}
		}
	})
}

func TestOrgPhotos(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		adm := e.admin()
		o, v := orgGet[api.OrgSettings](t, e, adm, "/v1/org")
		if o.HasAvatar || o.HasCover {
			t.Fatalf("demo has photos: %+v", o)
		}
		wantError(t, e.do(req{method: "GET", path: "/v1/org/photos/avatar", token: adm.AccessToken}), 404, api.CodeNotFound)
		put := func(kind string, data []byte, ctype string, version int64) resp {
			return e.do(req{method: "PUT", path: "/v1/org/photos/" + kind, token: adm.AccessToken, body: data, ctype: ctype, header: ifMatch(version)})
		}
		wantError(t, put("avatar", []byte("GIF89a"), "image/gif", v), 415, api.CodeUnsupportedMedia)
		wantError(t, put("avatar", testPNG(t, 300, 300), "image/png", v-1), 412, api.CodeStale)
		wantError(t, put("banner", testPNG(t, 300, 300), "image/png", v), 404, api.CodeNotFound)
		for _, kind := range []string{api.PhotoAvatar, api.PhotoCover} {
			r := put(kind, testPNG(t, 1600, 900), "image/png", v)
			wantStatus(t, r, 200)
			r.decode(t, &o)
			v = o.Version
			r = e.do(req{method: "GET", path: "/v1/org/photos/" + kind + "?size=64", token: adm.AccessToken})
			if r.status != 200 || r.header.Get("Content-Type") != "image/jpeg" || len(r.body) == 0 || r.header.Get("ETag") != api.ETag(v) {
				t.Fatalf("%s: %d %s", kind, r.status, r.header)
			}
			r = e.do(req{method: "GET", path: "/v1/org/photos/" + kind, token: adm.AccessToken, header: map[string]string{"If-None-Match": api.ETag(v)}})
			wantStatus(t, r, 304)
		}
		if !o.HasAvatar || !o.HasCover {
			t.Fatalf("after upload: %+v", o)
		}
		r := e.do(req{method: "DELETE", path: "/v1/org/photos/avatar", token: adm.AccessToken, header: ifMatch(v)})
		wantStatus(t, r, 200)
		r.decode(t, &o)
		if o.HasAvatar || !o.HasCover {
			t.Fatalf("after removing the avatar: %+v", o)
		}
		wantError(t, e.do(req{method: "GET", path: "/v1/org/photos/avatar", token: adm.AccessToken}), 404, api.CodeNotFound)
		evs := auditEvents(t, e, "org/"+e.demo.OrgID+"/photos/avatar")
		if !hasEvent(evs, "org.avatar.remove", "avatar", "photo", "none") || len(evs) != 2 {
			t.Errorf("avatar events: %+v", evs)
		}
	})
}

// Members see the company avatar and default cover through their own
// route, with Me saying which are set and when they changed.
func TestMembersSeeCompanyPhotos(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		adm, ag := e.admin(), e.agent1()
		me := func() api.OrgSummary {
			t.Helper()
			m, _ := orgGet[api.Me](t, e, ag, "/v1/me")
			return m.Org
		}
		before := me()
		if before.HasAvatar || before.HasCover {
			t.Fatalf("demo org has photos: %+v", before)
		}
		wantError(t, e.do(req{method: "GET", path: "/v1/me/org/cover", token: ag.AccessToken}), 404, api.CodeNotFound)
		wantError(t, e.do(req{method: "GET", path: "/v1/me/org/banner", token: ag.AccessToken}), 404, api.CodeNotFound)
		wantError(t, e.do(req{method: "GET", path: "/v1/me/org/cover"}), 401, api.CodeUnauthorized)

		_, v := orgGet[api.OrgSettings](t, e, adm, "/v1/org")
		wantStatus(t, e.do(req{method: "PUT", path: "/v1/org/photos/cover", token: adm.AccessToken,
			body: testPNG(t, 1600, 900), ctype: "image/png", header: ifMatch(v)}), 200)
		after := me()
		if !after.HasCover || after.HasAvatar || after.PhotoVersion == before.PhotoVersion {
			t.Fatalf("after the admin set a cover, the member's org summary is %+v (was %+v)", after, before)
		}
		r := e.do(req{method: "GET", path: "/v1/me/org/cover?size=700", token: ag.AccessToken})
		wantStatus(t, r, 200)
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(r.body))
		if err != nil || cfg.Width != 750 || cfg.Height != 250 {
			t.Fatalf("cover at size 700: %v, %dx%d; want the 750×250 rendition", err, cfg.Width, cfg.Height)
		}
		etag := r.header.Get("ETag")
		wantStatus(t, e.do(req{method: "GET", path: "/v1/me/org/cover", token: ag.AccessToken,
			header: map[string]string{"If-None-Match": etag}}), 304)
		wantError(t, e.do(req{method: "GET", path: "/v1/me/org/cover?size=big", token: ag.AccessToken}), 400, api.CodeInvalid)
	})
}

func TestOrgPackage(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		adm := e.admin()
		now := time.Now()
		contract := func(started, ends, binding time.Time) {
			t.Helper()
			if err := e.srv.Store().Q().SetOrgContract(t.Context(), e.demo.OrgID, started, ends, binding); err != nil {
				t.Fatal(err)
			}
		}
		p, _ := orgGet[api.PBXPackage](t, e, adm, "/v1/org/package")
		if p.Package != api.PackageUnlimited || !p.Contract.Ongoing || !p.CanDowngrade || p.DowngradeRefusal != nil {
			t.Fatalf("demo package %+v", p)
		}
		tests := []struct {
			name                   string
			started, ends, binding time.Time
			to                     string
			status                 int
			reason                 string
		}{
			{"no contract", time.Time{}, time.Time{}, time.Time{}, api.PackageLight, 409, "ongoing contract"},
			{"contract ended", now.AddDate(-2, 0, 0), now.AddDate(0, -1, 0), time.Time{}, api.PackageLight, 409, "ongoing contract"},
			{"contract not started", now.AddDate(0, 1, 0), time.Time{}, time.Time{}, api.PackageLight, 409, "ongoing contract"},
			{"binding period", now.AddDate(-1, 0, 0), time.Time{}, now.AddDate(0, 2, 0), api.PackageLight, 409, "binding period until " + now.AddDate(0, 2, 0).Format(time.DateOnly)},
			{"downgrade allowed", now.AddDate(-1, 0, 0), now.AddDate(1, 0, 0), now.AddDate(0, -2, 0), api.PackageLight, 200, ""},
			{"upgrade without contract", time.Time{}, time.Time{}, time.Time{}, api.PackageUnlimited, 200, ""},
			{"unknown package", time.Time{}, time.Time{}, time.Time{}, "platinum", 422, ""},
		}
		for _, tt := range tests {
			contract(tt.started, tt.ends, tt.binding)
			p, v := orgGet[api.PBXPackage](t, e, adm, "/v1/org/package")
			if tt.status == 409 && (p.CanDowngrade || p.DowngradeRefusal == nil || !strings.Contains(p.DowngradeRefusal.String(), tt.reason)) {
				t.Errorf("%s: shown before trying: %+v", tt.name, p)
			}
			r := e.orgWrite(adm, "PUT", "/v1/org/package", v, api.PackageChange{Package: tt.to})
			if r.status != tt.status {
				t.Fatalf("%s: %d %s", tt.name, r.status, r.body)
			}
			switch tt.status {
			case 409:
				if ae := r.apiErr(t); ae.Reason == nil || !strings.Contains(ae.Reason.String(), tt.reason) || ae.Fields["package"] == nil {
					t.Errorf("%s: reason %v, fields %v", tt.name, ae.Reason, ae.Fields)
				}
			case 200:
				r.decode(t, &p)
				if p.Package != tt.to || p.Version != v+1 {
					t.Errorf("%s: package %+v", tt.name, p)
				}
			}
		}
		wantError(t, e.orgWrite(adm, "PUT", "/v1/org/package", 1, api.PackageChange{Package: api.PackageLight}), 412, api.CodeStale)
		// The plan members see follows the package.
		contract(now.AddDate(-1, 0, 0), time.Time{}, time.Time{})
		_, v := orgGet[api.PBXPackage](t, e, adm, "/v1/org/package")
		wantStatus(t, e.orgWrite(adm, "PUT", "/v1/org/package", v, api.PackageChange{Package: api.PackageLight}), 200)
		plan, _ := orgGet[api.Plan](t, e, e.agent1(), "/v1/me/plan")
		if plan.Name != "Light" {
			t.Errorf("plan name %q", plan.Name)
		}
		evs := auditEvents(t, e, "org/"+e.demo.OrgID+"/package")
		if !hasEvent(evs, "org.package.change", "package", "unlimited", "light") || !hasEvent(evs, "org.package.change", "package", "light", "unlimited") {
			t.Errorf("package events %+v", evs)
		}
	})
}

func TestOrgAdmins(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		adm := e.admin()
		agentID := e.demo.Agents[0].ID
		perm := "/v1/org/users/" + agentID + "/permissions/account"
		r := e.orgWrite(adm, "PUT", perm, 0, nil)
		wantStatus(t, r, 200)
		var u api.OrgUser
		r.decode(t, &u)
		if !u.Admin {
			t.Fatalf("grant: %+v", u)
		}
		wantStatus(t, e.orgWrite(adm, "PUT", perm, 0, nil), 200) // again: no change
		agent := e.agent1()
		orgGet[api.OrgSettings](t, e, agent, "/v1/org")

		// The owner keeps the permission.
		r = e.orgWrite(agent, "DELETE", "/v1/org/users/"+e.demo.Admins[0].ID+"/permissions/account", 0, nil)
		if ae := wantError(t, r, 409, api.CodeConflict); !strings.Contains(ae.Message, "owner") {
			t.Errorf("owner refusal: %s", ae.Message)
		}
		wantStatus(t, e.orgWrite(adm, "DELETE", perm, 0, nil), 200)
		wantError(t, e.do(req{method: "GET", path: "/v1/org", token: agent.AccessToken}), 403, api.CodeForbidden)
		evs := auditEvents(t, e, "user/"+agentID+"/permissions")
		if !hasEvent(evs, "permission.grant", "account", "not granted", "granted") || !hasEvent(evs, "permission.revoke", "account", "granted", "not granted") || len(evs) != 2 {
			t.Errorf("permission events %+v", evs)
		}

		// Without an owner, two admins revoking each other at once leave
		// exactly one.
		if err := e.srv.Store().Q().SetOrgCompany(t.Context(), e.demo.OrgID, "Demo Contact Centre AB", "556677-8899", ""); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, e.orgWrite(adm, "PUT", perm, 0, nil), 200)
		done := make(chan int, 2)
		go func() { done <- e.orgWrite(adm, "DELETE", perm, 0, nil).status }()
		go func() {
			done <- e.orgWrite(agent, "DELETE", "/v1/org/users/"+e.demo.Admins[0].ID+"/permissions/account", 0, nil).status
		}()
		statuses := []int{<-done, <-done}
		slices.Sort(statuses)
		if statuses[0] != 200 || statuses[1] == 200 {
			t.Errorf("concurrent revokes answered %v", statuses)
		}
		n, err := e.srv.Store().Q().CountWithPermission(t.Context(), e.demo.OrgID, api.PermAccount)
		if err != nil || n != 1 {
			t.Fatalf("%d admins remain (%v)", n, err)
		}
	})
}
