package client

import (
	"context"
	"net/http"

	"github.com/phoneset/phoneset/api"
)

// SignInSecondFactor answers the challenge of a SignIn that failed with
// api.CodeSecondFactorRequired (see api.ChallengeOf) and installs the
// session (POST /v1/sessions/second-factor).
func (c *Client) SignInSecondFactor(ctx context.Context, req api.SecondFactorRequest) (api.SecondFactorTokens, error) {
	var t api.SecondFactorTokens
	err := c.do(ctx, call{method: http.MethodPost, path: "/v1/sessions/second-factor", body: req, out: &t, noAuth: true})
	if err != nil {
		return api.SecondFactorTokens{}, err
	}
	c.SetTokens(t.Session())
	return t, nil
}

// EnrolAtSignIn fetches a new secret for a challenge whose organisation
// requires a second factor not set up yet (POST /v1/sessions/second-factor/enrolment).
func (c *Client) EnrolAtSignIn(ctx context.Context, challenge string) (api.TOTPEnrolment, error) {
	var e api.TOTPEnrolment
	err := c.do(ctx, call{method: http.MethodPost, path: "/v1/sessions/second-factor/enrolment",
		body: api.ChallengeRequest{Challenge: challenge}, out: &e, noAuth: true})
	return e, err
}

// SecondFactor is the account's two-factor state (GET /v1/me/second-factor).
func (c *Client) SecondFactor(ctx context.Context) (api.SecondFactorStatus, error) {
	var s api.SecondFactorStatus
	err := c.do(ctx, call{method: http.MethodGet, path: "/v1/me/second-factor", out: &s})
	return s, err
}

// StartEnrolment makes a new secret after re-checking the password
// (POST /v1/me/second-factor); ConfirmEnrolment turns it on.
func (c *Client) StartEnrolment(ctx context.Context, password string) (api.TOTPEnrolment, error) {
	var e api.TOTPEnrolment
	err := c.do(ctx, call{method: http.MethodPost, path: "/v1/me/second-factor", body: api.PasswordProof{Password: password}, out: &e})
	return e, err
}

// ConfirmEnrolment turns two-factor sign-in on with the app's first code
// and returns the recovery codes (POST /v1/me/second-factor/confirm).
func (c *Client) ConfirmEnrolment(ctx context.Context, code string) ([]string, error) {
	var l api.RecoveryCodeList
	err := c.do(ctx, call{method: http.MethodPost, path: "/v1/me/second-factor/confirm", body: api.CodeRequest{Code: code}, out: &l})
	return l.Codes, err
}

// DisableSecondFactor turns it off with the password and a code
// (DELETE /v1/me/second-factor). It is not retried: the code is single use.
func (c *Client) DisableSecondFactor(ctx context.Context, password, code string) error {
	return c.do(ctx, call{method: http.MethodDelete, path: "/v1/me/second-factor",
		body: api.SecondFactorOff{Password: password, Code: code}, noRetry: true})
}

// NewRecoveryCodes replaces the recovery codes after re-checking the
// password (POST /v1/me/second-factor/recovery-codes).
func (c *Client) NewRecoveryCodes(ctx context.Context, password string) ([]string, error) {
	var l api.RecoveryCodeList
	err := c.do(ctx, call{method: http.MethodPost, path: "/v1/me/second-factor/recovery-codes", body: api.PasswordProof{Password: password}, out: &l})
	return l.Codes, err
}

// OrgSecondFactor is the organisation's policy and members (GET /v1/org/second-factor).
func (c *Client) OrgSecondFactor(ctx context.Context) (api.OrgSecondFactor, error) {
	return fetch[api.OrgSecondFactor](ctx, c, orgPath("second-factor"))
}

// SetSecondFactorPolicy sets the policy if it is still at version
// (PUT /v1/org/second-factor).
func (c *Client) SetSecondFactorPolicy(ctx context.Context, version int64, policy string) (api.OrgSecondFactor, error) {
	return replace[api.OrgSecondFactor](ctx, c, orgPath("second-factor"), version, api.SecondFactorPolicy{Policy: policy})
}

// ResetSecondFactor removes a member's second factor with the admin's
// password (DELETE /v1/org/users/{id}/second-factor).
func (c *Client) ResetSecondFactor(ctx context.Context, userID, password string) error {
	return c.do(ctx, call{method: http.MethodDelete, path: orgPath("users", userID, "second-factor"),
		body: api.PasswordProof{Password: password}, noRetry: true})
}
