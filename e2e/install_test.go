package e2e

// The installers `make package` builds, installed for real (install_deb_test.go,
// install_msi_test.go): built by the same scripts the Makefile runs, from the
// binaries the harness starts. They run here, not in a package of their own,
// because go test runs packages side by side and these type into the same
// display (and Wine prefix) as the other end-to-end tests.

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
)

// tryRun runs a command and returns its combined output and error.
func tryRun(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).CombinedOutput()
	return string(out), err
}

// appVersion is FyneApp.toml's Version, which `make package` stamps on every
// package.
func appVersion(t *testing.T) string {
	t.Helper()
	toml, err := os.ReadFile("../FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^Version\s*=\s*"([^"]+)"`).FindSubmatch(toml)
	if m == nil {
		t.Fatal(`FyneApp.toml has no Version = "…"`)
	}
	return string(m[1])
}

// nextVersion bumps the last of MSI's three significant version fields.
func nextVersion(t *testing.T, v string) string {
	parts := strings.Split(v, ".")
	n, err := strconv.Atoi(parts[len(parts)-1])
	if err != nil || len(parts) != 3 {
		t.Fatalf("version %q is not major.minor.patch", v)
	}
	parts[2] = strconv.Itoa(n + 1)
	return strings.Join(parts, ".")
}

// renameAgent gives the demo agent a display name only this server knows:
// the installed app showing it after sign-in proves which server the app
// found (the built-in demo backend has the same accounts).
func renameAgent(t *testing.T, url, name string) {
	t.Helper()
	c := agentClient(t, url)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p, err := c.Profile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateProfile(ctx, p.Version, api.ProfilePatch{DisplayName: &name}); err != nil {
		t.Fatalf("rename: %v", err)
	}
}

// signInAs starts the app as it is installed (h.command), signs in as the
// demo agent and waits for the window titled with the agent's name.
func (h *harness) signInAs(name string) {
	h.t.Helper()
	h.startApp()
	h.window("Phoneset — Sign in")
	h.signIn(demoLogin)
	h.window("Phoneset — " + name)
	h.stopApp()
}
