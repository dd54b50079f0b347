package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/internal/testenv"
	"github.com/phoneset/phoneset/internal/testoidc"
)

// TestSSOSignInThroughTheWindow signs in with the company's identity
// provider the way a person does: the demo organisation signs in through a
// real OpenID provider (internal/testoidc) for its domain; in the app's
// window "Sign in with your company" takes the work address, the app opens
// the browser (headless Chromium, through PHONESET_BROWSER) at the
// provider, which signs Bo in and sends the browser back to the app, and
// the window shows Bo's account. First an address of a domain without
// single sign-on, which the app refuses in plain words without opening a
// browser.
func TestSSOSignInThroughTheWindow(t *testing.T) {
	chromium := testenv.RequireCommand(t, "chromium", "Chromium (scripts/deps.sh test installs it)")
	h := newHarness(t)
	provider := testoidc.New(t)
	addr := freePort(t)
	url := "http://" + addr
	h.startServer(addr)
	useProvider(t, url, provider)

	// The browser loads the provider's page, follows its redirects back to
	// the app's loopback port, saves what it finally shows and exits; a
	// stuck one is killed.
	page := filepath.Join(h.shots, h.prefix+"signin_sso_browser.png")
	os.Remove(page)
	browser := append([]string{"timeout", "60"}, testoidc.ChromiumArgs(chromium, t.TempDir(), "--window-size=640,360", "--screenshot="+page)...)
	h.env = append(h.env, "PHONESET_BROWSER="+strings.Join(browser, " "))
	h.startApp("--server", url)
	h.window("Phoneset — Sign in")
	// Username, password, Sign in, Forgot password?, Sign in with your
	// company.
	h.key("Tab", "Tab", "Tab", "Tab", "space")
	h.window("Phoneset — Sign in with your company")

	h.typeText("agent1@demo.phoneset.test")
	form := h.settled(nil)
	h.screenshot(h.prefix + "signin_sso.png")

	h.key("ctrl+a")
	h.typeText("bo@no-sso.example")
	form = h.settled(form)
	h.key("Return")
	h.settled(form)
	h.showsText("a domain without single sign-on", "No organisation signs in with single sign-on for this email address")
	if _, err := os.Stat(page); err == nil {
		t.Fatal("the browser opened for a domain without single sign-on")
	}

	h.key("ctrl+a")
	h.typeText("agent1@demo.phoneset.test")
	h.key("Return")
	h.window("Phoneset — Bo Agent")
	h.eventually("the browser's page", 30*time.Second, func() bool {
		fi, err := os.Stat(page)
		return err == nil && fi.Size() > 0
	})

	if os.Getenv("PHONESET_TEST_KEYRING") != "" {
		// The session is in the keyring: a restarted app resumes it.
		h.stopApp()
		h.startApp("--server", url)
		h.window("Phoneset — Bo Agent")
	}
}

// useProvider makes the demo organisation sign in through provider for
// its domain, demo.phoneset.test, as its admin would in the Organisation
// tab.
func useProvider(t *testing.T, url string, provider *testoidc.Provider) {
	t.Helper()
	admin := clientAs(t, url, "admin")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	secret := testoidc.ClientSecret
	if _, err := admin.SetOrgSSO(ctx, 1, api.SSOSettingsUpdate{Enabled: true, Issuer: provider.URL, ClientID: testoidc.ClientID,
		ClientSecret: &secret, Domains: []string{"demo.phoneset.test"}}); err != nil {
		t.Fatal(err)
	}
}
