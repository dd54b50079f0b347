package client

import (
	"context"
	"github.com/phoneset/phoneset/api"
	"net/http"
)

// SignIn opens a session (POST /v1/sessions) and installs its tokens in
// the client.
func (c *Client) SignIn(ctx context.Context, req api.SignInRequest) (api.Tokens, error) {
	var t api.Tokens
	err := c.do(ctx, call{method: http.MethodPost, path: "/v1/sessions", body: req, out: &t, noAuth: true})
	if err != nil {
		return api.Tokens{}, err
	}
	c.SetTokens(t)
	return t, nil
}

// Me loads the signed-in account (GET /v1/me).
func (c *Client) Me(ctx context.Context) (api.Me, error) {
	var me api.Me
	err := c.do(ctx, call{method: http.MethodGet, path: "/v1/me", out: &me})
	return me, err
}

// Profile loads the profile (GET /v1/me/profile).
func (c *Client) Profile(ctx context.Context) (api.Profile, error) {
	var p api.Profile
	err := c.do(ctx, call{method: http.MethodGet, path: "/v1/me/profile", out: &p})
	return p, err
}

// UpdateProfile changes the fields p sets (PATCH /v1/me/profile) if the
// profile is still at version; otherwise the error is api.ErrStale (412).
// Each call carries a fresh idempotency key, or the one on ctx
// (WithIdempotencyKey), so transient failures are retried safely.
func (c *Client) UpdateProfile(ctx context.Context, version int64, p api.ProfilePatch) (api.Profile, error) {
	var out api.Profile
	err := c.do(ctx, call{method: http.MethodPatch, path: "/v1/me/profile", body: p, out: &out, ifMatch: version, hasIf: true, idemKey: NewIdempotencyKey()})
	return out, err
}

// UpdateNotifications replaces the notification settings
// (PUT /v1/me/notifications) if they are still at version.
func (c *Client) UpdateNotifications(ctx context.Context, version int64, n api.Notifications) (api.Notifications, error) {
	var out api.Notifications
	err := c.do(ctx, call{method: http.MethodPut, path: "/v1/me/notifications", body: n, out: &out, ifMatch: version, hasIf: true})
	return out, err
}

// Reauthenticate re-enters the password in this session, which may then
// change its email or mobile for five minutes (POST /v1/sessions/reauth).
func (c *Client) Reauthenticate(ctx context.Context, password string) error {
	return c.do(ctx, call{method: http.MethodPost, path: "/v1/sessions/reauth", body: api.PasswordProof{Password: password}})
}

// SignOut ends this session on the server (DELETE /v1/sessions/current)
// and forgets its tokens, even when the server cannot be reached.
func (c *Client) SignOut(ctx context.Context) error {
	err := c.do(ctx, call{method: http.MethodDelete, path: "/v1/sessions/current"})
	c.SetTokens(api.Tokens{})
	return err
}
