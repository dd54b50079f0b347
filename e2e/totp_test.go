package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

// TestSignInWithTOTP turns two-factor sign-in on for the demo agent through
// the API, then signs in in the app with the password and a code computed
// from the enrolled secret, as an authenticator app would show it.
func TestSignInWithTOTP(t *testing.T) {
	h := newHarness(t)
	addr := freePort(t)
	url := "http://" + addr
	h.startServer(addr)

	c := agentClient(t, url)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	en, err := c.StartEnrolment(ctx, demoPassword)
	if err != nil {
		t.Fatal(err)
	}
	code, err := totp.GenerateCode(en.Secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ConfirmEnrolment(ctx, code); err != nil {
		t.Fatal(err)
	}

	h.startApp("--server", url)
	h.window("Phoneset — Sign in")
	h.signIn(demoLogin)
	// The password alone is not enough: the app asks for the code.
	h.window("Phoneset — Two-factor sign-in")
	h.screenshot(h.prefix + "signin_totp.png")
	// Each code works once: this step's went into confirming, so type the
	// next step's, which the server accepts as well.
	code, err = totp.GenerateCode(en.Secret, time.Now().Add(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	h.typeText(code)
	h.key("Return")
	h.window("Phoneset — Bo Agent")

	sessions, err := c.Sessions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(sessions) != 2 {
		t.Errorf("%d sessions, want the check's and the app's: %+v", len(sessions), sessions)
	}
}
