package server

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
)

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

// FuzzEscapesNUL checks escapesNUL against encoding/json's own reading:
// for valid JSON it must report a NUL exactly when a decoded string (key
// or value, duplicates included) holds one.
func FuzzEscapesNUL(f *testing.F) {
	for _, s := range []string{`{"a":"\u0000"}`, `{"a":"\\u0000"}`, `["\"\u0000"]`, `{"\u0000":[1,"x"]}`, `"\u00000"`, `{"a":"b"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !json.Valid(b) {
			return
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		want := false
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("valid JSON %q: %v", b, err)
			}
			if s, ok := tok.(string); ok && strings.ContainsRune(s, 0) {
				want = true
			}
		}
		if got := escapesNUL(b); got != want {
			t.Fatalf("escapesNUL(%q) = %v, want %v", b, got, want)
		}
	})
}
