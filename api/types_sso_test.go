package api_test

import (
	"reflect"
	"testing"

	"github.com/phoneset/phoneset/api"
)

// TestSSOFieldNames holds the single sign-on Field constants equal to the
// json tags they name.
func TestSSOFieldNames(t *testing.T) {
	for _, f := range []struct {
		value string
		in    []any
		path  string
	}{
		{api.FieldIssuer, []any{api.SSOSettings{}, api.SSOSettingsUpdate{}}, "Issuer"},
		{api.FieldClientID, []any{api.SSOSettings{}, api.SSOSettingsUpdate{}}, "ClientID"},
		{api.FieldClientSecret, []any{api.SSOSettingsUpdate{}}, "ClientSecret"},
		{api.FieldDomains, []any{api.SSOSettings{}, api.SSOSettingsUpdate{}}, "Domains"},
		{api.FieldRedirectURI, []any{api.SSOStartRequest{}}, "RedirectURI"},
		{api.FieldCodeChallenge, []any{api.SSOStartRequest{}}, "CodeChallenge"},
		{api.FieldCodeVerifier, []any{api.SSOFinishRequest{}}, "CodeVerifier"},
		{api.FieldState, []any{api.SSOFinishRequest{}, api.SSOStart{}}, "State"},
		{api.FieldCode, []any{api.SSOFinishRequest{}}, "Code"},
	} {
		for _, v := range f.in {
			if got := jsonPath(t, reflect.TypeOf(v), f.path); got != f.value {
				t.Errorf("%q: %T.%s is %q in JSON", f.value, v, f.path, got)
			}
		}
	}
}
