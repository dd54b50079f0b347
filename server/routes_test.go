package server_test

import (
	"testing"

	"github.com/phoneset/phoneset/api"
)

func TestDevOutbox(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		wantStatus(t, e.do(req{method: "POST", path: "/v1/password-resets", body: api.PasswordResetRequest{Login: "agent1", Channel: "sms"}}), 202)
		r := e.do(req{method: "GET", path: "/v1/dev/outbox"})
		wantStatus(t, r, 200)
		var msgs []struct{ To, Body string }
		r.decode(t, &msgs)
		if len(msgs) == 0 || msgs[len(msgs)-1].To != "+46701234502" || !smsCode.MatchString(msgs[len(msgs)-1].Body) {
			t.Fatalf("outbox %+v", msgs)
		}
	})
}
