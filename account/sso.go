package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/api/client"
)

// ErrSSOCancelled is a single sign-on that came back without a code: the
// person cancelled at the provider, or it refused them.
var ErrSSOCancelled = errors.New("account: the company sign-in was cancelled or refused")

// SSOPage is the words of the page the browser shows once the provider
// has sent the person back to the app, in the app's language: the page
// speaks for Phoneset and sends them back to its window, whatever
// language the browser (often a shared or company-set one) prefers. Empty
// fields are English.
type SSOPage struct {
	Lang         string // its code, for the page's lang attribute
	Done, Failed string // headings
	DoneText     string // "You can close this tab and return to Phoneset."
	FailedText   string // why, and what to do
	ProviderSaid string // introduces the provider's own error code and text
}

func (p SSOPage) withDefaults() SSOPage {
	def := func(s *string, en string) {
		if *s == "" {
			*s = en
		}
	}
	def(&p.Lang, "en")
	def(&p.Done, "Signed in")
	def(&p.DoneText, "You can close this tab and return to Phoneset.")
	def(&p.Failed, "Sign-in failed")
	def(&p.FailedText, "Your company's sign-in did not sign you in to Phoneset. Close this tab and try again in Phoneset, or ask your IT department.")
	def(&p.ProviderSaid, "Your company's sign-in answered:")
	return p
}

var ssoTemplate = template.Must(template.New("sso").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{{.Title}} – Phoneset</title>
<style>body{font:16px system-ui,sans-serif;max-width:30rem;margin:3rem auto;padding:0 1rem}h1.err{color:#b00020}code{word-break:break-all}</style></head>
<body>{{if .Error}}<h1 class="err">{{.Title}}</h1><p>{{.Text}}</p><p>{{.ProviderSaid}} <code>{{.Error}}</code>{{if .Description}}: {{.Description}}{{end}}</p>
{{else}}<h1>{{.Title}}</h1><p>{{.Text}}</p>{{end}}</body></html>
`))

// Browser is the person's browser during a single sign-on: Open shows a
// URL there (the system browser, never an embedded view), and Page is
// what it shows at the end.
type Browser struct {
	Open func(url string) error
	Page SSOPage
}

// ssoResult is what the redirect brought back: a code, or the provider's
// error.
type ssoResult struct{ code, err string }

// ssoCallback answers the provider's redirect to the loopback port: the
// page for the person, and the result, once, to got.
func ssoCallback(state string, page SSOPage, got chan<- ssoResult) http.Handler {
	page = page.withDefaults()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		// Anything else on this port (a favicon, a stray tab) is not the
		// redirect, and a wrong state is not this sign-in's.
		if r.URL.Path != "/callback" || subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1 {
			http.NotFound(w, r)
			return
		}
		res := ssoResult{q.Get("code"), q.Get("error")}
		if res.code == "" && res.err == "" {
			res.err = "no code"
		}
		v := struct {
			SSOPage
			Title, Text, Error, Description string
		}{SSOPage: page, Title: page.Done, Text: page.DoneText}
		if res.code == "" {
			// The provider's words are its own (RFC 6749 §4.1.2.1), shown
			// for the IT department; the template escapes them.
			v.Title, v.Text, v.Error, v.Description = page.Failed, page.FailedText, clip(res.err), clip(q.Get("error_description"))
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
		ssoTemplate.Execute(w, v)
		select {
		case got <- res:
		default:
		}
	})
}

// clip keeps a provider's text to a line's length.
func clip(s string) string {
	if r := []rune(s); len(r) > 200 {
		return string(r[:200]) + "…"
	}
	return s
}

// SSOLogin signs in through the organisation's identity provider in the
// person's browser b, as RFC 8252 has native apps do: a PKCE verifier
// that never leaves this process but for the backend, a redirect to a
// listener on 127.0.0.1 at a random port, and a state that must come back
// unchanged. The backend holds the client secret and verifies the ID
// token; this installs the session's tokens in c.
func SSOLogin(ctx context.Context, c *client.Client, email, device string, b Browser) (api.Tokens, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return api.Tokens{}, fmt.Errorf("account: loopback listener: %w", err)
	}
	defer ln.Close()
	redirect := "http://" + ln.Addr().String() + "/callback"
	random := make([]byte, 32)
	rand.Read(random)
	verifier := base64.RawURLEncoding.EncodeToString(random)
	sum := sha256.Sum256([]byte(verifier))
	start, err := c.SSOStart(ctx, api.SSOStartRequest{Email: email, RedirectURI: redirect,
		CodeChallenge: base64.RawURLEncoding.EncodeToString(sum[:]), CodeChallengeMethod: "S256"})
	if err != nil {
		return api.Tokens{}, err
	}

	got := make(chan ssoResult, 1)
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: ssoCallback(start.State, b.Page, got)}
	go srv.Serve(ln)
	// Shutdown, not Close: the page may still be on its way to the browser.
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}()

	if err := b.Open(start.AuthorizationURL); err != nil {
		return api.Tokens{}, fmt.Errorf("account: open the browser: %w", err)
	}
	var res ssoResult
	select {
	case res = <-got:
	case <-ctx.Done():
		return api.Tokens{}, ctx.Err()
	}
	if res.code == "" {
		return api.Tokens{}, ErrSSOCancelled
	}
	return c.SSOFinish(ctx, api.SSOFinishRequest{State: start.State, Code: res.code, CodeVerifier: verifier, Device: device})
}

// SignInSSO is SignIn through the organisation's identity provider (see
// SSOLogin) in the person's browser b.
func (m *Model) SignInSSO(ctx context.Context, email, device string, b Browser) error {
	if _, err := SSOLogin(ctx, m.c, email, device, b); err != nil {
		return err
	}
	return m.signedIn(ctx)
}
