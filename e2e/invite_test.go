package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/api/client"
)

// TestAcceptInvitation invites a new agent through the admin API, reads
// the link from the server's dev outbox as the invitee would from the
// email, and accepts it in the app: link, username and password typed on
// the sign-in page's "Accept an invitation" step land in the signed-in
// shell as the new account.
func TestAcceptInvitation(t *testing.T) {
	h := newHarness(t)
	addr := freePort(t)
	url := "http://" + addr
	h.startServer(addr, "--dev-outbox")

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := client.New(url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.SignIn(ctx, api.SignInRequest{Login: "admin", Password: demoPassword, Device: "e2e check"}); err != nil {
		t.Fatal(err)
	}
	const email = "nina@example.com"
	if _, err := admin.Invite(ctx, api.InvitationRequest{Email: email, DisplayName: "Nina New"}); err != nil {
		t.Fatal(err)
	}
	link := invitationLink(t, url, email)

	h.startApp("--server", url)
	h.window("Phoneset — Sign in")
	// Username, password, Sign in, Forgot password?, Sign in with your
	// company, Accept an invitation.
	h.key("Tab", "Tab", "Tab", "Tab", "Tab", "space")
	h.window("Phoneset — Accept an invitation")
	h.typeText(link)
	h.key("Tab")
	h.typeText("nina")
	h.key("Tab")
	h.typeText("Tangerine-Orbit-42")
	h.key("Tab")
	h.typeText("Tangerine-Orbit-42")
	h.settled(nil) // the last key drawn: the checklist met, Create enabled
	h.screenshot(h.prefix + "signin_invite.png")
	h.key("Return")
	h.window("Phoneset — Nina New")

	users, err := admin.OrgUsers(ctx, api.OrgUserFilter{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, u := range users {
		found = found || u.Username == "nina" && u.Email == email
	}
	if !found {
		t.Errorf("no account nina <%s> on the server: %+v", email, users)
	}
}

// invitationLink reads the link of the invitation mailed to email from
// the server's dev outbox (phoneset-server --dev-outbox).
func invitationLink(t *testing.T, url, email string) string {
	t.Helper()
	resp, err := http.Get(url + "/v1/dev/outbox")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var msgs []struct{ To, Body string }
	if err := json.NewDecoder(resp.Body).Decode(&msgs); err != nil {
		t.Fatal(err)
	}
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].To != email {
			continue
		}
		for _, w := range strings.Fields(msgs[i].Body) {
			if strings.Contains(w, "/v1/invitations/accept?token=") {
				return w
			}
		}
	}
	t.Fatalf("no invitation link for %s in the outbox: %+v", email, msgs)
	return ""
}
