package api_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/phoneset/phoneset/api"
)

func TestAwayReason(t *testing.T) {
	codes := []api.ReasonCode{{Code: "old", Retired: true}, {Code: "lunch"}, {Code: "away"}}
	tests := []struct {
		name   string
		chosen string
		codes  []api.ReasonCode
		want   string
	}{
		{"chosen", "away", codes, "away"},
		{"none chosen: the first active", "", codes, "lunch"},
		{"retired: the first active", "old", codes, "lunch"},
		{"deleted: the first active", "nap", codes, "lunch"},
		{"no active reason", "old", codes[:1], ""},
		{"no reasons", "", nil, ""},
	}
	for _, tt := range tests {
		if got := api.AwayReason(api.Presence{AwayReasonCode: tt.chosen}, tt.codes); got != tt.want {
			t.Errorf("%s: AwayReason = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestValidatePresence(t *testing.T) {
	codes := []api.ReasonCode{{Code: "old", Retired: true}, {Code: "lunch"}}
	tests := []struct {
		name string
		u    api.PresenceUpdate
		bad  []string
	}{
		{"defaults", api.PresenceUpdate{LockAway: true}, nil},
		{"a reason", api.PresenceUpdate{AwayReasonCode: "lunch", IdleMinutes: 10, AutoOnline: true}, nil},
		{"retired reason", api.PresenceUpdate{AwayReasonCode: "old"}, []string{api.FieldAwayReasonCode}},
		{"unknown reason", api.PresenceUpdate{AwayReasonCode: "nap"}, []string{api.FieldAwayReasonCode}},
		{"longest idle", api.PresenceUpdate{IdleMinutes: api.MaxIdleMinutes}, nil},
		{"idle too long", api.PresenceUpdate{IdleMinutes: api.MaxIdleMinutes + 1}, []string{api.FieldIdleMinutes}},
		{"negative idle", api.PresenceUpdate{IdleMinutes: -1, AwayReasonCode: "x"}, []string{api.FieldAwayReasonCode, api.FieldIdleMinutes}},
	}
	for _, tt := range tests {
		got := api.ValidatePresence(tt.u, codes)
		if fields := slices.Sorted(maps.Keys(got)); !slices.Equal(fields, tt.bad) {
			t.Errorf("%s: ValidatePresence = %v, want errors on %v", tt.name, got, tt.bad)
		}
	}
}

func TestValidateTimer(t *testing.T) {
	tests := []struct {
		minutes int
		then    api.Availability
		bad     []string
	}{
		{0, api.Online, nil},
		{30, api.Offline, nil},
		{api.MaxStatusMinutes, api.Online, nil},
		{api.MaxStatusMinutes + 1, api.Online, []string{api.FieldMinutes}},
		{-5, api.Online, []string{api.FieldMinutes}},
		{15, api.Unavailable, []string{api.FieldThen}},
		{15, "", []string{api.FieldThen}},
	}
	for _, tt := range tests {
		got := api.ValidateTimer(tt.minutes, tt.then)
		if fields := slices.Sorted(maps.Keys(got)); !slices.Equal(fields, tt.bad) {
			t.Errorf("ValidateTimer(%d, %q) = %v, want errors on %v", tt.minutes, tt.then, got, tt.bad)
		}
	}
	for _, m := range []int{0, -1, api.MaxStatusMinutes + 1} {
		if api.ValidateExtend(api.StatusExtend{Minutes: m}) == nil {
			t.Errorf("extend by %d accepted", m)
		}
	}
	if api.ValidateExtend(api.StatusExtend{Minutes: 5}) != nil {
		t.Error("extend by 5 refused")
	}
}

func ptr[T any](v T) *T { return &v }
