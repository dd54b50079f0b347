package api_test

import (
	"testing"

	"github.com/phoneset/phoneset/api"
)

func TestCallsViaMobileVoIP(t *testing.T) {
	tests := []struct{ hideMobile, hideFixed, want bool }{
		{false, false, false},
		{true, false, false},
		{false, true, false},
		{true, true, true},
	}
	for _, tt := range tests {
		if got := api.CallsViaMobileVoIP(tt.hideMobile, tt.hideFixed); got != tt.want {
			t.Errorf("CallsViaMobileVoIP(%v, %v) = %v, want %v", tt.hideMobile, tt.hideFixed, got, tt.want)
		}
	}
}
