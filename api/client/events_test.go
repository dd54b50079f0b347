package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/phoneset/phoneset/api"
)

// TestWatchStatusResumes: after a stream ends (resync, a dropped
// connection, a 503), the client reconnects with the last event's id and
// passes each status version on once, whatever the server sends again; a
// resume point the server refuses is dropped; a session the server ends
// for good ends the watch.
func TestWatchStatusResumes(t *testing.T) {
	status := func(id string, version int64) string {
		return fmt.Sprintf("id: %s\nevent: status\ndata: {\"user_id\":\"u1\",\"status\":{\"version\":%d,\"availability\":\"online\"}}\n\n", id, version)
	}
	// Each connection's answer, in order; what it sent as Last-Event-ID is
	// recorded.
	answers := []struct {
		code int
		body string
	}{
		{200, status("10", 1) + ": ping\n\n" + status("11", 2) + "event: end\ndata: {\"code\":\"resync\"}\n\n"},
		{200, status("11", 2) + status("12", 3)}, // 2 again; then the connection drops
		{503, `{"error":{"code":"unavailable","message":"busy"}}`},
		{400, `{"error":{"code":"invalid","message":"unknown id"}}`},
		{200, status("13", 4) + "event: end\ndata: {\"code\":\"unauthorized\"}\n\n"},
	}
	var mu sync.Mutex
	var lastIDs []string
	n := 0
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/sessions/refresh" {
			writeJSON(w, 401, api.ErrorBody{Error: &api.Error{Code: api.CodeUnauthorized, Message: "session ended"}})
			return
		}
		mu.Lock()
		lastIDs = append(lastIDs, r.Header.Get("Last-Event-ID"))
		a := answers[min(n, len(answers)-1)]
		n++
		mu.Unlock()
		if a.code != 200 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(a.code)
			w.Write([]byte(a.body))
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		w.Write([]byte(a.body))
	}), WithTokens(api.Tokens{AccessToken: "tok", RefreshToken: "ref"}))
	var versions []int64
	err := c.WatchStatus(context.Background(), func(ev api.StatusEvent) { versions = append(versions, ev.Status.Version) })
	var ae *api.Error
	if !errors.As(err, &ae) || ae.Status != 401 {
		t.Errorf("watch ended with %v, want the refresh's 401", err)
	}
	if want := []int64{1, 2, 3, 4}; !slices.Equal(versions, want) {
		t.Errorf("versions passed on %v, want %v", versions, want)
	}
	// Resumes after the last event seen; the refused id is dropped.
	if want := []string{"", "11", "12", "12", ""}; !slices.Equal(lastIDs, want) {
		t.Errorf("Last-Event-IDs sent %q, want %q", lastIDs, want)
	}
}
