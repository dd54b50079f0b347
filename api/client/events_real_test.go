package client_test

import (
	"context"
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server"
	"github.com/phoneset/phoneset/server/servertest"
)

// watching runs WatchStatus on its own goroutine, handing events and its
// end over channels.
func watching(t *testing.T, c interface {
	WatchStatus(context.Context, func(api.StatusEvent)) error
}) (<-chan api.StatusEvent, <-chan error) {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	events, done := make(chan api.StatusEvent, 64), make(chan error, 1)
	go func() { done <- c.WatchStatus(ctx, func(ev api.StatusEvent) { events <- ev }) }()
	return events, done
}

func nextEvent(t *testing.T, events <-chan api.StatusEvent, want api.Availability) api.StatusEvent {
	t.Helper()
	for {
		select {
		case ev := <-events:
			if ev.Status.Availability == want {
				return ev
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("no %s event within 20 s", want)
		}
	}
}

// TestWatchStatusReal: the stream against the real backend: a change on
// another device arrives, a supervisor's change names the supervisor, an
// expired access token is refreshed on the way, and a signed-out session
// ends the watch.
func TestWatchStatusReal(t *testing.T) {
	_, url, demo := servertest.NewWith(t, server.Config{LiveRecheck: 50 * time.Millisecond})
	watcher := signedIn(t, url, "agent1", server.DemoPassword)
	// A stale access token: the first connection is refused and the
	// client refreshes before it resumes.
	tok := watcher.Tokens()
	tok.AccessToken = "psa_stale"
	watcher.SetTokens(tok)
	events, done := watching(t, watcher)
	first := nextEvent(t, events, api.Offline)
	if first.UserID != demo.Agents[0].ID {
		t.Fatalf("first event %+v", first)
	}
	if watcher.Tokens().AccessToken == "psa_stale" {
		t.Error("the access token was not refreshed")
	}

	other := signedIn(t, url, "agent1", server.DemoPassword)
	s, err := other.Status(context.Background())
	check(t, err)
	_, err = other.SetStatus(context.Background(), s.Version, api.StatusUpdate{Availability: api.Unavailable, ReasonCode: "lunch"})
	check(t, err)
	if ev := nextEvent(t, events, api.Unavailable); ev.Status.ReasonCode != "lunch" {
		t.Errorf("event %+v", ev)
	}

	sup := signedIn(t, url, "admin", server.DemoPassword)
	agents, err := sup.Agents(context.Background())
	check(t, err)
	var version int64
	for _, a := range agents {
		if a.ID == demo.Agents[0].ID {
			version = a.Status.Version
		}
	}
	_, err = sup.SetAgentStatus(context.Background(), demo.Agents[0].ID, version, api.StatusUpdate{Availability: api.Online})
	check(t, err)
	if ev := nextEvent(t, events, api.Online); ev.Status.ChangedByName != "Ada Admin" {
		t.Errorf("supervisor's change shows %q", ev.Status.ChangedByName)
	}

	check(t, watcher.SignOut(context.Background()))
	select {
	case err := <-done:
		wantCode(t, err, 401, api.CodeUnauthorized)
	case <-time.After(20 * time.Second):
		t.Fatal("the watch went on after sign-out")
	}
}
