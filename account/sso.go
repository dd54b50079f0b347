package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/api/client"
)

// ErrSSOCancelled is a single sign-on that came back without a code: the
// person cancelled at the provider, or it refused them.
var ErrSSOCancelled = errors.New("account: the company sign-in was cancelled or refused")

// ssoPage is what the browser shows once the redirect reached the app.
const ssoPage = `<!doctype html><meta charset="utf-8"><title>Phoneset</title>` +
	`<p style="font:16px sans-serif;margin:3em">You can close this tab and return to Phoneset.</p>`

// SSOLogin signs in through the organisation's identity provider in the
// system browser (open), as RFC 8252 has native apps do: a PKCE verifier
// that never leaves this process but for the backend, a redirect to a
// listener on 127.0.0.1 at a random port, and a state that must come back
// unchanged. The backend holds the client secret and verifies the ID
// token; this installs the session's tokens in c.
func SSOLogin(ctx context.Context, c *client.Client, email, device string, open func(url string) error) (api.Tokens, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return api.Tokens{}, fmt.Errorf("account: loopback listener: %w", err)
	}
	defer ln.Close()
	redirect := "http://" + ln.Addr().String() + "/callback"
	b := make([]byte, 32)
	rand.Read(b)
	verifier := base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(verifier))
	start, err := c.SSOStart(ctx, api.SSOStartRequest{Email: email, RedirectURI: redirect,
		CodeChallenge: base64.RawURLEncoding.EncodeToString(sum[:]), CodeChallengeMethod: "S256"})
	if err != nil {
		return api.Tokens{}, err
	}

	type result struct{ code, err string }
	got := make(chan result, 1)
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		// Anything else on this port (a favicon, a stray tab) is not the
		// redirect, and a wrong state is not this sign-in's.
		if r.URL.Path != "/callback" || subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(start.State)) != 1 {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(ssoPage))
		select {
		case got <- result{q.Get("code"), q.Get("error")}:
		default:
		}
	})}
	go srv.Serve(ln)
	defer srv.Close()

	if err := open(start.AuthorizationURL); err != nil {
		return api.Tokens{}, fmt.Errorf("account: open the browser: %w", err)
	}
	var res result
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
// SSOLogin); open shows a URL in the system browser.
func (m *Model) SignInSSO(ctx context.Context, email, device string, open func(url string) error) error {
	if _, err := SSOLogin(ctx, m.c, email, device, open); err != nil {
		return err
	}
	return m.signedIn(ctx)
}
