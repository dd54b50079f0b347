package server_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server"
	"github.com/phoneset/phoneset/server/store"
)

// invite invites email to the demo organisation as its admin and returns
// the answer.
func (e *env) invite(tok string, r api.InvitationRequest) resp {
	e.t.Helper()
	return e.do(req{method: "POST", path: "/v1/org/invitations", token: tok, body: r})
}

// inviteLink is the token of the last invitation mailed to email.
func (e *env) inviteLink(email string) string {
	e.t.Helper()
	m, ok := e.srv.Outbox().Last(email)
	if !ok || !strings.Contains(m.Body, "/v1/invitations/accept?token=") {
		e.t.Fatalf("no invitation mailed to %s: %+v", email, m)
	}
	return linkToken.FindString(m.Body)
}

func (e *env) accept(token, username string) resp {
	e.t.Helper()
	return e.do(req{method: "POST", path: "/v1/invitations/accept",
		body: api.InvitationAccept{Token: token, Username: username, Password: "Tangerine-Orbit-42", Device: "test"}})
}

func orgUserOf(t *testing.T, e *env, tok, id string) api.OrgUser {
	t.Helper()
	var users []api.OrgUser
	e.do(req{method: "GET", path: "/v1/org/users", token: tok}).decode(t, &users)
	i := slices.IndexFunc(users, func(u api.OrgUser) bool { return u.ID == id })
	if i < 0 {
		t.Fatalf("no user %s in %+v", id, users)
	}
	return users[i]
}

func TestInviteAndAccept(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e, clk := newClockEnv(t)
		adm := e.admin().AccessToken
		r := e.invite(adm, api.InvitationRequest{Email: "Nina.New@Example.com", DisplayName: "Nina New", License: api.LicensePro,
			Options: map[string]string{"cat_demo_office": "opt_demo_malmo"}})
		wantStatus(t, r, 201)
		var inv api.Invitation
		r.decode(t, &inv)
		if inv.Email != "Nina.New@Example.com" || inv.InvitedBy != "Ada Admin" || inv.Expired ||
			!inv.ExpiresAt.Equal(clk.Now().Add(7*24*time.Hour)) {
			t.Fatalf("invitation %+v", inv)
		}
		tok := e.inviteLink("Nina.New@Example.com")

		// The browser page shows a form and changes nothing.
		page := e.do(req{method: "GET", path: "/v1/invitations/accept?token=" + tok})
		if page.status != 200 || !strings.Contains(string(page.body), "Join Demo Contact Centre on Phoneset") ||
			!strings.Contains(string(page.body), `name="username"`) {
			t.Fatalf("page: %d %s", page.status, page.body)
		}

		// The password policy applies, with the new username and address.
		for _, pw := range []string{"short1!A", "password123", "nina.new-Secret-9", "Aa1!" + strings.Repeat("x", 200)} {
			r := e.do(req{method: "POST", path: "/v1/invitations/accept", body: api.InvitationAccept{Token: tok, Username: "nina.new", Password: pw}})
			if r.status != 422 || r.apiErr(t).Fields[api.FieldPassword] == nil {
				t.Errorf("password %q: %d %s", pw, r.status, r.body)
			}
		}
		// A taken username (in any case) is a 409 and leaves the link usable.
		wantError(t, e.accept(tok, "AGENT1"), 409, api.CodeConflict)

		r = e.accept(tok, "nina")
		wantStatus(t, r, 201)
		var tokens api.Tokens
		r.decode(t, &tokens)
		var me api.Me
		e.do(req{method: "GET", path: "/v1/me", token: tokens.AccessToken}).decode(t, &me)
		if me.Profile.Username != "nina" || me.Profile.Email != "Nina.New@Example.com" || me.Profile.DisplayName != "Nina New" {
			t.Fatalf("signed in as %+v", me.Profile)
		}
		u := orgUserOf(t, e, adm, me.User.ID)
		if !slices.Equal(u.Licenses, []string{api.LicensePro}) || u.Options["cat_demo_office"] != "opt_demo_malmo" || u.Admin || u.Deactivated {
			t.Fatalf("new member %+v", u)
		}
		e.signIn("nina", "Tangerine-Orbit-42")

		// Used: the link works once, on the page too.
		wantError(t, e.accept(tok, "nina2"), 422, api.CodeInvalid)
		if p := e.do(req{method: "GET", path: "/v1/invitations/accept?token=" + tok}); !strings.Contains(string(p.body), "ask for a new one") {
			t.Errorf("used link page: %s", p.body)
		}
		var invs []api.Invitation
		e.do(req{method: "GET", path: "/v1/org/invitations", token: adm}).decode(t, &invs)
		if len(invs) != 0 {
			t.Errorf("accepted invitation still listed: %+v", invs)
		}
		acts := auditActions(t, e, "org/"+e.demo.OrgID+"/invitations/"+inv.ID)
		if acts["invitation.create"] == 0 || acts["invitation.accept"] != 1 {
			t.Errorf("invitation audit: %v", acts)
		}
		if acts := auditActions(t, e, "user/"+me.User.ID+"/profile"); acts["user.create"] == 0 {
			t.Errorf("user audit: %v", acts)
		}

		// Revoked and expired links are dead; a resend replaces the link.
		e.invite(adm, api.InvitationRequest{Email: "rev@example.com", DisplayName: "Rev"}).decode(t, &inv)
		revTok := e.inviteLink("rev@example.com")
		wantStatus(t, e.do(req{method: "DELETE", path: "/v1/org/invitations/" + inv.ID, token: adm}), 204)
		wantError(t, e.accept(revTok, "rev"), 422, api.CodeInvalid)

		e.invite(adm, api.InvitationRequest{Email: "late@example.com", DisplayName: "Late"}).decode(t, &inv)
		lateTok := e.inviteLink("late@example.com")
		clk.Add(7*24*time.Hour + time.Second)
		adm = e.admin().AccessToken
		wantError(t, e.accept(lateTok, "late"), 422, api.CodeInvalid)
		r = e.do(req{method: "POST", path: "/v1/org/invitations/" + inv.ID + "/resend", token: adm})
		wantStatus(t, r, 200)
		r.decode(t, &inv)
		if inv.SentCount != 2 || inv.Expired {
			t.Errorf("resent %+v", inv)
		}
		newTok := e.inviteLink("late@example.com")
		if newTok == lateTok {
			t.Fatal("resend sent the same link")
		}
		wantError(t, e.accept(lateTok, "late"), 422, api.CodeInvalid)
		wantStatus(t, e.accept(newTok, "late"), 201)
	})
}

// TestInviteRefusals: duplicates in any case, seats, bad structure.
func TestInviteRefusals(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		adm := e.admin().AccessToken
		wantStatus(t, e.invite(adm, api.InvitationRequest{Email: "dup@example.com", DisplayName: "Dup"}), 201)
		for _, email := range []string{"AGENT1@demo.phoneset.test", " agent2@Demo.Phoneset.Test", "DUP@EXAMPLE.COM", "dup@example.com"} {
			r := e.invite(adm, api.InvitationRequest{Email: email, DisplayName: "X"})
			if r.status == 409 {
				if f := r.apiErr(t).Fields[api.FieldEmail]; f == nil || f.Code != api.ReasonTaken {
					t.Errorf("%q: %s", email, r.body)
				}
				continue
			}
			if r.status != 422 { // an address with spaces is no address
				t.Errorf("%q: %d %s", email, r.status, r.body)
			}
		}

		// The demo holds 3 mobile licenses and has given 1: two more can
		// be invited with one, then the organisation is full.
		var full resp
		for i := range 3 {
			full = e.invite(adm, api.InvitationRequest{Email: "m" + itoa(i) + "@example.com", DisplayName: "M", License: api.LicenseMobile})
		}
		e2 := wantError(t, full, 409, api.CodeConflict)
		if e2.Reason == nil || e2.Reason.Code != api.ReasonOrgFull || !strings.Contains(e2.Message, "Mobile license") {
			t.Errorf("full organisation: %s", full.body)
		}
		// Nor can a held license be assigned by hand.
		wantError(t, e.do(req{method: "PUT", path: "/v1/org/users/usr_demo_agent2/licenses/mobile", token: adm}), 409, api.CodeConflict)
		var lic api.Licenses
		e.do(req{method: "GET", path: "/v1/org/licenses", token: adm}).decode(t, &lic)
		for _, l := range lic.Licenses {
			if l.SKU == api.LicenseMobile && (l.Invited != 2 || l.Unassigned != 0) {
				t.Errorf("mobile licenses %+v", l)
			}
		}

		for _, tt := range []struct {
			name  string
			r     api.InvitationRequest
			field string
		}{
			{"unknown license", api.InvitationRequest{Email: "a@example.com", DisplayName: "A", License: "gold"}, api.FieldLicense},
			{"an add-on as license", api.InvitationRequest{Email: "a@example.com", DisplayName: "A", License: "recording"}, api.FieldLicense},
			{"unknown category", api.InvitationRequest{Email: "a@example.com", DisplayName: "A", Options: map[string]string{"cat_x": "opt_demo_malmo"}}, api.FieldOptions},
			{"option of no category", api.InvitationRequest{Email: "a@example.com", DisplayName: "A", Options: map[string]string{"cat_demo_office": "opt_x"}}, api.FieldOptions},
			{"no name", api.InvitationRequest{Email: "a@example.com"}, api.FieldDisplayName},
		} {
			r := e.invite(adm, tt.r)
			if r.status != 422 || r.apiErr(t).Fields[tt.field] == nil {
				t.Errorf("%s: %d %s", tt.name, r.status, r.body)
			}
		}
	})
}

// TestParallelAccepts: ten accepts of one link at once make one account.
func TestParallelAccepts(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		wantStatus(t, e.invite(e.admin().AccessToken, api.InvitationRequest{Email: "race@example.com", DisplayName: "Race", License: api.LicensePro}), 201)
		tok := e.inviteLink("race@example.com")
		rs := e.race(10, func(i int) req {
			return req{method: "POST", path: "/v1/invitations/accept",
				body: api.InvitationAccept{Token: tok, Username: "racer" + itoa(i), Password: "Tangerine-Orbit-42"}}
		})
		won := 0
		for _, r := range rs {
			switch r.status {
			case 201:
				won++
			case 422:
			default:
				t.Errorf("accept: %d %s", r.status, r.body)
			}
		}
		var n int
		if err := e.srv.Store().DB().QueryRow(`SELECT COUNT(*) FROM users WHERE email_norm = 'race@example.com'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if won != 1 || n != 1 {
			t.Errorf("%d accepts won, %d accounts made; want 1 and 1", won, n)
		}
	})
}

func TestDeactivate(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		adm := e.admin().AccessToken
		agent := e.agent1()
		var key api.APIKey
		e.do(req{method: "POST", path: "/v1/me/api-key/reveal", token: agent.AccessToken, body: api.PasswordProof{Password: server.DemoPassword}}).decode(t, &key)
		id := e.demo.Agents[0].ID

		r := e.do(req{method: "POST", path: "/v1/org/users/" + id + "/deactivate", token: adm})
		wantStatus(t, r, 200)
		var u api.OrgUser
		r.decode(t, &u)
		if !u.Deactivated || len(u.Licenses) != 0 {
			t.Fatalf("deactivated user %+v", u)
		}
		// The stolen token, the refresh token and the API key are dead at once.
		wantError(t, e.do(req{method: "GET", path: "/v1/me", token: agent.AccessToken}), 401, api.CodeUnauthorized)
		wantError(t, e.do(req{method: "GET", path: "/v1/me", header: map[string]string{"X-API-Key": key.Key}}), 401, api.CodeUnauthorized)
		wantError(t, e.do(req{method: "POST", path: "/v1/sessions/refresh", body: api.RefreshRequest{RefreshToken: agent.RefreshToken}}), 401, api.CodeUnauthorized)
		// Signing in is refused, said only to whoever knows the password.
		in := e.do(req{method: "POST", path: "/v1/sessions", body: api.SignInRequest{Login: "agent1", Password: server.DemoPassword}})
		if er := wantError(t, in, 401, api.CodeUnauthorized); er.Reason == nil || er.Reason.Code != api.ReasonAccountDisabled {
			t.Errorf("sign in: %s", in.body)
		}
		in = e.do(req{method: "POST", path: "/v1/sessions", body: api.SignInRequest{Login: "agent1", Password: "Wrong-password-1"}})
		if er := wantError(t, in, 401, api.CodeUnauthorized); er.Reason != nil {
			t.Errorf("wrong password tells: %s", in.body)
		}
		// No reset link is sent.
		before := len(e.srv.Outbox().Messages())
		wantStatus(t, e.do(req{method: "POST", path: "/v1/password-resets", body: api.PasswordResetRequest{Login: "agent1", Channel: "email"}}), 202)
		if n := len(e.srv.Outbox().Messages()); n != before {
			t.Errorf("a deactivated user was sent a reset message")
		}
		// History and audit stay; the deactivation is audited with its effects.
		evs, err := e.srv.Store().Q().AuditEvents(t.Context(), storeFilter(e.demo.OrgID, "user/"+id+"/active"))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, ev := range evs {
			got[ev.Field] = ev.Old + "->" + ev.New
		}
		if got["active"] != "true->false" || got["api_key"] != "set->revoked" || got["license.pro"] != "assigned->unassigned" ||
			got["license.mobile"] != "assigned->unassigned" || got["sessions"] == "" {
			t.Errorf("deactivation audit: %v", got)
		}
		if acts := auditActions(t, e, "user/"+id+"/sessions/"); acts["session.create"] == 0 {
			t.Errorf("history lost: %v", acts)
		}
		// A deactivated user is given no license; theirs are free for others.
		if er := wantError(t, e.do(req{method: "PUT", path: "/v1/org/users/" + id + "/licenses/pro", token: adm}), 409, api.CodeConflict); er.Reason.Code != api.ReasonUserDeactivated {
			t.Errorf("license to a deactivated user: %+v", er)
		}
		wantStatus(t, e.do(req{method: "PUT", path: "/v1/org/users/usr_demo_agent2/licenses/mobile", token: adm}), 200)

		// Reactivated, the user signs in again (licenses stay with others).
		r = e.do(req{method: "POST", path: "/v1/org/users/" + id + "/reactivate", token: adm})
		wantStatus(t, r, 200)
		r.decode(t, &u)
		if u.Deactivated {
			t.Fatalf("reactivated user %+v", u)
		}
		e.agent1()
		wantError(t, e.do(req{method: "GET", path: "/v1/me", header: map[string]string{"X-API-Key": key.Key}}), 401, api.CodeUnauthorized)
	})
}

// TestDeactivateGuards: not oneself, not the owner, not the last admin.
func TestDeactivateGuards(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		adm := e.admin().AccessToken
		admID := e.demo.Admins[0].ID
		reason := func(r resp, code string) {
			t.Helper()
			if er := wantError(t, r, 409, api.CodeConflict); er.Reason == nil || er.Reason.Code != code {
				t.Errorf("want %s: %s", code, r.body)
			}
		}
		reason(e.do(req{method: "POST", path: "/v1/org/users/" + admID + "/deactivate", token: adm}), api.ReasonNotYourself)
		reason(e.do(req{method: "DELETE", path: "/v1/org/users/" + admID, token: adm, body: api.PasswordProof{Password: server.DemoPassword}}), api.ReasonNotYourself)
		// Another admin cannot deactivate or delete the owner either.
		wantStatus(t, e.do(req{method: "PUT", path: "/v1/org/users/usr_demo_agent1/permissions/account", token: adm}), 200)
		other := e.agent1().AccessToken
		reason(e.do(req{method: "POST", path: "/v1/org/users/" + admID + "/deactivate", token: other}), api.ReasonOwnerStays)
		reason(e.do(req{method: "DELETE", path: "/v1/org/users/" + admID, token: other, body: api.PasswordProof{Password: server.DemoPassword}}), api.ReasonOwnerStays)
		// A deactivated admin is no remaining admin: the owner keeps admin.
		wantStatus(t, e.do(req{method: "POST", path: "/v1/org/users/usr_demo_agent1/deactivate", token: adm}), 200)
		if er := wantError(t, e.do(req{method: "DELETE", path: "/v1/org/users/" + admID + "/permissions/account", token: adm}), 409, api.CodeConflict); er.Reason == nil {
			t.Errorf("owner lost admin")
		}
	})
}

func TestDeleteUserErases(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e, clk := newClockEnv(t)
		adm := e.admin().AccessToken
		agent := e.agent1()
		id := e.demo.Agents[0].ID
		wantStatus(t, e.do(req{method: "PUT", path: "/v1/me/avatar", token: agent.AccessToken, body: pngBody(t), ctype: "image/png", header: ifMatch(1)}), 200)
		wantStatus(t, e.do(req{method: "PUT", path: "/v1/me/status", token: agent.AccessToken,
			body: api.StatusUpdate{Availability: api.Online}, header: ifMatch(1)}), 200)
		// A short first name, "Bo" to "Jo": too short to replace in free
		// text, yet it names the person in their own profile's history.
		wantStatus(t, e.do(req{method: "PATCH", path: "/v1/me/profile", token: agent.AccessToken,
			body: api.ProfilePatch{FirstName: new("Jo")}, header: ifMatch(1)}), 200)

		// A session signed in over 5 minutes ago needs the password.
		clk.Add(6 * time.Minute)
		wantError(t, e.do(req{method: "DELETE", path: "/v1/org/users/" + id, token: adm}), 403, api.CodeForbidden)
		wantError(t, e.do(req{method: "DELETE", path: "/v1/org/users/" + id, token: adm, body: api.PasswordProof{Password: "Wrong-password-1"}}), 422, api.CodeInvalid)
		wantStatus(t, e.do(req{method: "DELETE", path: "/v1/org/users/" + id, token: adm, body: api.PasswordProof{Password: server.DemoPassword}}), 204)

		wantError(t, e.do(req{method: "GET", path: "/v1/me", token: agent.AccessToken}), 401, api.CodeUnauthorized)
		db := e.srv.Store().DB()
		for _, tb := range []string{"users", "photos", "user_licenses", "user_options", "sessions", "cost_center_users"} {
			var n int
			if err := db.QueryRow(`SELECT COUNT(*) FROM ` + tb + ` WHERE ` + map[bool]string{true: "id", false: "user_id"}[tb == "users"] + ` = '` + id + `'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Errorf("%s still has %d rows of the erased user", tb, n)
			}
		}
		// The audit log keeps what happened under a pseudonym, and nothing
		// that names the person.
		evs, err := e.srv.Store().Q().AuditEvents(t.Context(), store.AuditFilter{OrgID: e.demo.OrgID, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		var pseudonym string
		for _, ev := range evs {
			all := strings.Join([]string{ev.ActorID, ev.Actor, ev.Resource, ev.Old, ev.New}, " ")
			for _, personal := range []string{id, "Bo Agent", "agent1@demo.phoneset.test", "+46701234502"} {
				if strings.Contains(all, personal) {
					t.Errorf("audit event %d %s keeps %q: %s", ev.ID, ev.Action, personal, all)
				}
			}
			if ev.Field == api.FieldFirstName && strings.HasPrefix(ev.Resource, "user/erased_") && (ev.Old == "Bo" || ev.New == "Jo") {
				t.Errorf("audit event %d keeps the first name: %q -> %q", ev.ID, ev.Old, ev.New)
			}
			if ev.Action == "user.delete" {
				pseudonym = strings.Split(ev.Resource, "/")[1]
				if ev.Old != "active" || ev.New != "erased" || ev.ActorID != e.demo.Admins[0].ID {
					t.Errorf("delete event %+v", ev)
				}
			}
		}
		if !strings.HasPrefix(pseudonym, "erased_") {
			t.Fatalf("no user.delete event")
		}
		if acts := auditActions(t, e, "user/"+pseudonym+"/sessions/"); acts["session.create"] == 0 {
			t.Errorf("the erased user's history is gone: %v", acts)
		}
		// Deleting again finds nobody.
		wantError(t, e.do(req{method: "DELETE", path: "/v1/org/users/" + id, token: adm, body: api.PasswordProof{Password: server.DemoPassword}}), 404, api.CodeNotFound)
	})
}

// TestTenantIsolation: an organisation made by an operator, whose owner
// joins by the mailed invitation, cannot see or touch the demo
// organisation's people, and a disabled organisation is shut out at once.
func TestTenantIsolation(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		ctx := context.Background()
		orgB, link, err := e.srv.CreateOrganisation(ctx, server.NewOrg{Name: "Beta AB", Number: "556000-0001", OwnerEmail: "Boss@Beta.example"}, e.base)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.srv.CreateOrganisation(ctx, server.NewOrg{Name: "Beta again", Number: "556000-0001", OwnerEmail: "x@beta.example"}, e.base); err == nil {
			t.Error("a second organisation with the same number was made")
		}
		tok := e.inviteLink("Boss@Beta.example")
		if !strings.HasSuffix(link, tok) {
			t.Fatalf("link %s, mailed %s", link, tok)
		}
		r := e.accept(tok, "boss")
		wantStatus(t, r, 201)
		var boss api.Tokens
		r.decode(t, &boss)
		var org api.OrgSettings
		r = e.do(req{method: "GET", path: "/v1/org", token: boss.AccessToken})
		wantStatus(t, r, 200)
		r.decode(t, &org)
		if org.OrgNumber != "556000-0001" || org.DisplayName != "Beta AB" {
			t.Fatalf("owner's org %+v", org)
		}
		var users []api.OrgUser
		e.do(req{method: "GET", path: "/v1/org/users", token: boss.AccessToken}).decode(t, &users)
		if len(users) != 1 || !users[0].Owner || !users[0].Admin {
			t.Fatalf("org B users %+v", users)
		}

		// B's admin acting on A's people and invitations finds nothing and
		// changes nothing.
		adm := e.admin().AccessToken
		var inv api.Invitation
		e.invite(adm, api.InvitationRequest{Email: "a-only@example.com", DisplayName: "A Only"}).decode(t, &inv)
		before := snapshot(t, e)
		agent := e.demo.Agents[0].ID
		for _, c := range []struct{ method, path string }{
			{"POST", "/v1/org/users/" + agent + "/deactivate"},
			{"POST", "/v1/org/users/" + agent + "/reactivate"},
			{"DELETE", "/v1/org/users/" + agent},
			{"POST", "/v1/org/invitations/" + inv.ID + "/resend"},
			{"DELETE", "/v1/org/invitations/" + inv.ID},
		} {
			r := e.do(req{method: c.method, path: c.path, token: boss.AccessToken, body: api.PasswordProof{Password: "Tangerine-Orbit-42"}})
			wantError(t, r, 404, api.CodeNotFound)
		}
		var invs []api.Invitation
		e.do(req{method: "GET", path: "/v1/org/invitations", token: boss.AccessToken}).decode(t, &invs)
		if len(invs) != 0 {
			t.Errorf("B sees A's invitations: %+v", invs)
		}
		if after := snapshot(t, e); after != before {
			t.Error("org B's admin changed org A")
		}

		// An operator disables B: its tokens die, nobody signs in.
		rows, err := e.srv.Organisations(ctx)
		if err != nil || len(rows) != 2 || rows[1].ID != orgB || rows[1].Members != 1 {
			t.Fatalf("organisations %+v %v", rows, err)
		}
		if n, err := e.srv.DisableOrganisation(ctx, orgB); err != nil || n != 1 {
			t.Fatalf("disable: %d sessions, %v", n, err)
		}
		wantError(t, e.do(req{method: "GET", path: "/v1/me", token: boss.AccessToken}), 401, api.CodeUnauthorized)
		wantError(t, e.do(req{method: "POST", path: "/v1/sessions", body: api.SignInRequest{Login: "boss", Password: "Tangerine-Orbit-42"}}), 401, api.CodeUnauthorized)
		e.admin() // A is untouched
		if _, err := e.srv.DisableOrganisation(ctx, "org_nope"); err == nil {
			t.Error("disabled an organisation that does not exist")
		}
	})
}

func itoa(i int) string { return strconv.Itoa(i) }

// pendingInvitation is the ID of a pending invitation of the demo
// organisation, made through the store on first use.
func (e *env) pendingInvitation() string {
	e.t.Helper()
	const id = "inv_demo_pending"
	now := time.Now()
	err := e.srv.Store().Q().CreateInvitation(context.Background(), &store.Invitation{ID: id, OrgID: e.demo.OrgID,
		Email: "pending@example.com", DisplayName: "Pat Pending", InvitedBy: "Ada Admin", SentCount: 1,
		CreatedAt: now, SentAt: now, ExpiresAt: now.Add(api.InvitationTTL)}, "not-a-token-hash", now)
	if err != nil && !errors.Is(err, store.ErrConflict) {
		e.t.Fatal(err)
	}
	return id
}

// TestHostilePeople: hostile input to the people routes is a clear 4xx
// naming the field and changes nothing; odd but valid names are kept
// exactly.
func TestHostilePeople(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		adm := e.admin().AccessToken
		wantStatus(t, e.invite(adm, api.InvitationRequest{Email: "host@example.com", DisplayName: "Host"}), 201)
		tok := e.inviteLink("host@example.com")
		inv := func(email, name string) api.InvitationRequest {
			return api.InvitationRequest{Email: email, DisplayName: name}
		}
		acc := func(username, password string) api.InvitationAccept {
			return api.InvitationAccept{Token: tok, Username: username, Password: password}
		}
		cases := []struct {
			name, method, path string
			token              string
			body               any
			status             int
			field              string
		}{
			{"email with a header", "POST", "/v1/org/invitations", adm, inv("ann@example.com\r\nBcc: all@example.com", "Ann"), 422, "email"},
			{"email with a display name", "POST", "/v1/org/invitations", adm, inv("Ann <ann@example.com>", "Ann"), 422, "email"},
			{"email with markup", "POST", "/v1/org/invitations", adm, inv("<script>@example.com", "Ann"), 422, "email"},
			{"255-character email", "POST", "/v1/org/invitations", adm, inv(strings.Repeat("a", 243)+"@example.com", "Ann"), 422, "email"},
			{"right-to-left override in a name", "POST", "/v1/org/invitations", adm, inv("ann@example.com", "Ann\u202enimdA"), 422, "display_name"},
			{"zero-width space in a name", "POST", "/v1/org/invitations", adm, inv("ann@example.com", "An\u200bn"), 422, "display_name"},
			{"65-character name", "POST", "/v1/org/invitations", adm, inv("ann@example.com", strings.Repeat("é", 65)), 422, "display_name"},
			{"terminal escape in a name", "POST", "/v1/org/invitations", adm, inv("ann@example.com", "\x1b[31mred"), 422, "display_name"},
			{"license injection", "POST", "/v1/org/invitations", adm, api.InvitationRequest{Email: "ann@example.com", DisplayName: "Ann", License: "pro' OR '1'='1"}, 422, "license"},
			{"an unknown name", "POST", "/v1/org/invitations", adm, `{"email":"ann@example.com","display_name":"Ann","admin":true}`, 400, "admin"},
			{"a name in capitals", "POST", "/v1/org/invitations", adm, `{"EMAIL":"ann@example.com","display_name":"Ann"}`, 400, "EMAIL"},
			{"options of the wrong type", "POST", "/v1/org/invitations", adm, `{"email":"ann@example.com","display_name":"Ann","options":["x"]}`, 400, "options"},
			{"username with markup", "POST", "/v1/invitations/accept", "", acc("<b>ann</b>", "Tangerine-Orbit-42"), 422, "username"},
			{"username with a quote", "POST", "/v1/invitations/accept", "", acc("ann'--", "Tangerine-Orbit-42"), 422, "username"},
			{"33-character username", "POST", "/v1/invitations/accept", "", acc(strings.Repeat("a", 33), "Tangerine-Orbit-42"), 422, "username"},
			{"zero-width space in a username", "POST", "/v1/invitations/accept", "", acc("an\u200bn", "Tangerine-Orbit-42"), 422, "username"},
			{"1025-byte password", "POST", "/v1/invitations/accept", "", acc("ann", "Aa1!"+strings.Repeat("x", 1021)), 422, "password"},
			{"password with the address", "POST", "/v1/invitations/accept", "", acc("ann", "host@example.com-9A"), 422, "password"},
			{"200-byte token", "POST", "/v1/invitations/accept", "", api.InvitationAccept{Token: "psl_" + strings.Repeat("x", 196), Username: "ann", Password: "Tangerine-Orbit-42"}, 422, "token"},
			{"2000-byte password to delete", "DELETE", "/v1/org/users/usr_demo_agent2", adm, api.PasswordProof{Password: strings.Repeat("x", 2000)}, 422, "password"},
			{"injected user ID", "POST", "/v1/org/users/x'%20OR%20'1'='1/deactivate", adm, nil, 404, ""},
			{"traversing user ID", "POST", "/v1/org/users/%2e%2e%2fusr_demo_agent1/deactivate", adm, nil, 404, ""},
			{"injected invitation ID", "DELETE", "/v1/org/invitations/x'%20OR%20'1'='1", adm, nil, 404, ""},
		}
		for _, c := range cases {
			before := snapshot(t, e)
			r := e.do(req{method: c.method, path: c.path, token: c.token, body: c.body})
			if r.status != c.status {
				t.Errorf("%s: %d %s, want %d", c.name, r.status, r.body, c.status)
				continue
			}
			if ae := r.apiErr(t); c.field != "" && ae.Fields[c.field] == nil {
				t.Errorf("%s: %s does not name %q", c.name, r.body, c.field)
			}
			if after := snapshot(t, e); after != before {
				t.Errorf("%s: the refused request changed the database", c.name)
			}
		}

		// Accepted exactly as sent.
		for i, name := range []string{"Robert'); DROP TABLE users;--", "<img src=x onerror=\"alert(1)\">", `=HYPERLINK("http://x","click")`, "Zoë Márquez", "שלום עליכם"} {
			email := "odd" + itoa(i) + "+tag@example.com"
			wantStatus(t, e.invite(adm, inv(email, name)), 201)
			r := e.accept(e.inviteLink(email), "odd"+itoa(i))
			wantStatus(t, r, 201)
			var tk api.Tokens
			r.decode(t, &tk)
			var p api.Profile
			e.do(req{method: "GET", path: "/v1/me/profile", token: tk.AccessToken}).decode(t, &p)
			if p.DisplayName != name || p.Email != email {
				t.Errorf("sent %q <%s>, stored %q <%s>", name, email, p.DisplayName, p.Email)
			}
		}
	})
}

// TestDeactivatedRefusedEveryWay: a deactivated user gets no session by a
// password, by a second factor answered after the password, or by a
// challenge issued before the deactivation (single sign-on: server/sso's
// TestDeactivatedRefused).
func TestDeactivatedRefusedEveryWay(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e, clk := newClockEnv(t)
		secret, _ := enrol(t, e, clk, "agent1")
		early, _ := challenge(t, e, "agent1", "")
		adm := e.admin().AccessToken
		wantStatus(t, e.do(req{method: "POST", path: "/v1/org/users/usr_demo_agent1/deactivate", token: adm}), 200)
		sessions := func() int {
			return countRows(t, e, `SELECT COUNT(*) FROM sessions WHERE user_id = 'usr_demo_agent1'`)
		}
		if n := sessions(); n != 0 {
			t.Fatalf("%d sessions survive deactivation", n)
		}
		disabled := func(r resp, how string) {
			t.Helper()
			if er := wantError(t, r, 401, api.CodeUnauthorized); er.Reason == nil || er.Reason.Code != api.ReasonAccountDisabled {
				t.Errorf("%s: %s", how, r.body)
			}
		}
		// Deactivation dropped the pending challenge with the user's links.
		r := secondFactor(e, early, totpAt(t, secret, clk.Now()), false)
		if er := wantError(t, r, 401, api.CodeUnauthorized); er.Reason == nil || er.Reason.Code != api.ReasonTokenInvalid {
			t.Errorf("challenge from before: %s", r.body)
		}
		clk.Add(30 * time.Second)
		r = e.do(req{method: "POST", path: "/v1/sessions", body: api.SignInRequest{Login: "agent1", Password: server.DemoPassword, Device: "t"}})
		if r.status == 401 && r.apiErr(t).Code == api.CodeSecondFactorRequired {
			ch, _ := challenge(t, e, "agent1", "")
			r = secondFactor(e, ch, totpAt(t, secret, clk.Now()), false)
		}
		disabled(r, "password and second factor")
		if n := sessions(); n != 0 {
			t.Errorf("a deactivated user got %d sessions", n)
		}
	})
}
