package client

import (
	"context"
	"net/http"

	"github.com/phoneset/phoneset/api"
)

// SSOStart begins a single sign-on (POST /v1/sso/start): the organisation
// is the one that claims the email's domain; the answer is where to send
// the browser and the state its redirect must bring back.
func (c *Client) SSOStart(ctx context.Context, req api.SSOStartRequest) (api.SSOStart, error) {
	var s api.SSOStart
	err := c.do(ctx, call{method: http.MethodPost, path: "/v1/sso/start", body: req, out: &s, noAuth: true})
	return s, err
}

// SSOFinish completes a single sign-on (POST /v1/sso/finish) and installs
// the session's tokens. It is never retried: the state is good once.
func (c *Client) SSOFinish(ctx context.Context, req api.SSOFinishRequest) (api.Tokens, error) {
	var t api.Tokens
	err := c.do(ctx, call{method: http.MethodPost, path: "/v1/sso/finish", body: req, out: &t, noAuth: true, noRetry: true})
	if err != nil {
		return api.Tokens{}, err
	}
	c.SetTokens(t)
	return t, nil
}

// OrgSSO loads the organisation's single sign-on settings (GET /v1/org/sso).
func (c *Client) OrgSSO(ctx context.Context) (api.SSOSettings, error) {
	return fetch[api.SSOSettings](ctx, c, orgPath("sso"))
}

// SetOrgSSO replaces them if they are still at version (PUT /v1/org/sso).
func (c *Client) SetOrgSSO(ctx context.Context, version int64, u api.SSOSettingsUpdate) (api.SSOSettings, error) {
	return replace[api.SSOSettings](ctx, c, orgPath("sso"), version, u)
}

// VerifyOrgSSODomain asks the server to check a claimed domain's DNS TXT
// record (POST /v1/org/sso/domains/{domain}/verify). A check that does not
// verify is an error with its reason (dns_record_missing,
// dns_record_mismatch, dns_unavailable, domain_taken); the claim then
// carries it too.
func (c *Client) VerifyOrgSSODomain(ctx context.Context, domain string) (api.SSODomain, error) {
	var d api.SSODomain
	err := c.do(ctx, call{method: http.MethodPost, path: orgPath("sso", "domains", domain, "verify"), out: &d})
	return d, err
}
