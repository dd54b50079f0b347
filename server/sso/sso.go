// Package sso is the account backend's OpenID Connect client
// (server.OIDC): discovery, the authorization URL with PKCE, the code
// exchange and ID token verification, with github.com/coreos/go-oidc and
// golang.org/x/oauth2. Only phoneset-server links it; the desktop app's
// embedded backend offers no single sign-on.
package sso

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/phoneset/phoneset/server"
)

// Client implements server.OIDC. Providers are discovered once per issuer
// and kept: each keeps its JWKS and fetches it again when a token names a
// key it does not know, which is how key rotation reaches it.
type Client struct {
	http *http.Client
	now  func() time.Time

	mu        sync.Mutex
	providers map[string]*oidc.Provider
}

// New makes a client that reaches providers with hc (nil: a 10 s timeout)
// and checks expiry against now (nil: time.Now).
func New(hc *http.Client, now func() time.Time) *Client {
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	if now == nil {
		now = time.Now
	}
	limited := *hc
	limited.Transport = limitedTransport{cmp.Or[http.RoundTripper](hc.Transport, http.DefaultTransport)}
	return &Client{http: &limited, now: now, providers: map[string]*oidc.Provider{}}
}

// maxAnswer bounds each answer of a provider (discovery, keys, token, user
// info), which the libraries read whole: an organisation's admin chooses
// the issuer, and one without end would cost the shared server its memory.
const maxAnswer = 1 << 20

var errAnswerTooLarge = errors.New("sso: the provider's answer is over 1 MiB")

type limitedTransport struct{ base http.RoundTripper }

func (t limitedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := t.base.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	res.Body = &limitedBody{ReadCloser: res.Body, left: maxAnswer}
	return res, nil
}

// limitedBody fails, rather than ends, past its limit: a cut-off answer
// must not parse as a whole one.
type limitedBody struct {
	io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, errAnswerTooLarge
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	return n, err
}

// provider discovers the issuer, or returns it as discovered before. A
// failed discovery is not kept, so the next sign-in tries again.
func (c *Client) provider(ctx context.Context, issuer string) (*oidc.Provider, error) {
	c.mu.Lock()
	p := c.providers[issuer]
	c.mu.Unlock()
	if p != nil {
		return p, nil
	}
	// The provider's key set fetches with the context it was made with:
	// the client's, never a request's, which ends with the request.
	p, err := oidc.NewProvider(oidc.ClientContext(context.WithoutCancel(ctx), c.http), issuer)
	if err != nil {
		return nil, fmt.Errorf("sso: discover %s: %w", issuer, err)
	}
	c.mu.Lock()
	c.providers[issuer] = p
	c.mu.Unlock()
	return p, nil
}

func (c *Client) config(p *oidc.Provider, cfg server.OIDCProvider, a server.OIDCAuth) *oauth2.Config {
	return &oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: a.RedirectURI, Scopes: []string{oidc.ScopeOpenID, "email", "profile"}}
}

// AuthURL is the provider's authorization endpoint for one sign-in: the
// state, the nonce and the app's PKCE challenge (S256).
func (c *Client) AuthURL(ctx context.Context, cfg server.OIDCProvider, a server.OIDCAuth) (string, error) {
	p, err := c.provider(ctx, cfg.Issuer)
	if err != nil {
		return "", err
	}
	return c.config(p, cfg, a).AuthCodeURL(a.State, oidc.Nonce(a.Nonce),
		oauth2.SetAuthURLParam("code_challenge", a.Challenge),
		oauth2.SetAuthURLParam("code_challenge_method", "S256")), nil
}

// Exchange trades the code (with the client secret and the app's PKCE
// verifier) for tokens and verifies the ID token.
func (c *Client) Exchange(ctx context.Context, cfg server.OIDCProvider, a server.OIDCAuth, code, verifier string) (server.OIDCIdentity, error) {
	p, err := c.provider(ctx, cfg.Issuer)
	if err != nil {
		return server.OIDCIdentity{}, err
	}
	tok, err := c.config(p, cfg, a).Exchange(oidc.ClientContext(ctx, c.http), code, oauth2.VerifierOption(verifier))
	if err != nil {
		return server.OIDCIdentity{}, fmt.Errorf("sso: code exchange: %w", err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return server.OIDCIdentity{}, errors.New("sso: the token response has no ID token")
	}
	id, err := c.verify(ctx, p, cfg.ClientID, raw, a.Nonce)
	if err != nil || id.Email != "" {
		return id, err
	}
	// Providers may leave the address out of the ID token when an access
	// token can fetch it (OpenID Connect Core §5.4); the UserInfo answer
	// counts only for the subject the verified ID token names (§5.3.2).
	ui, err := p.UserInfo(oidc.ClientContext(ctx, c.http), oauth2.StaticTokenSource(tok))
	if err != nil {
		return server.OIDCIdentity{}, fmt.Errorf("sso: userinfo: %w", err)
	}
	if ui.Subject != id.Subject {
		return server.OIDCIdentity{}, errors.New("sso: userinfo names another subject than the ID token")
	}
	id.Email, id.EmailVerified = ui.Email, ui.EmailVerified
	return id, nil
}

// verify checks an ID token: its signature by the provider's keys, its
// issuer, that clientID is an audience (and the authorised party, where it
// names one or has several audiences), that it has not expired, and that
// it carries nonce, the one this sign-in sent; a token from another
// sign-in (a replay) carries another.
func (c *Client) verify(ctx context.Context, p *oidc.Provider, clientID, raw, nonce string) (server.OIDCIdentity, error) {
	v := p.Verifier(&oidc.Config{ClientID: clientID, Now: c.now})
	tok, err := v.Verify(oidc.ClientContext(ctx, c.http), raw)
	if err != nil {
		return server.OIDCIdentity{}, fmt.Errorf("sso: ID token: %w", err)
	}
	if nonce == "" || tok.Nonce != nonce {
		return server.OIDCIdentity{}, errors.New("sso: ID token: the nonce is not this sign-in's")
	}
	var claims struct {
		Email         string `json:"email"`
		EmailVerified any    `json:"email_verified"`
		Name          string `json:"name"`
		AZP           string `json:"azp"`
	}
	if err := tok.Claims(&claims); err != nil {
		return server.OIDCIdentity{}, fmt.Errorf("sso: ID token claims: %w", err)
	}
	// A token for several clients is ours only if we are its authorised
	// party (OpenID Connect Core §3.1.3.7, which go-oidc leaves to us).
	if (len(tok.Audience) > 1 || claims.AZP != "") && claims.AZP != clientID {
		return server.OIDCIdentity{}, errors.New("sso: ID token: issued to another authorised party")
	}
	if tok.Subject == "" {
		return server.OIDCIdentity{}, errors.New("sso: ID token has no subject")
	}
	return server.OIDCIdentity{Issuer: tok.Issuer, Subject: tok.Subject, Email: claims.Email,
		EmailVerified: verified(claims.EmailVerified), Name: claims.Name}, nil
}

// verified reads email_verified, which some providers send as a string.
func verified(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return x == "true"
	}
	return false
}
