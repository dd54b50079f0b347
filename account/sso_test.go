package account

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestSSOCallbackPage: the loopback port answers the provider's redirect
// with a page in the language the app gives it, says plainly when the
// provider answered with an error (its words escaped), and passes the
// result on; anything else on the port is not the redirect.
func TestSSOCallbackPage(t *testing.T) {
	swedish := SSOPage{Lang: "sv", Done: "Inloggad", DoneText: "Du kan stänga den här fliken och gå tillbaka till Phoneset.",
		Failed: "Inloggningen misslyckades", FailedText: "Ditt företags inloggning loggade inte in dig i Phoneset.",
		ProviderSaid: "Ditt företags inloggning svarade:"}
	tests := []struct {
		name   string
		page   SSOPage
		target string
		status int
		want   []string // in the page
		refuse []string // not in the page
		result *ssoResult
	}{
		{"signed in, English", SSOPage{}, "/callback?state=s1&code=c1", 200,
			[]string{`<html lang="en">`, "<h1>Signed in</h1>", "You can close this tab and return to Phoneset."},
			[]string{"failed", "c1"}, &ssoResult{code: "c1"}},
		{"signed in, Swedish", swedish, "/callback?state=s1&code=c1", 200,
			[]string{`<html lang="sv">`, "<h1>Inloggad</h1>", "Du kan stänga den här fliken och gå tillbaka till Phoneset."},
			[]string{"close this tab"}, &ssoResult{code: "c1"}},
		{"refused at the provider, English", SSOPage{}, "/callback?state=s1&error=access_denied&error_description=User+is+not+assigned+to+the+app", 200,
			[]string{`<h1 class="err">Sign-in failed</h1>`, "try again in Phoneset", "Your company&#39;s sign-in answered: <code>access_denied</code>: User is not assigned to the app"},
			[]string{"Signed in"}, &ssoResult{err: "access_denied"}},
		{"refused at the provider, Swedish", swedish, "/callback?state=s1&error=access_denied", 200,
			[]string{`<html lang="sv">`, `<h1 class="err">Inloggningen misslyckades</h1>`, "Ditt företags inloggning svarade: <code>access_denied</code></p>"},
			[]string{"Inloggad", "failed"}, &ssoResult{err: "access_denied"}},
		{"the provider's words are escaped", SSOPage{}, "/callback?state=s1&error=%3Cscript%3Ex%3C/script%3E&error_description=%3Cimg+src=x%3E", 200,
			[]string{"&lt;script&gt;x&lt;/script&gt;", "&lt;img src=x&gt;"}, []string{"<script>", "<img"}, &ssoResult{err: "<script>x</script>"}},
		{"neither code nor error", SSOPage{}, "/callback?state=s1", 200,
			[]string{"Sign-in failed", "<code>no code</code>"}, nil, &ssoResult{err: "no code"}},
		{"another sign-in's state", SSOPage{}, "/callback?state=s2&code=c1", 404, nil, []string{"Signed in"}, nil},
		{"no state", SSOPage{}, "/callback?code=c1", 404, nil, []string{"Signed in"}, nil},
		{"another path", SSOPage{}, "/favicon.ico?state=s1&code=c1", 404, nil, []string{"Signed in"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := make(chan ssoResult, 1)
			w := httptest.NewRecorder()
			ssoCallback("s1", tt.page, got).ServeHTTP(w, httptest.NewRequest(http.MethodGet, tt.target, nil))
			body, _ := io.ReadAll(w.Result().Body)
			if w.Code != tt.status {
				t.Errorf("status %d, want %d", w.Code, tt.status)
			}
			for _, s := range tt.want {
				if !strings.Contains(string(body), s) {
					t.Errorf("page lacks %q:\n%s", s, body)
				}
			}
			for _, s := range tt.refuse {
				if strings.Contains(string(body), s) {
					t.Errorf("page has %q:\n%s", s, body)
				}
			}
			select {
			case r := <-got:
				if tt.result == nil || r != *tt.result {
					t.Errorf("result %+v, want %+v", r, tt.result)
				}
			default:
				if tt.result != nil {
					t.Errorf("no result, want %+v", *tt.result)
				}
			}
		})
	}
}
