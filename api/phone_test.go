package api

import (
	"strings"
	"testing"
)

func TestNormalizeMobile(t *testing.T) {
	tests := []struct {
		in, want string // want "" means refused
	}{
		{"+46 70-123 45 67", "+46701234567"},
		{"0046701234567", "+46701234567"},
		{"+1 650 253 0000", "+16502530000"}, // US numbers are fixed-line-or-mobile
		{"+44 7911 123456", "+447911123456"},
		{"  +4670 123 4567  ", "+46701234567"},
		{"070-123 45 67", ""},            // no country code
		{"+46 8 123 456 78", ""},         // Stockholm fixed line
		{"+46 900 123 45 67", ""},        // premium rate
		{"+999 123", ""},                 // no such country
		{"+46 70", ""},                   // too short
		{"+46701234567890123", ""},       // too long
		{"", ""},                         // empty
		{"+46 70\x00123 45 67", ""},      // control character
		{"+46 70 123 45 67; DROP", ""},   // junk
		{strings.Repeat("1", 200), ""},   // overlong input
		{"+٤٦٧٠١٢٣٤٥٦٧", "+46701234567"}, // Arabic-Indic digits
	}
	for _, tt := range tests {
		got, why := NormalizeMobile(tt.in)
		if got != tt.want || (tt.want == "") != (why != nil) {
			t.Errorf("NormalizeMobile(%q) = %q, %q; want %q", tt.in, got, why, tt.want)
		}
	}
}

func TestFormatPhone(t *testing.T) {
	if got := FormatPhone("+46701234567"); got != "+46 70 123 45 67" {
		t.Errorf("FormatPhone = %q", got)
	}
	if got := FormatPhone("not a number"); got != "not a number" {
		t.Errorf("FormatPhone changed junk: %q", got)
	}
}

func FuzzNormalizeMobile(f *testing.F) {
	for _, s := range []string{"+46701234567", "0046 70", "+1 650 253 0000", "+", "00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, why := NormalizeMobile(s)
		if (got == "") == (why == nil) {
			t.Fatalf("NormalizeMobile(%q) = %q, %q: exactly one must be set", s, got, why)
		}
		if got != "" {
			again, why := NormalizeMobile(got)
			if again != got {
				t.Fatalf("E.164 %q does not normalise to itself: %q %q", got, again, why)
			}
		}
	})
}
