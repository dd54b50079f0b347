package account

import (
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
)

// TestApplyStatus: a pushed status replaces an older one, tells
// subscribers, and never moves the status back to an older version.
func TestApplyStatus(t *testing.T) {
	h := newHarness(t)
	m := h.signedIn()
	changes := make(chan Change, 16)
	defer m.Subscribe(func(c Change) { changes <- c })()
	start := m.Me().Status.Version
	tests := []struct {
		name    string
		push    api.Status
		want    api.Availability
		changed bool
	}{
		{"newer", api.Status{Version: start + 2, Availability: api.Unavailable, ReasonCode: "lunch", ChangedByName: "Ada Admin"}, api.Unavailable, true},
		{"older, arriving late", api.Status{Version: start + 1, Availability: api.Online}, api.Unavailable, false},
		{"the same again", api.Status{Version: start + 2, Availability: api.Online}, api.Unavailable, false},
		{"newer again", api.Status{Version: start + 3, Availability: api.Offline}, api.Offline, true},
	}
	for _, tt := range tests {
		m.ApplyStatus(tt.push)
		if got := m.Me().Status.Availability; got != tt.want {
			t.Errorf("%s: status %s, want %s", tt.name, got, tt.want)
		}
		for tt.changed {
			select {
			case c := <-changes:
				tt.changed = c&MeChanged == 0
			case <-time.After(10 * time.Second):
				t.Fatalf("%s: subscribers were not told", tt.name)
			}
		}
	}
	if m.Me().Status.ChangedByName != "" {
		t.Errorf("kept %q from an overwritten status", m.Me().Status.ChangedByName)
	}
	m.SignOut(t.Context())
	m.ApplyStatus(api.Status{Version: start + 9, Availability: api.Online}) // signed out: nothing to change
}
