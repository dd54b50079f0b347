package account

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server"
	"github.com/phoneset/phoneset/server/servertest"
)

// TestRealServerSecondFactor: the password alone is answered with a
// challenge and no session; the code signs in; "remember this device" puts
// a device token in the keyring (not in the data directory), which the next
// sign-in sends instead of a code.
func TestRealServerSecondFactor(t *testing.T) {
	_, url, _ := servertest.New(t)
	ctx := context.Background()
	other := realClient(t, url, "agent1")
	en, err := other.StartEnrolment(ctx, server.DemoPassword)
	must(t, err)
	code, err := totp.GenerateCode(en.Secret, time.Now())
	must(t, err)
	_, err = other.ConfirmEnrolment(ctx, code)
	must(t, err)

	kr, dir := newMemKeyring(), t.TempDir()
	m := realModel(t, url, kr, dir)
	err = m.SignIn(ctx, "agent1", server.DemoPassword, "test")
	challenge, enrol, ok := api.ChallengeOf(err)
	if !ok || enrol || m.SignedIn() {
		t.Fatalf("password only: %v (signed in %v)", err, m.SignedIn())
	}
	if _, err := m.SignInSecondFactor(ctx, challenge, "000000", true); err == nil || m.SignedIn() {
		t.Fatalf("wrong code: %v", err)
	}
	// The next step's code: this step's was used to confirm.
	code, err = totp.GenerateCode(en.Secret, time.Now().Add(30*time.Second))
	must(t, err)
	_, err = m.SignInSecondFactor(ctx, challenge, code, true)
	must(t, err)
	if !m.SignedIn() {
		t.Fatal("not signed in after the code")
	}
	kr.mu.Lock()
	device := kr.items[KeyringService+"|"+deviceItem(url)]
	kr.mu.Unlock()
	if !strings.HasPrefix(device, "psd_") {
		t.Fatalf("no device token in the keyring: %q", device)
	}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if strings.Contains(string(b), device) {
			t.Errorf("%s holds the device token", path)
		}
		return err
	})
	must(t, err)
	must(t, m.SignOut(ctx))
	must(t, m.SignIn(ctx, "agent1", server.DemoPassword, "test"))
}
