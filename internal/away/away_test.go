package away

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
)

// fakeAgent records what Follow does.
type fakeAgent struct {
	mu     sync.Mutex
	avail  api.Availability
	reason string
	policy api.Presence
	did    []string
}

func (a *fakeAgent) Status() (api.Availability, string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.avail, a.reason
}

func (a *fakeAgent) Policy() (api.Presence, []api.ReasonCode) {
	return a.policy, []api.ReasonCode{{Code: "old", Retired: true}, {Code: "lunch"}, {Code: "away"}}
}

func (a *fakeAgent) SetStatus(u api.StatusUpdate) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.avail, a.reason = u.Availability, u.ReasonCode
	a.did = append(a.did, fmt.Sprintf("set %s %s", u.Availability, u.ReasonCode))
}

func (a *fakeAgent) AskBackOnline() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.did = append(a.did, "ask")
}

func (a *fakeAgent) done() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.did)
}

func TestFollower(t *testing.T) {
	lockAway := api.Presence{LockAway: true, AwayReasonCode: "away"}
	tests := []struct {
		name   string
		policy api.Presence
		start  api.Availability
		steps  []any // Event, time.Duration (idle), or func(*fakeAgent)
		want   []string
	}{
		{"lock and unlock", lockAway, api.Online, []any{Locked, Unlocked},
			[]string{"set unavailable away", "ask"}},
		{"back by itself when allowed", api.Presence{LockAway: true, AwayReasonCode: "away", AutoOnline: true}, api.Online, []any{Locked, Unlocked},
			[]string{"set unavailable away", "set online "}},
		{"no reason chosen: the first active", api.Presence{LockAway: true}, api.Online, []any{Locked},
			[]string{"set unavailable lunch"}},
		{"lock away off", api.Presence{}, api.Online, []any{Locked, Unlocked}, nil},
		{"already unavailable: left alone", lockAway, api.Unavailable, []any{Locked, Unlocked}, nil},
		{"offline: left alone", lockAway, api.Offline, []any{Locked, Unlocked}, nil},
		{"changed while locked: no question", lockAway, api.Online, []any{Locked, func(a *fakeAgent) { a.SetStatus(api.StatusUpdate{Availability: api.Offline}) }, Unlocked},
			[]string{"set unavailable away", "set offline "}},
		{"idle off by default", lockAway, api.Online, []any{time.Hour}, nil},
		{"idle", api.Presence{IdleMinutes: 10, AwayReasonCode: "away"}, api.Online,
			[]any{9 * time.Minute, 10 * time.Minute, 11 * time.Minute, 5 * time.Second},
			[]string{"set unavailable away", "ask"}},
		{"idle then locked: one question on unlock", api.Presence{LockAway: true, IdleMinutes: 5}, api.Online,
			[]any{6 * time.Minute, Locked, time.Second, Unlocked, time.Second},
			[]string{"set unavailable lunch", "ask"}},
		{"unlock without a lock", lockAway, api.Online, []any{Unlocked}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &fakeAgent{avail: tt.start, policy: tt.policy}
			f := &follower{a: a}
			for _, s := range tt.steps {
				switch s := s.(type) {
				case Event:
					f.event(s)
				case time.Duration:
					f.idle(s)
				case func(*fakeAgent):
					s(a)
				}
			}
			if got := a.done(); !slices.Equal(got, tt.want) {
				t.Fatalf("did %q, want %q", got, tt.want)
			}
		})
	}
}

// chanWatcher is a Watcher fed by the test.
type chanWatcher struct {
	ev   chan Event
	idle time.Duration
}

func (w *chanWatcher) Events() <-chan Event         { return w.ev }
func (w *chanWatcher) Idle() (time.Duration, error) { return w.idle, nil }
func (w *chanWatcher) Close() error                 { close(w.ev); return nil }

func TestFollowEndsWithWatcher(t *testing.T) {
	a := &fakeAgent{avail: api.Online, policy: api.Presence{LockAway: true}}
	w := &chanWatcher{ev: make(chan Event)}
	done := make(chan struct{})
	go func() { Follow(context.Background(), w, a, time.Hour); close(done) }()
	w.ev <- Locked
	w.Close()
	<-done
	if got := a.done(); !slices.Equal(got, []string{"set unavailable lunch"}) {
		t.Fatalf("did %q", got)
	}
}
