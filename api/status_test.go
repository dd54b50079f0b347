package api_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/phoneset/phoneset/api"
)

func TestValidateStatus(t *testing.T) {
	codes := []api.ReasonCode{{Code: "lunch", Label: "Lunch"}, {Code: "training", Label: "Training", Retired: true}}
	tests := []struct {
		name string
		u    api.StatusUpdate
		bad  []string // fields refused
	}{
		{"online", api.StatusUpdate{Availability: api.Online}, nil},
		{"offline", api.StatusUpdate{Availability: api.Offline}, nil},
		{"unavailable with a reason", api.StatusUpdate{Availability: api.Unavailable, ReasonCode: "lunch"}, nil},
		{"unavailable without a reason", api.StatusUpdate{Availability: api.Unavailable}, []string{api.FieldReasonCode}},
		{"unknown reason", api.StatusUpdate{Availability: api.Unavailable, ReasonCode: "nap"}, []string{api.FieldReasonCode}},
		{"retired reason", api.StatusUpdate{Availability: api.Unavailable, ReasonCode: "training"}, []string{api.FieldReasonCode}},
		{"reason case matters", api.StatusUpdate{Availability: api.Unavailable, ReasonCode: "Lunch"}, []string{api.FieldReasonCode}},
		{"reason while online", api.StatusUpdate{Availability: api.Online, ReasonCode: "lunch"}, []string{api.FieldReasonCode}},
		{"reason while offline", api.StatusUpdate{Availability: api.Offline, ReasonCode: "lunch"}, []string{api.FieldReasonCode}},
		{"unknown availability", api.StatusUpdate{Availability: "away", ReasonCode: "lunch"}, []string{api.FieldAvailability}},
		{"no availability", api.StatusUpdate{}, []string{api.FieldAvailability}},
		{"availability case matters", api.StatusUpdate{Availability: "Online"}, []string{api.FieldAvailability}},
		{"timer", api.StatusUpdate{Availability: api.Unavailable, ReasonCode: "lunch", Minutes: ptr(30)}, nil},
		{"no timer", api.StatusUpdate{Availability: api.Unavailable, ReasonCode: "lunch", Minutes: ptr(0)}, nil},
		{"longest timer", api.StatusUpdate{Availability: api.Unavailable, ReasonCode: "lunch", Minutes: ptr(api.MaxStatusMinutes)}, nil},
		{"timer too long", api.StatusUpdate{Availability: api.Unavailable, ReasonCode: "lunch", Minutes: ptr(api.MaxStatusMinutes + 1)}, []string{api.FieldMinutes}},
		{"negative timer", api.StatusUpdate{Availability: api.Unavailable, ReasonCode: "lunch", Minutes: ptr(-1)}, []string{api.FieldMinutes}},
		{"timer while online", api.StatusUpdate{Availability: api.Online, Minutes: ptr(5)}, []string{api.FieldMinutes}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := api.ValidateStatus(tt.u, codes)
			if fields := slices.Sorted(maps.Keys(got)); !slices.Equal(fields, tt.bad) {
				t.Fatalf("ValidateStatus(%+v) = %v, want errors on %v", tt.u, got, tt.bad)
			}
			for f, why := range got {
				if why == nil || api.ReasonText(why.Code) == "" {
					t.Errorf("field %s refused without a reason", f)
				}
			}
		})
	}
	if got := api.ValidateStatus(api.StatusUpdate{Availability: api.Unavailable, ReasonCode: "lunch"}, nil); got == nil {
		t.Error("a reason the organisation does not have was accepted")
	}
}

func TestActiveReasonCodes(t *testing.T) {
	tests := []struct {
		codes []api.ReasonCode
		want  []string
	}{
		{nil, nil},
		{[]api.ReasonCode{{Code: "old", Retired: true}}, nil},
		{[]api.ReasonCode{{Code: "lunch"}, {Code: "old", Retired: true}, {Code: "admin"}}, []string{"lunch", "admin"}},
	}
	for _, tt := range tests {
		var got []string
		for _, c := range api.ActiveReasonCodes(tt.codes) {
			got = append(got, c.Code)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("ActiveReasonCodes(%v) = %v, want %v", tt.codes, got, tt.want)
		}
	}
}
