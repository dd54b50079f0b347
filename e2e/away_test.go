package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/internal/testenv"
)

// TestAwayOnLock locks the session the way a Linux desktop says it does
// (the screen saver's ActiveChanged on the session bus, sent with
// dbus-send on a bus of the test's own) and checks that the running app
// sets the Online agent Unavailable on the server, then asks "Back Online?"
// on unlock, which Return answers.
func TestAwayOnLock(t *testing.T) {
	h := newHarness(t)
	// The session bus of the unlocked keyring when there is one, so the app
	// keeps its sign-in as on a desktop (and its screenshot shows no
	// keyring warning); e2e apps run one at a time, so no other app hears
	// the lock. Else a bus of the test's own.
	bus := os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	if bus == "" {
		bus = testenv.SessionBus(t)
	}
	h.env = append(h.env, "DBUS_SESSION_BUS_ADDRESS="+bus, "DBUS_SYSTEM_BUS_ADDRESS=unix:path="+filepath.Join(t.TempDir(), "no-system-bus"))
	addr := freePort(t)
	url := "http://" + addr
	h.startServer(addr)
	c := agentClient(t, url)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	status := func() api.Status {
		st, err := c.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	if _, err := c.SetStatus(ctx, status().Version, api.StatusUpdate{Availability: api.Online}); err != nil {
		t.Fatal(err)
	}

	h.startApp("--server", url)
	h.window("Phoneset — Sign in")
	h.signIn(demoLogin)
	h.window("Phoneset — Bo Agent")
	time.Sleep(time.Second) // the watcher subscribes once the account is shown

	screenSaver := func(active string) {
		cmd := exec.Command("dbus-send", "--session", "--type=signal", "/org/freedesktop/ScreenSaver",
			"org.freedesktop.ScreenSaver.ActiveChanged", "boolean:"+active)
		cmd.Env = append(os.Environ(), "DBUS_SESSION_BUS_ADDRESS="+bus)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("dbus-send: %v %s", err, out)
		}
	}
	locked := time.Now()
	screenSaver("true")
	h.eventually("Unavailable on the server after the lock", 30*time.Second, func() bool {
		return status().Availability == api.Unavailable
	})
	t.Logf("lock to Unavailable on the server: %v (the goal is 5 s)", time.Since(locked).Round(time.Millisecond))
	if st := status(); st.ReasonCode != "lunch" { // the org's first reason: no away reason chosen
		t.Errorf("away with %+v", st)
	}

	screenSaver("false")
	time.Sleep(2 * time.Second) // the question opens and takes focus
	h.screenshot("back-online.png")
	h.key("Return")
	h.eventually("Online again after Return", 30*time.Second, func() bool {
		return status().Availability == api.Online
	})
}
