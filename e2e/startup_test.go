package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A built-in backend that cannot open its data leaves no sign-in page that
// could only fail: the window says why, and Close quits the app.
func TestEmbeddedBackendFailureIsShown(t *testing.T) {
	h := newHarness(t)
	// A file where the backend keeps its database directory.
	server := filepath.Join(h.home, "data", "phoneset", "server")
	if err := os.MkdirAll(filepath.Dir(server), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(server, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	h.startApp()
	h.window("Phoneset — Can't start")
	// The session check finishes meanwhile; it must not bring the sign-in
	// page back.
	time.Sleep(time.Second)
	if title := strings.TrimSpace(h.x("xdotool", "getwindowname", h.win)); title != "Phoneset — Can't start" {
		t.Fatalf("the window's title became %q", title)
	}
	if log, _ := os.ReadFile(h.appLog); !strings.Contains(string(log), "embedded backend unavailable") {
		t.Errorf("the app did not log why:\n%s", log)
	}
	h.key("space") // Close has the focus
	select {
	case <-h.app:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not quit the app")
	}
}
