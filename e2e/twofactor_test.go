package e2e

import (
	"image"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/phoneset/phoneset/internal/testenv"
)

// TestTwoFactorEnrolRecoverRemember sets two-factor sign-in up in the
// window as a person does: the Security page shows a QR code, which the
// test scans from the screen as an authenticator app would, and a code
// computed from it turns two-factor on; the recovery codes are copied
// with "Copy codes". Then, signed out and in again: a recovery code
// stands in for the code once, and is refused the second time; a code
// with "Remember this computer" ticked makes the next sign-in ask for no
// code at all.
func TestTwoFactorEnrolRecoverRemember(t *testing.T) {
	testenv.RequireCommand(t, "zbarimg", "ZBar's zbarimg (scripts/deps.sh test installs it)")
	testenv.RequireCommand(t, "xclip", "xclip (scripts/deps.sh test installs it)")
	h := newHarness(t)
	addr := freePort(t)
	h.startServer(addr)
	h.startApp("--server", "http://"+addr)
	h.window("Phoneset — Sign in")
	h.signIn(demoLogin)
	h.window("Phoneset — Bo Agent")

	h.key("ctrl+4") // Security
	h.click("Your password")
	h.typeText(demoPassword)
	h.click("Set up…")
	key := h.scanQR()
	h.screenshot(h.prefix + "security_totp.png")
	h.click("Code from the app")
	h.typeText(code(t, key, 0))
	h.click("Turn on")
	h.click("Copy codes")
	recovery := strings.Fields(h.x("xclip", "-o", "-selection", "clipboard"))
	if len(recovery) != 10 {
		t.Fatalf("copied %d recovery codes, want 10: %q", len(recovery), recovery)
	}
	h.click("Continue")

	// A recovery code instead of the app's code, once.
	signOut := h.click("Sign out")
	h.window("Phoneset — Sign in")
	h.signIn(demoLogin)
	h.window("Phoneset — Two-factor sign-in")
	h.typeText(recovery[0])
	h.key("Return")
	h.window("Phoneset — Bo Agent")
	h.signOutAndIn(signOut)
	h.window("Phoneset — Two-factor sign-in")
	step := h.settled(nil)
	h.typeText(recovery[0])
	h.key("Return")
	h.settled(step)
	h.showsText("a spent recovery code", "Code: is wrong")

	// The app's code, and this computer remembered (the check box after
	// the code, then Verify): the next sign-in asks for no code.
	h.typeText(code(t, key, 30*time.Second))
	h.key("Tab", "space", "Tab", "space")
	h.window("Phoneset — Bo Agent")
	h.signOutAndIn(signOut)
	h.window("Phoneset — Bo Agent")
}

// scanQR reads the QR code the window shows, as a phone's authenticator
// app would, and returns its key.
func (h *harness) scanQR() *otp.Key {
	h.t.Helper()
	var uri string
	shot := filepath.Join(h.t.TempDir(), "qr.png")
	frame := h.settled(nil)
	for notches := 0; uri == ""; notches += 2 {
		if notches == 20 {
			h.t.Fatal("no QR code in the window")
		}
		if notches > 0 {
			// Only part of it on show: scroll on, as a person would.
			h.scroll(2)
			frame = h.settled(frame)
		}
		h.grab(shot)
		// zbarimg exits 4 when it finds no code.
		out, _ := exec.Command("zbarimg", "--raw", "-q", shot).Output()
		uri = strings.TrimSpace(string(out))
	}
	key, err := otp.NewKeyFromURL(uri)
	if err != nil {
		h.t.Fatalf("the QR code holds %q: %v", uri, err)
	}
	return key
}

// code is the authenticator app's code for key, later by ahead: each code
// signs in once, so a second one in the same 30 s takes the next step's,
// which the server accepts as well.
func code(t *testing.T, key *otp.Key, ahead time.Duration) string {
	t.Helper()
	c, err := totp.GenerateCode(key.Secret(), time.Now().Add(ahead))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// signOutAndIn presses the shell's Sign out, where it is, and signs in as
// the demo agent with the password.
func (h *harness) signOutAndIn(signOut image.Point) {
	h.t.Helper()
	h.clickAt(signOut)
	h.window("Phoneset — Sign in")
	h.signIn(demoLogin)
}
