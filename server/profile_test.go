package server_test

import (
	"net/http"
	"testing"

	"github.com/phoneset/phoneset/api"
)

func TestProfileRead(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		tok := e.agent1()
		r := e.do(req{method: "GET", path: "/v1/me/profile", token: tok.AccessToken})
		wantStatus(t, r, 200)
		var p api.Profile
		r.decode(t, &p)
		if r.header.Get("ETag") != api.ETag(p.Version) {
			t.Errorf("ETag %q for version %d", r.header.Get("ETag"), p.Version)
		}
		if p.DisplayName != "Bo Agent" || p.Username != "agent1" || p.TimeZone != "Europe/Stockholm" || p.Language != "en" {
			t.Errorf("profile = %+v", p)
		}
		if len(p.AdminInfo) == 0 || p.ExtraInfo == nil {
			t.Errorf("admin info %v, extra info %v", p.AdminInfo, p.ExtraInfo)
		}

		r = e.do(req{method: "GET", path: "/v1/me", token: tok.AccessToken})
		wantStatus(t, r, 200)
		var me api.Me
		r.decode(t, &me)
		if me.Org.DisplayName != "Demo Contact Centre" || me.User.Can(api.PermAccount) || len(me.Org.ReasonCodes) != 3 {
			t.Errorf("me = %+v", me)
		}
		if me.Profile.Version != p.Version || me.Status.Availability != api.Offline || me.Status.QueueEligible {
			t.Errorf("me profile/status = %+v / %+v", me.Profile, me.Status)
		}
	})
}

func TestProfilePatch(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		tests := []struct {
			name    string
			patch   any
			header  map[string]string
			status  int
			code    string
			field   string
			check   func(t *testing.T, p api.Profile)
			changes bool
		}{
			{name: "names", patch: api.ProfilePatch{FirstName: ptr("Bodil"), LastName: ptr("Åström"), DisplayName: ptr("Bodil Å.")},
				header: ifMatch(1), status: 200, changes: true,
				check: func(t *testing.T, p api.Profile) {
					if p.FirstName != "Bodil" || p.LastName != "Åström" || p.DisplayName != "Bodil Å." || p.Version != 2 {
						t.Errorf("profile = %+v", p)
					}
				}},
			{name: "username, time zone, language", patch: api.ProfilePatch{Username: ptr("Bo.Agent"), TimeZone: ptr("America/New_York"), Language: ptr("sv")},
				header: ifMatch(1), status: 200, changes: true,
				check: func(t *testing.T, p api.Profile) {
					if p.Username != "Bo.Agent" || p.TimeZone != "America/New_York" || p.Language != "sv" {
						t.Errorf("profile = %+v", p)
					}
				}},
			{name: "hide both numbers", patch: api.ProfilePatch{HideMobile: ptr(true), HideFixed: ptr(true)}, header: ifMatch(1), status: 200, changes: true,
				check: func(t *testing.T, p api.Profile) {
					if !p.HideMobile || !p.HideFixed || !p.CallsViaMobileVoIP {
						t.Errorf("profile = %+v", p)
					}
				}},
			{name: "hide one number", patch: api.ProfilePatch{HideFixed: ptr(true)}, header: ifMatch(1), status: 200, changes: true,
				check: func(t *testing.T, p api.Profile) {
					if p.HideMobile || !p.HideFixed || p.CallsViaMobileVoIP {
						t.Errorf("profile = %+v", p)
					}
				}},
			{name: "extra info", patch: api.ProfilePatch{ExtraInfo: &[]api.InfoField{{Label: "Skills", Value: "Swedish, English"}}}, header: ifMatch(1), status: 200, changes: true,
				check: func(t *testing.T, p api.Profile) {
					if len(p.ExtraInfo) != 1 || p.ExtraInfo[0].Label != "Skills" || len(p.AdminInfo) != 2 {
						t.Errorf("profile = %+v", p)
					}
				}},
			{name: "no change keeps the version", patch: api.ProfilePatch{DisplayName: ptr("Bo Agent")}, header: ifMatch(1), status: 200,
				check: func(t *testing.T, p api.Profile) {
					if p.Version != 1 {
						t.Errorf("version = %d", p.Version)
					}
				}},
			{name: "missing If-Match", patch: api.ProfilePatch{DisplayName: ptr("X")}, status: 428, code: api.CodePreconditionRequired},
			{name: "malformed If-Match", patch: api.ProfilePatch{DisplayName: ptr("X")}, header: map[string]string{"If-Match": "1"}, status: 400, code: api.CodeInvalid},
			{name: "stale", patch: api.ProfilePatch{DisplayName: ptr("X")}, header: ifMatch(7), status: 412, code: api.CodeStale},
			{name: "empty display name", patch: api.ProfilePatch{DisplayName: ptr("")}, header: ifMatch(1), status: 422, code: api.CodeInvalid, field: "display_name"},
			{name: "bad time zone", patch: api.ProfilePatch{TimeZone: ptr("Mars/Olympus")}, header: ifMatch(1), status: 422, code: api.CodeInvalid, field: "time_zone"},
			{name: "bad language", patch: api.ProfilePatch{Language: ptr("xx")}, header: ifMatch(1), status: 422, code: api.CodeInvalid, field: "language"},
			{name: "bad username", patch: api.ProfilePatch{Username: ptr("a b")}, header: ifMatch(1), status: 422, code: api.CodeInvalid, field: "username"},
			{name: "username taken, other case", patch: api.ProfilePatch{Username: ptr("AGENT2")}, header: ifMatch(1), status: 409, code: api.CodeConflict, field: "username"},
			{name: "email is not patchable", patch: `{"email":"x@example.com"}`, header: ifMatch(1), status: 400, code: api.CodeInvalid, field: "email"},
			{name: "admin info is read-only", patch: `{"admin_info":[]}`, header: ifMatch(1), status: 400, code: api.CodeInvalid, field: "admin_info"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e := newEnv(t)
				tok := e.agent1()
				r := e.do(req{method: "PATCH", path: "/v1/me/profile", token: tok.AccessToken, body: tt.patch, header: tt.header})
				var after api.Profile
				e.do(req{method: "GET", path: "/v1/me/profile", token: tok.AccessToken}).decode(t, &after)
				if tt.code != "" {
					ae := wantError(t, r, tt.status, tt.code)
					if tt.field != "" && ae.Fields[tt.field] == nil {
						t.Errorf("fields = %v, want %s", ae.Fields, tt.field)
					}
					if after.Version != 1 || after.DisplayName != "Bo Agent" || after.Username != "agent1" {
						t.Errorf("a refused write changed the profile: %+v", after)
					}
					return
				}
				wantStatus(t, r, tt.status)
				var p api.Profile
				r.decode(t, &p)
				if r.header.Get("ETag") != api.ETag(p.Version) {
					t.Errorf("ETag %q, version %d", r.header.Get("ETag"), p.Version)
				}
				tt.check(t, p)
				tt.check(t, after)
				n := auditActions(t, e, "user/"+e.demo.Agents[0].ID+"/profile")["profile.update"]
				if tt.changes != (n > 0) {
					t.Errorf("profile.update events = %d, changes %v", n, tt.changes)
				}
			})
		}
	})
}

func TestProfileAuditOldNew(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		tok := e.agent1()
		r := e.do(req{method: "PATCH", path: "/v1/me/profile", token: tok.AccessToken, header: ifMatch(1),
			body: api.ProfilePatch{DisplayName: ptr("Bo A."), HideMobile: ptr(true)}})
		wantStatus(t, r, http.StatusOK)
		evs, err := e.srv.Store().Q().AuditEvents(t.Context(), storeFilter(e.demo.OrgID, "user/"+e.demo.Agents[0].ID+"/profile"))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][2]string{}
		for _, ev := range evs {
			if ev.ActorID != e.demo.Agents[0].ID || ev.IP != "127.0.0.1" || ev.At.IsZero() {
				t.Errorf("event %+v", ev)
			}
			got[ev.Field] = [2]string{ev.Old, ev.New}
		}
		want := map[string][2]string{"display_name": {"Bo Agent", "Bo A."}, "hide_mobile": {"false", "true"}}
		for f, w := range want {
			if got[f] != w {
				t.Errorf("%s: %v, want %v", f, got[f], w)
			}
		}
		if len(got) != len(want) {
			t.Errorf("events for %v, want only %v", got, want)
		}
	})
}
