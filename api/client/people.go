package client

import (
	"context"
	"net/http"

	"github.com/phoneset/phoneset/api"
)

// Invitations lists the organisation's pending invitations, newest first.
func (c *Client) Invitations(ctx context.Context) ([]api.Invitation, error) {
	return fetch[[]api.Invitation](ctx, c, orgPath("invitations"))
}

// Invite invites someone by email; the server mails them a link valid
// for 7 days.
func (c *Client) Invite(ctx context.Context, r api.InvitationRequest) (api.Invitation, error) {
	var inv api.Invitation
	err := c.do(ctx, call{method: http.MethodPost, path: orgPath("invitations"), body: r, out: &inv, idemKey: orgIdemKey(ctx)})
	return inv, err
}

// ResendInvitation mails an invitation again with a new link.
func (c *Client) ResendInvitation(ctx context.Context, id string) (api.Invitation, error) {
	var inv api.Invitation
	err := c.do(ctx, call{method: http.MethodPost, path: orgPath("invitations", id, "resend"), out: &inv})
	return inv, err
}

// RevokeInvitation withdraws an invitation; its link stops working.
func (c *Client) RevokeInvitation(ctx context.Context, id string) error {
	return c.do(ctx, call{method: http.MethodDelete, path: orgPath("invitations", id)})
}

// DeactivateUser stops a member at once: sessions, API key, licenses.
func (c *Client) DeactivateUser(ctx context.Context, userID string) (api.OrgUser, error) {
	return c.orgUserCall(ctx, http.MethodPost, orgPath("users", userID, "deactivate"))
}

// ReactivateUser lets a deactivated member sign in again.
func (c *Client) ReactivateUser(ctx context.Context, userID string) (api.OrgUser, error) {
	return c.orgUserCall(ctx, http.MethodPost, orgPath("users", userID, "reactivate"))
}

// DeleteUser erases a member; password is the admin's own.
func (c *Client) DeleteUser(ctx context.Context, userID, password string) error {
	return c.do(ctx, call{method: http.MethodDelete, path: orgPath("users", userID), body: api.PasswordProof{Password: password}})
}

// AcceptInvitation creates the invited account with the chosen username
// and password and signs in with it.
func (c *Client) AcceptInvitation(ctx context.Context, req api.InvitationAccept) (api.Tokens, error) {
	var t api.Tokens
	if err := c.do(ctx, call{method: http.MethodPost, path: "/v1/invitations/accept", body: req, out: &t, noAuth: true}); err != nil {
		return api.Tokens{}, err
	}
	c.SetTokens(t)
	return t, nil
}
