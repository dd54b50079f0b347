package ui

import (
	"errors"
	"testing"

	"github.com/phoneset/phoneset/api"
)

// The server's English message never reaches the user: refusals read in the
// user's language from their code, reason or field reasons.
func TestDescribeSpeaksTheUsersLanguage(t *testing.T) {
	setup(t)
	t.Cleanup(func() { UseLanguage("en") })
	prose := "english prose from the server"
	tests := []struct {
		name   string
		err    error
		en, sv string
	}{
		{"code only", &api.Error{Code: api.CodeConflict, Message: prose},
			"This clashes with something that already exists.", "Detta krockar med något som redan finns."},
		{"unknown code", &api.Error{Code: "brand_new", Message: prose},
			"Something went wrong on the server. Try again later.", "Något gick fel på servern. Försök igen senare."},
		{"reason", api.Refused(409, api.CodeConflict, api.Because(api.ReasonLastAdmin)),
			"You are your organisation's last admin; make someone else an admin first",
			"Du är din organisations sista administratör; gör någon annan till administratör först"},
		{"reason newer than the app", &api.Error{Code: api.CodeInvalid, Message: prose, Reason: api.Because("brand_new")},
			"Was refused by the server", "Avvisades av servern"},
		{"field with a label", api.Invalid(map[string]*api.Reason{"display_name": {Code: api.ReasonTooLong, Args: api.Args{"max": 64.0}}}),
			"Display name: must be at most 64 characters", "Visningsnamn: får vara högst 64 tecken"},
		{"field without a label", api.Invalid(map[string]*api.Reason{"If-Match": api.Because(api.ReasonNotAVersion)}),
			`Is not a version tag like "3"`, `Är ingen versionstagg som "3"`},
		{"not the server's", errors.New("disk full"), "disk full", "disk full"},
	}
	for _, code := range api.Languages {
		if err := UseLanguage(code); err != nil {
			t.Fatal(err)
		}
		for _, tt := range tests {
			want := tt.en
			if code == "sv" {
				want = tt.sv
			}
			if got := describe(tt.err); got != want {
				t.Errorf("%s %s: %q, want %q", code, tt.name, got, want)
			}
		}
	}
}
