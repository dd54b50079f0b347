package server_test

import (
	"context"
	"net/http"
	"testing"
	"time"

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

// TestDevInFlight: the count holds a request while its handler runs (an
// event stream) and lets it go when it ends; the asking request is not in
// it.
func TestDevInFlight(t *testing.T) {
	e := newEnv(t)
	inFlight := func() int64 {
		var n api.InFlight
		r := e.do(req{method: "GET", path: "/v1/dev/in-flight"})
		wantStatus(t, r, 200)
		r.decode(t, &n)
		return n.Requests
	}
	if n := inFlight(); n != 0 {
		t.Fatalf("%d in flight before any request", n)
	}
	ctx, cancel := context.WithCancel(t.Context())
	hr, _ := http.NewRequestWithContext(ctx, "GET", e.base+"/v1/me/events", nil)
	hr.Header.Set("Authorization", "Bearer "+e.agent1().AccessToken)
	res, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 {
		t.Fatalf("events: %d", res.StatusCode)
	}
	if n := inFlight(); n != 1 {
		t.Errorf("%d in flight with one event stream open", n)
	}
	cancel()
	res.Body.Close()
	for inFlight() != 0 { // the handler sees the stream end
		time.Sleep(10 * time.Millisecond)
	}
}
