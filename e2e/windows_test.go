package e2e

import (
	"strings"
	"testing"

	"github.com/phoneset/phoneset/internal/testenv"
)

// credentialKey is where Wine's Credential Manager keeps credentials, one
// subkey "Generic: <target>" each; go-keyring's target is "service:user".
const credentialKey = `HKCU\Software\Wine\Credential Manager`

// The Windows build (bin/phoneset.exe) under Wine, along the Linux test's
// path: sign in, rename, restart with the session from the Windows
// Credential Manager, the WASAPI devices and the headset check over
// PulseAudio's loopback.
func TestWindowsBuildUnderWine(t *testing.T) {
	testenv.Require(t, "PHONESET_TEST_PULSE", "PulseAudio")
	h := newWineHarness(t)
	url, _ := accountPath(h, true)
	h.keepSinkAwake()
	devicesPath(h, "wasapi")

	// The restored session came from wincred: the credential is there, and
	// once it is deleted the same restart asks to sign in.
	cred := `\Generic: phoneset:` + url
	if out := h.x("wine", "reg", "query", credentialKey); !strings.Contains(out, cred) {
		t.Fatalf("no credential %q in Wine's Credential Manager:\n%s", cred, out)
	}
	h.stopApp()
	h.x("wine", "reg", "delete", credentialKey+cred, "/f")
	h.startApp("--server", url)
	h.window("Phoneset — Sign in")
}

// moveWineTray moves Wine's stand-alone system tray off the app: with no
// tray on the display, Wine shows the app's tray icon in a small window of
// its own at the top left, over the app's menu bar. It is moved while the
// test still works the app, whose next frames paint over where it was.
func (h *harness) moveWineTray() {
	info, err := h.xTry("xwininfo", "-name", "Wine System Tray")
	if err != nil {
		return // no tray icon (yet)
	}
	h.x("xdotool", "windowmove", "--sync", windowID(info), "1200", "770")
}
