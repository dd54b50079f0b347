package server_test

import (
	"testing"

	"github.com/phoneset/phoneset/api"
)

func TestNotifications(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		a := e.agent1()
		r := e.do(req{method: "PUT", path: "/v1/me/notifications", token: a.AccessToken, header: ifMatch(1),
			body: api.Notifications{EmailMissedCalls: true}})
		wantStatus(t, r, 200)
		var n api.Notifications
		r.decode(t, &n)
		if n.Version != 2 || !n.EmailMissedCalls || n.EmailVoicemails {
			t.Fatalf("notifications = %+v", n)
		}
		wantError(t, e.do(req{method: "PUT", path: "/v1/me/notifications", token: a.AccessToken, header: ifMatch(1),
			body: api.Notifications{EmailVoicemails: true}}), 412, api.CodeStale)
		r = e.do(req{method: "PUT", path: "/v1/me/notifications", token: a.AccessToken, header: ifMatch(2),
			body: api.Notifications{EmailMissedCalls: true, EmailVoicemails: true}})
		wantStatus(t, r, 200)
		r = e.do(req{method: "GET", path: "/v1/me/notifications", token: a.AccessToken})
		n = api.Notifications{}
		r.decode(t, &n)
		if n.Version != 3 || !n.EmailMissedCalls || !n.EmailVoicemails || r.header.Get("ETag") != `"3"` {
			t.Fatalf("notifications = %+v", n)
		}
	})
}
