package account

import (
	"context"

	"github.com/phoneset/phoneset/api"
)

// AcceptInvitation creates the invited account from an invitation link's
// token with the username and password the invitee chose, and signs in
// with the session the server answers, as SignIn does: the session goes to
// the keyring.
func (m *Model) AcceptInvitation(ctx context.Context, token, username, password, device string) error {
	req := api.InvitationAccept{Token: token, Username: username, Password: password, Device: device}
	if _, err := m.c.AcceptInvitation(ctx, req); err != nil {
		return err
	}
	return m.signedIn(ctx)
}
