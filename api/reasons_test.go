package api

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
)

// reasonCode is r's code, "" for nil.
func reasonCode(r *Reason) string {
	if r == nil {
		return ""
	}
	return r.Code
}

func TestReasonJSONCarriesArgsBesideTheCode(t *testing.T) {
	tests := []struct {
		r    *Reason
		json string
	}{
		{Because(ReasonRequired), `{"code":"required"}`},
		{&Reason{Code: ReasonLengthRange, Args: Args{"min": 3, "max": 32}}, `{"code":"length_range","max":32,"min":3}`},
	}
	for _, tt := range tests {
		data, err := json.Marshal(tt.r)
		if err != nil || string(data) != tt.json {
			t.Errorf("Marshal(%v) = %s, %v; want %s", tt.r, data, err, tt.json)
		}
		var back Reason
		if err := json.Unmarshal(data, &back); err != nil || back.Code != tt.r.Code || len(back.Args) != len(tt.r.Args) {
			t.Errorf("Unmarshal(%s) = %+v, %v", data, back, err)
		}
	}
	var r Reason
	if err := json.Unmarshal([]byte(`{"max":3}`), &r); err == nil {
		t.Error("a reason without a code was accepted")
	}
}

func TestReasonEnglish(t *testing.T) {
	tests := []struct {
		r    *Reason
		want string
	}{
		{&Reason{Code: ReasonTooLong, Args: Args{"max": 64}}, "must be at most 64 characters"},
		{&Reason{Code: ReasonTooLong, Args: Args{"max": 64.0}}, "must be at most 64 characters"}, // as decoded from JSON
		{&Reason{Code: ReasonWrongCode, Args: Args{"tries_left": 2}}, "is wrong; 2 tries left"},
		{Because(ReasonOwnerOnly), reasonText[ReasonOwnerOnly]}, // no arguments: the text as it is
		{Because("no_such_code"), "no_such_code"},
	}
	for _, tt := range tests {
		if got := tt.r.String(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.r, got, tt.want)
		}
	}
	// Every text renders, its arguments missing or not: templates are
	// parsed on first use, so a broken one would otherwise show only then.
	for _, code := range ReasonCodes() {
		if got := Because(code).String(); got == code || strings.Contains(got, "{{") {
			t.Errorf("%s renders as %q", code, got)
		}
	}
	err := Invalid(map[string]*Reason{"username": ValidateUsername("x"), "display_name": ValidateDisplayName("")})
	if got, want := err.Error(), "some fields are not valid (display_name: must not be empty; username: must be 3 to 32 characters)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

// TestReasonCodesAreDocumented keeps openapi.yaml's Reason enum equal to
// the code list, so other clients can rely on it.
func TestReasonCodesAreDocumented(t *testing.T) {
	raw, err := os.ReadFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(raw), "\n    Reason:\n")
	_, rest, ok2 := strings.Cut(rest, "enum: [")
	list, _, ok3 := strings.Cut(rest, "]")
	if !ok || !ok2 || !ok3 {
		t.Fatal("openapi.yaml has no Reason schema with an enum")
	}
	documented := strings.Split(strings.Join(strings.Fields(list), ""), ",")
	if codes := ReasonCodes(); !reflect.DeepEqual(documented, codes) {
		t.Errorf("openapi.yaml Reason enum\n%v\nwant (sorted)\n%v", documented, codes)
	}
}
