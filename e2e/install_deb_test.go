package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/phoneset/phoneset/internal/testenv"
)

// requireRoot skips (or fails, when services are required) a test that
// installs system packages.
func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		if os.Getenv(testenv.RequireServicesVar) == "1" {
			t.Fatal("installing packages needs root")
		}
		t.Skip("installing packages needs root")
	}
}

// dpkg runs dpkg, waiting while another apt or dpkg run holds its lock.
func dpkg(t *testing.T, args ...string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Minute)
	for {
		out, err := tryRun("dpkg", args...)
		if err == nil {
			return
		}
		if !strings.Contains(out, "lock") || time.Now().After(deadline) {
			t.Fatalf("dpkg %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		time.Sleep(2 * time.Second)
	}
}

func debInstalled() bool {
	out, err := tryRun("dpkg-query", "-W", "-f=${db:Status-Status}", "phoneset")
	return err == nil && out == "installed"
}

// TestDeb builds the .deb (packaging/linux/deb.sh), installs it with
// dpkg -i, names a real server in /etc/phoneset/phoneset.conf as IT would,
// signs in through the installed app, then removes and purges it.
func TestDeb(t *testing.T) {
	h := newHarness(t)
	requireRoot(t)
	for _, tool := range []string{"dpkg-deb", "dpkg-shlibdeps", "desktop-file-validate"} {
		testenv.RequireCommand(t, tool, tool)
	}
	if debInstalled() {
		t.Fatal("a phoneset package is already installed on this machine; not replacing it")
	}
	version := appVersion(t)
	deb := filepath.Join(t.TempDir(), "phoneset.deb")
	h.x("../packaging/linux/deb.sh", version, h.command[0], deb)

	fields := h.x("dpkg-deb", "--field", deb, "Package", "Version", "Maintainer", "Depends")
	for _, want := range []string{"Package: phoneset", "Version: " + version, "Maintainer: Phoneset team <support@phoneset.io>",
		"libc6 (>= ", "libgl1", "libasound2"} {
		if !strings.Contains(fields, want) {
			t.Errorf("control fields lack %q:\n%s", want, fields)
		}
	}

	t.Cleanup(func() { tryRun("dpkg", "--purge", "phoneset") })
	dpkg(t, "--install", deb)
	const (
		exe     = "/usr/bin/phoneset"
		desktop = "/usr/share/applications/io.phoneset.app.desktop"
		icon    = "/usr/share/icons/hicolor/512x512/apps/io.phoneset.app.png"
		conf    = "/etc/phoneset/phoneset.conf"
	)
	for _, f := range []string{exe, desktop, icon, conf} {
		if !fileExists(f) {
			t.Errorf("installed package lacks %s", f)
		}
	}
	if out, err := tryRun("desktop-file-validate", desktop); err != nil || out != "" {
		t.Errorf("desktop-file-validate %s: %v\n%s", desktop, err, out)
	}
	if got := h.x("dpkg-query", "-W", "-f=${Conffiles}", "phoneset"); !strings.Contains(got, conf) {
		t.Errorf("conffiles = %q, want %s", got, conf)
	}

	// IT names the server in the conffile; the installed app must use it.
	addr := freePort(t)
	url := "http://" + addr
	h.startServer(addr)
	renameAgent(t, url, "Deb Agent")
	setting := "server_url = " + url + "\n"
	f, err := os.OpenFile(conf, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(setting); err != nil {
		t.Fatal(err)
	}
	f.Close()
	h.command = []string{exe}
	h.signInAs("Deb Agent")

	// Remove keeps the admin's edited conffile; purge deletes it.
	dpkg(t, "--remove", "phoneset")
	if fileExists(exe) || fileExists(desktop) || fileExists(icon) {
		t.Error("dpkg --remove left the program, desktop file or icon")
	}
	if kept, err := os.ReadFile(conf); err != nil || !strings.Contains(string(kept), setting) {
		t.Errorf("dpkg --remove did not keep the edited %s: %v", conf, err)
	}
	dpkg(t, "--purge", "phoneset")
	if fileExists(filepath.Dir(conf)) {
		t.Errorf("dpkg --purge left %s", filepath.Dir(conf))
	}
	if debInstalled() {
		t.Error("phoneset still installed after purge")
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
