package client

import (
	"context"
	"github.com/phoneset/phoneset/api"
	"net/http"
	"net/url"
	"strconv"
)

// Refresh renews the session now (POST /v1/sessions/refresh). Requests
// refresh by themselves on a 401; this is for callers that want fresh
// tokens ahead of time.
func (c *Client) Refresh(ctx context.Context) (api.Tokens, error) {
	if err := c.refreshAfter(ctx, c.Tokens().AccessToken); err != nil {
		return api.Tokens{}, err
	}
	return c.Tokens(), nil
}

// Sessions lists the user's signed-in devices (GET /v1/me/sessions).
func (c *Client) Sessions(ctx context.Context) ([]api.Session, error) {
	var s []api.Session
	err := c.do(ctx, call{method: http.MethodGet, path: "/v1/me/sessions", out: &s})
	return s, err
}

// RevokeSession signs one device out (DELETE /v1/me/sessions/{id}).
func (c *Client) RevokeSession(ctx context.Context, id string) error {
	return c.do(ctx, call{method: http.MethodDelete, path: "/v1/me/sessions/" + url.PathEscape(id)})
}

// RevokeOtherSessions signs out every device but this one
// (DELETE /v1/me/sessions).
func (c *Client) RevokeOtherSessions(ctx context.Context) error {
	var n api.SignedOut
	return c.do(ctx, call{method: http.MethodDelete, path: "/v1/me/sessions", out: &n})
}

// RequestEmailChange mails a confirmation link to the new address
// (POST /v1/me/email); the address changes when the link is opened.
func (c *Client) RequestEmailChange(ctx context.Context, email string) error {
	return c.do(ctx, call{method: http.MethodPost, path: "/v1/me/email", body: api.EmailChangeRequest{Email: email}, idemKey: NewIdempotencyKey()})
}

// ConfirmEmail completes the signed-in user's email change with the token
// from the link (POST /v1/me/email/confirm).
func (c *Client) ConfirmEmail(ctx context.Context, token string) (api.Profile, error) {
	var p api.Profile
	err := c.do(ctx, call{method: http.MethodPost, path: "/v1/me/email/confirm", body: api.TokenRequest{Token: token}, out: &p, idemKey: NewIdempotencyKey()})
	return p, err
}

// ConfirmEmailLink completes an email change with only the link's token,
// as the emailed page does (POST /v1/email/confirm, no session needed).
func (c *Client) ConfirmEmailLink(ctx context.Context, token string) (api.Profile, error) {
	var p api.Profile
	err := c.do(ctx, call{method: http.MethodPost, path: "/v1/email/confirm", body: api.TokenRequest{Token: token}, out: &p, noAuth: true})
	return p, err
}

// RequestMobileChange texts a code to the new number (POST /v1/me/mobile).
func (c *Client) RequestMobileChange(ctx context.Context, mobile string) error {
	return c.do(ctx, call{method: http.MethodPost, path: "/v1/me/mobile", body: api.MobileChangeRequest{Mobile: mobile}, idemKey: NewIdempotencyKey()})
}

// ConfirmMobile sets the new number once the texted code matches
// (POST /v1/me/mobile/confirm).
func (c *Client) ConfirmMobile(ctx context.Context, code string) (api.Profile, error) {
	var p api.Profile
	err := c.do(ctx, call{method: http.MethodPost, path: "/v1/me/mobile/confirm", body: api.MobileConfirmRequest{Code: code}, out: &p, idemKey: NewIdempotencyKey()})
	return p, err
}

// ChangePassword sets a new password (PUT /v1/me/password).
func (c *Client) ChangePassword(ctx context.Context, current, next string) error {
	return c.do(ctx, call{method: http.MethodPut, path: "/v1/me/password", body: api.PasswordChangeRequest{Current: current, New: next}, noRetry: true})
}

// RequestPasswordReset starts "forgot password" (POST /v1/password-resets).
// The server answers the same whether or not the login exists.
func (c *Client) RequestPasswordReset(ctx context.Context, req api.PasswordResetRequest) error {
	return c.do(ctx, call{method: http.MethodPost, path: "/v1/password-resets", body: req, noAuth: true})
}

// ConfirmPasswordReset sets a new password with the mailed token or texted
// code (POST /v1/password-resets/confirm).
func (c *Client) ConfirmPasswordReset(ctx context.Context, req api.PasswordResetConfirm) error {
	return c.do(ctx, call{method: http.MethodPost, path: "/v1/password-resets/confirm", body: req, noAuth: true})
}

// UndoChange follows a "this wasn't me" link with its token
// (POST /v1/account/undo, no session needed): the change it was sent for is
// undone, every session ends and the API key is revoked.
func (c *Client) UndoChange(ctx context.Context, token string) error {
	return c.do(ctx, call{method: http.MethodPost, path: "/v1/account/undo", body: api.TokenRequest{Token: token}, noAuth: true})
}

func photoPath(kind string) string { return "/v1/me/" + url.PathEscape(kind) }

// UploadPhoto sends a JPEG or PNG as the avatar or cover
// (PUT /v1/me/{avatar|cover}) if the photos are still at version
// (User.PhotoVersion); the server re-encodes it.
func (c *Client) UploadPhoto(ctx context.Context, kind string, version int64, data []byte, contentType string) (api.User, error) {
	var u api.User
	err := c.do(ctx, call{method: http.MethodPut, path: photoPath(kind), raw: data, ctype: contentType, out: &u, ifMatch: version, hasIf: true})
	return u, err
}

// Photo fetches the avatar or cover as JPEG at the smallest stored width of
// at least size pixels (0: the largest) (GET /v1/me/{avatar|cover}).
func (c *Client) Photo(ctx context.Context, kind string, size int) ([]byte, error) {
	return c.image(ctx, photoPath(kind), size)
}

// CompanyPhoto fetches the company avatar or default cover, which every
// member may see (GET /v1/me/org/{avatar|cover}); OrgSummary says which
// are set.
func (c *Client) CompanyPhoto(ctx context.Context, kind string, size int) ([]byte, error) {
	return c.image(ctx, "/v1/me/org/"+url.PathEscape(kind), size)
}

// image GETs a stored image at the smallest rendition at least size pixels
// wide (the largest when size is 0).
func (c *Client) image(ctx context.Context, path string, size int) ([]byte, error) {
	var q url.Values
	if size > 0 {
		q = url.Values{"size": {strconv.Itoa(size)}}
	}
	var b []byte
	err := c.do(ctx, call{method: http.MethodGet, path: path, query: q, out: &b})
	return b, err
}

// RemovePhoto deletes the avatar or cover if the photos are still at
// version (DELETE /v1/me/{avatar|cover}); the app falls back to initials.
func (c *Client) RemovePhoto(ctx context.Context, kind string, version int64) (api.User, error) {
	var u api.User
	err := c.do(ctx, call{method: http.MethodDelete, path: photoPath(kind), out: &u, ifMatch: version, hasIf: true})
	return u, err
}

// UseGravatar sets the avatar from Gravatar for the account's email if the
// photos are still at version (POST /v1/me/avatar/gravatar).
func (c *Client) UseGravatar(ctx context.Context, version int64) (api.User, error) {
	var u api.User
	err := c.do(ctx, call{method: http.MethodPost, path: "/v1/me/avatar/gravatar", out: &u, ifMatch: version, hasIf: true, idemKey: NewIdempotencyKey()})
	return u, err
}

// Status loads the availability (GET /v1/me/status).
func (c *Client) Status(ctx context.Context) (api.Status, error) {
	var s api.Status
	err := c.do(ctx, call{method: http.MethodGet, path: "/v1/me/status", out: &s})
	return s, err
}

// SetStatus changes the availability (PUT /v1/me/status) if it is still at
// version.
func (c *Client) SetStatus(ctx context.Context, version int64, u api.StatusUpdate) (api.Status, error) {
	var s api.Status
	err := c.do(ctx, call{method: http.MethodPut, path: "/v1/me/status", body: u, out: &s, ifMatch: version, hasIf: true})
	return s, err
}

// ExtendStatus adds minutes to the running status timer (POST
// /v1/me/status/extend) if the status is still at version.
func (c *Client) ExtendStatus(ctx context.Context, version int64, minutes int) (api.Status, error) {
	var s api.Status
	err := c.do(ctx, call{method: http.MethodPost, path: "/v1/me/status/extend", body: api.StatusExtend{Minutes: minutes}, out: &s, ifMatch: version, hasIf: true})
	return s, err
}

// Notifications loads the notification settings (GET /v1/me/notifications).
func (c *Client) Notifications(ctx context.Context) (api.Notifications, error) {
	var n api.Notifications
	err := c.do(ctx, call{method: http.MethodGet, path: "/v1/me/notifications", out: &n})
	return n, err
}

// Plan loads the plan and this cycle's usage (GET /v1/me/plan).
func (c *Client) Plan(ctx context.Context) (api.Plan, error) {
	var p api.Plan
	err := c.do(ctx, call{method: http.MethodGet, path: "/v1/me/plan", out: &p})
	return p, err
}

// APIKey shows the masked API key (GET /v1/me/api-key).
func (c *Client) APIKey(ctx context.Context) (api.APIKey, error) {
	var k api.APIKey
	err := c.do(ctx, call{method: http.MethodGet, path: "/v1/me/api-key", out: &k})
	return k, err
}

// RevealAPIKey returns the full key after re-checking the password
// (POST /v1/me/api-key/reveal).
func (c *Client) RevealAPIKey(ctx context.Context, password string) (api.APIKey, error) {
	var k api.APIKey
	err := c.do(ctx, call{method: http.MethodPost, path: "/v1/me/api-key/reveal", body: api.PasswordProof{Password: password}, out: &k})
	return k, err
}

// RegenerateAPIKey replaces the key; the old one stops working
// (POST /v1/me/api-key/regenerate).
func (c *Client) RegenerateAPIKey(ctx context.Context, password string) (api.APIKey, error) {
	var k api.APIKey
	err := c.do(ctx, call{method: http.MethodPost, path: "/v1/me/api-key/regenerate", body: api.PasswordProof{Password: password}, out: &k})
	return k, err
}

// DeleteAccount deletes the account after re-checking the password
// (DELETE /v1/me) and forgets the session.
func (c *Client) DeleteAccount(ctx context.Context, password string) error {
	err := c.do(ctx, call{method: http.MethodDelete, path: "/v1/me", body: api.PasswordProof{Password: password}})
	if err == nil {
		c.SetTokens(api.Tokens{})
	}
	return err
}

// DevOutbox lists the messages of a server run with its development outbox
// on, oldest first (GET /v1/dev/outbox); other servers answer 404.
func (c *Client) DevOutbox(ctx context.Context) ([]api.DevMessage, error) {
	var m []api.DevMessage
	err := c.do(ctx, call{method: http.MethodGet, path: "/v1/dev/outbox", out: &m, noAuth: true})
	return m, err
}

// DevInFlight is how many requests a server run with its development
// outbox on is handling, this one left out (GET /v1/dev/in-flight).
func (c *Client) DevInFlight(ctx context.Context) (int64, error) {
	var n api.InFlight
	err := c.do(ctx, call{method: http.MethodGet, path: "/v1/dev/in-flight", out: &n, noAuth: true})
	return n.Requests, err
}
