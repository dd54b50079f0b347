package ui

import (
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
)

func TestUserZone(t *testing.T) {
	at := time.Date(2026, 10, 31, 23, 30, 0, 0, time.UTC)
	tests := []struct {
		user, org string
		stamp     string
	}{
		{"Europe/Stockholm", "America/New_York", "2026-11-01 00:30"},
		{"", "America/New_York", "2026-10-31 19:30"},
		{"Not/AZone", "Asia/Tokyo", "2026-11-01 08:30"},
	}
	for _, tt := range tests {
		me := api.Me{Profile: api.Profile{TimeZone: tt.user}, Org: api.OrgSummary{TimeZone: tt.org}}
		z := zoneFunc(func() *time.Location { return userZone(me) })
		if got := z.stamp(at); got != tt.stamp {
			t.Errorf("user %q org %q: %s, want %s", tt.user, tt.org, got, tt.stamp)
		}
	}
}
