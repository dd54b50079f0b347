package server

import "testing"

func TestEscapesNUL(t *testing.T) {
	for _, tt := range []struct {
		json string
		want bool
	}{
		{`{"a":"\u0000"}`, true},
		{`["x","y\u0000z"]`, true},
		{`{"\u0000":1}`, true},
		{`{"a":"\\u0000"}`, false}, // a backslash, then text
		{`{"a":"\\\u0000"}`, true}, // a backslash, then a NUL
		{`{"a":"\"\u0000"}`, true}, // an escaped quote does not end the string
		{`{"a":"\u00001"}`, true},  // NUL then "1"
		{`{"a":"\u0001"}`, false},  // another control (refused by the validators)
		{`{"a":"u0000"}`, false},   // no backslash
		{`{"a":"x\u000"}`, false},  // too short to be one
		{`{"a":"x\`, false},        // cut off
		{`{"a":1,"b":"\u0000"}`, true},
	} {
		if got := escapesNUL([]byte(tt.json)); got != tt.want {
			t.Errorf("escapesNUL(%s) = %v, want %v", tt.json, got, tt.want)
		}
	}
}
