package api

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateDisplayName(t *testing.T) {
	tests := []struct {
		in   string
		want string // reason code, "" when valid
	}{
		{"Ann Agent", ""},
		{"Zoë Åström", ""},
		{"éé", ""},                              // precomposed accents
		{"e\u0301e\u0301", ReasonNotNormalized}, // decomposed: PRECIS would compose it
		{"मोहनदास करमचंद गांधी", ""},                    // Devanagari: combining signs kept
		{"Nguyễn Thị Minh Khai", ""},                    // stacked Vietnamese diacritics
		{"مرحبا بالعالم", ""},                           // right-to-left text
		{"محمد بن سلمان", ""},                           // Arabic name
		{"דוד בן־גוריון", ""},                           // Hebrew name with maqaf
		{"Ann שלום", ""},                                // mixed directions
		{"김민준", ""},                                     // Hangul
		{"王小明", ""},                                     // Han
		{"Ζωή Παπαδοπούλου", ""},                        // Greek
		{"Пётр Чайковский", ""},                         // Cyrillic
		{"🙂 Ann", ""},                                   // emoji are free-form text
		{"Ann\u202eenoyrevE", ReasonBidiControl},        // right-to-left override
		{"\u202aAnn\u202c", ReasonBidiControl},          // embedding and pop
		{"Ann\u2066x\u2069", ReasonBidiControl},         // isolate
		{"Ann\u200f", ReasonBidiControl},                // right-to-left mark
		{"Ann\u061c", ReasonBidiControl},                // Arabic letter mark
		{"Ad\u200bmin", ReasonInvisibleChar},            // zero-width space
		{"Ad\u200dmin", ReasonInvisibleChar},            // zero-width joiner
		{"Ad\u2060min", ReasonInvisibleChar},            // word joiner
		{"\ufeffAdmin", ReasonInvisibleChar},            // byte order mark
		{"Ann  Agent", ReasonNotNormalized},             // double inner space
		{"Ann\u00a0Agent", ReasonNotNormalized},         // no-break space
		{"Ａdmin", ReasonNotNormalized},                  // full-width letter
		{"\ufb01le", ReasonNotNormalized},               // ligature
		{"Ann\ue000", ReasonNameChars},                  // private use
		{"Ann\U000e0041", ReasonNameChars},              // tag character
		{"", ReasonRequired},                            // required
		{"   ", ReasonRequired},                         // blank
		{" Ann", ReasonOuterSpace},                      // leading space
		{"Ann\x00", ReasonControlChars},                 // control character
		{"Ann\nAgent", ReasonControlChars},              // newline
		{"A\u2028B", ReasonControlChars},                // line separator
		{strings.Repeat("x", 64), ""},                   // at the limit
		{strings.Repeat("x", 65), ReasonTooLong},        // over it
		{strings.Repeat("é", 64), ""},                   // counted in characters, not bytes
		{string([]byte{0xff, 0xfe}), ReasonInvalidUTF8}, // invalid UTF-8
	}
	for _, tt := range tests {
		got := ValidateDisplayName(tt.in)
		if code := reasonCode(got); code != tt.want {
			t.Errorf("ValidateDisplayName(%q) = %q, want %q", tt.in, code, tt.want)
		}
	}
	if got := ValidateDisplayName(strings.Repeat("x", 65)); got.Args["max"] != MaxNameLen {
		t.Errorf("too_long args %v, want max=%d", got.Args, MaxNameLen)
	}
}

func TestValidateUsernameEmailZoneLanguage(t *testing.T) {
	tests := []struct {
		name string
		f    func(string) *Reason
		in   string
		ok   bool
	}{
		{"username", ValidateUsername, "ann.agent", true},
		{"username", ValidateUsername, "ab", false},
		{"username", ValidateUsername, "-ann", false},
		{"username", ValidateUsername, "ann agent", false},
		{"username", ValidateUsername, "ann'; drop table users;--", false},
		{"username", ValidateUsername, "Ann.Agent", true},
		{"username", ValidateUsername, "ann\u202e", false},
		{"username", ValidateUsername, "ad\u200bmin", false},
		{"username", ValidateUsername, "ａnn", false},
		{"email", ValidateEmail, "ann@example.com", true},
		{"email", ValidateEmail, "Ann <ann@example.com>", false},
		{"email", ValidateEmail, "ann@localhost", false},
		{"email", ValidateEmail, "ann@", false},
		{"email", ValidateEmail, "not an email", false},
		{"email", ValidateEmail, strings.Repeat("a", 250) + "@x.se", false},
		{"zone", ValidateTimeZone, "Europe/Stockholm", true},
		{"zone", ValidateTimeZone, "UTC", true},
		{"zone", ValidateTimeZone, "Local", false},
		{"zone", ValidateTimeZone, "Mars/Olympus", false},
		{"zone", ValidateTimeZone, "../../etc/passwd", false},
		{"language", ValidateLanguage, "sv", true},
		{"language", ValidateLanguage, "en", true},
		{"language", ValidateLanguage, "de", false},
		{"language", ValidateLanguage, "EN", false},
	}
	for _, tt := range tests {
		if got := tt.f(tt.in); (got == nil) != tt.ok {
			t.Errorf("%s(%q) = %v, want ok=%v", tt.name, tt.in, got, tt.ok)
		}
	}
}

func TestValidatePatch(t *testing.T) {
	s := func(v string) *string { return &v }
	if errs := ValidatePatch(ProfilePatch{DisplayName: s("Ann"), TimeZone: s("UTC")}); errs != nil {
		t.Fatalf("valid patch refused: %v", errs)
	}
	errs := ValidatePatch(ProfilePatch{DisplayName: s(""), Username: s("x"), FirstName: s("ok")})
	if len(errs) != 2 || reasonCode(errs["display_name"]) != ReasonRequired || reasonCode(errs["username"]) != ReasonLengthRange {
		t.Fatalf("errors = %v, want display_name and username", errs)
	}
	many := make([]InfoField, MaxInfoFields+1)
	for i := range many {
		many[i] = InfoField{Label: "L", Value: "v"}
	}
	if errs := ValidatePatch(ProfilePatch{ExtraInfo: &many}); reasonCode(errs["extra_info"]) != ReasonTooMany {
		t.Fatalf("too many info fields accepted")
	}
}

func TestETagRoundTrip(t *testing.T) {
	for _, v := range []int64{0, 1, 42, 1 << 40} {
		got, ok := ParseETag(ETag(v))
		if !ok || got != v {
			t.Errorf("ParseETag(ETag(%d)) = %d, %v", v, got, ok)
		}
	}
	for _, bad := range []string{"", "3", `"x"`, `"-1"`, `"`} {
		if _, ok := ParseETag(bad); ok {
			t.Errorf("ParseETag(%q) accepted", bad)
		}
	}
	if v, ok := ParseETag(`W/"7"`); !ok || v != 7 {
		t.Errorf("weak tag not parsed")
	}
}

func TestErrorIs(t *testing.T) {
	err := error(&Error{Status: 412, Code: CodeStale, Message: "x"})
	if !errors.Is(err, ErrStale) || errors.Is(err, ErrConflict) {
		t.Fatal("errors.Is does not match by code")
	}
}
