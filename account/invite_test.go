package account

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server"
	"github.com/phoneset/phoneset/server/servertest"
)

// invitationToken invites email to the demo organisation as its admin and
// returns the token of the link the server mailed.
func invitationToken(t *testing.T, srv *server.Server, baseURL, email string) string {
	t.Helper()
	admin := realClient(t, baseURL, "admin")
	_, err := admin.Invite(context.Background(), api.InvitationRequest{Email: email, DisplayName: "Nina New"})
	must(t, err)
	m, ok := srv.Outbox().Last(email)
	if !ok {
		t.Fatalf("no invitation mailed to %s", email)
	}
	for _, word := range strings.Fields(m.Body) {
		if u, err := url.Parse(word); err == nil && u.Query().Has("token") {
			return u.Query().Get("token")
		}
	}
	t.Fatalf("no link in %q", m.Body)
	return ""
}

// TestRealServerAcceptInvitation: accepting an invitation in the app
// creates the account, signs in and keeps the session in the keyring, so
// the next start resumes it; a spent link, a taken username and a weak
// password are refused without a session.
func TestRealServerAcceptInvitation(t *testing.T) {
	srv, url, _ := servertest.New(t)
	ctx := context.Background()
	spent := invitationToken(t, srv, url, "spent@example.com")
	{
		m := realModel(t, url, newMemKeyring(), t.TempDir())
		must(t, m.AcceptInvitation(ctx, spent, "spent", "Tangerine-Orbit-42", "test"))
	}
	tests := []struct {
		name     string
		email    string // invited, "" to use the spent link
		username string
		password string
		status   int    // refusal's HTTP status, 0 for success
		field    string // the refused field
		reason   string
	}{
		{"accepted", "nina@example.com", "nina", "Tangerine-Orbit-42", 0, "", ""},
		{"link already used", "", "nina2", "Tangerine-Orbit-42", http.StatusUnprocessableEntity, api.FieldToken, api.ReasonTokenInvalid},
		{"username taken", "taken@example.com", "agent1", "Tangerine-Orbit-42", http.StatusConflict, api.FieldUsername, api.ReasonTaken},
		{"password holds the address", "walterwhite@example.com", "heisenberg", "Walterwhite-Orbit-42", http.StatusUnprocessableEntity, api.FieldPassword, api.ReasonPasswordPersonal},
		{"too short", "short@example.com", "shorty", "Ab1!xy", http.StatusUnprocessableEntity, api.FieldPassword, api.ReasonPasswordLength},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token := spent
			if tt.email != "" {
				token = invitationToken(t, srv, url, tt.email)
			}
			kr, dir := newMemKeyring(), t.TempDir()
			m := realModel(t, url, kr, dir)
			err := m.AcceptInvitation(ctx, token, tt.username, tt.password, "test")
			if tt.status != 0 {
				var ae *api.Error
				if !errors.As(err, &ae) || ae.Status != tt.status || ae.Fields[tt.field] == nil || ae.Fields[tt.field].Code != tt.reason {
					t.Fatalf("refusal %#v, want %d %s %s", err, tt.status, tt.field, tt.reason)
				}
				kr.mu.Lock()
				saved := len(kr.items)
				kr.mu.Unlock()
				if m.SignedIn() || saved != 0 {
					t.Fatalf("refused, yet signed in %v, %d keyring items", m.SignedIn(), saved)
				}
				return
			}
			must(t, err)
			if !m.SignedIn() || m.Me().Profile.Username != tt.username || m.Me().Profile.Email != tt.email {
				t.Fatalf("signed in %v as %+v", m.SignedIn(), m.Me().Profile)
			}
			// The next start resumes the session from the keyring.
			must(t, m.Close())
			again := realModel(t, url, kr, dir)
			ok, err := again.Restore(ctx)
			must(t, err)
			if !ok || again.Me().Profile.Username != tt.username {
				t.Fatalf("restored %v as %q", ok, again.Me().Profile.Username)
			}
		})
	}
}
