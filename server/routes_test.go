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
// it. A handler may still be returning just after its answer arrived, so
// each count is awaited.
func TestDevInFlight(t *testing.T) {
	e := newEnv(t)
	waitFor := func(want int64) {
		t.Helper()
		var n api.InFlight
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(5 * time.Millisecond) {
			r := e.do(req{method: "GET", path: "/v1/dev/in-flight"})
			wantStatus(t, r, 200)
			r.decode(t, &n)
			if n.Requests == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d requests in flight, want %d", n.Requests, want)
			}
		}
	}
	tok := e.agent1().AccessToken
	waitFor(0)
	ctx, cancel := context.WithCancel(t.Context())
	hr, _ := http.NewRequestWithContext(ctx, "GET", e.base+"/v1/me/events", nil)
	hr.Header.Set("Authorization", "Bearer "+tok)
	res, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 {
		t.Fatalf("events: %d", res.StatusCode)
	}
	waitFor(1)
	cancel()
	res.Body.Close()
	waitFor(0)
}
