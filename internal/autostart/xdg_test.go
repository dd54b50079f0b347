//go:build !windows && !darwin

package autostart

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phoneset/phoneset/internal/testenv"
)

func TestNewFollowsXDG(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	cases := []struct {
		name, configHome, configDirs string
		user                         string
		machine                      []string
	}{
		{"defaults", "", "", home + "/.config/autostart/io.phoneset.app.desktop", []string{"/etc/xdg/autostart/io.phoneset.app.desktop"}},
		{"XDG_CONFIG_HOME", "/cfg", "", "/cfg/autostart/io.phoneset.app.desktop", []string{"/etc/xdg/autostart/io.phoneset.app.desktop"}},
		{"relative XDG_CONFIG_HOME ignored", "cfg", "", home + "/.config/autostart/io.phoneset.app.desktop", []string{"/etc/xdg/autostart/io.phoneset.app.desktop"}},
		{"XDG_CONFIG_DIRS", "", "/site:rel:/etc/xdg", home + "/.config/autostart/io.phoneset.app.desktop",
			[]string{"/site/autostart/io.phoneset.app.desktop", "/etc/xdg/autostart/io.phoneset.app.desktop"}},
	}
	exe, _ := os.Executable()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("XDG_CONFIG_HOME", tc.configHome)
			t.Setenv("XDG_CONFIG_DIRS", tc.configDirs)
			l, err := New()
			if err != nil {
				t.Fatal(err)
			}
			if l.exe != exe || l.user != tc.user || strings.Join(l.machine, ",") != strings.Join(tc.machine, ",") {
				t.Fatalf("New() = %+v; want user %s, machine %v", l, tc.user, tc.machine)
			}
		})
	}
}

// testLogin keeps both the user's and the machine's directories in a temp
// dir.
func testLogin(t *testing.T, exe string) *Login {
	dir := t.TempDir()
	return &Login{exe: exe,
		user:    filepath.Join(dir, "home", "autostart", ID+".desktop"),
		machine: []string{filepath.Join(dir, "etc", "autostart", ID+".desktop")}}
}

func TestSetWritesAndRemovesTheEntry(t *testing.T) {
	validate := testenv.RequireCommand(t, "desktop-file-validate", "desktop-file-utils")
	for _, exe := range []string{
		"/usr/bin/phoneset",
		"/opt/Phoneset App/phoneset",
		`/home/bo/we"ird $dir\with%and(parens)/phone'set`,
	} {
		t.Run(exe, func(t *testing.T) {
			l := testLogin(t, exe)
			wantState(t, l, false, false)
			set(t, l, true)
			wantState(t, l, true, false)
			fi, err := os.Stat(l.user)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o644 {
				t.Errorf("entry is %v, want 0644", fi.Mode().Perm())
			}
			if out, err := exec.Command(validate, l.user).CombinedOutput(); err != nil || len(out) > 0 {
				t.Errorf("desktop-file-validate: %v\n%s", err, out)
			}
			b, _ := os.ReadFile(l.user)
			if got := execPath(t, string(b)); got != exe {
				t.Errorf("Exec starts %q, want %q\n%s", got, exe, b)
			}
			if err := l.Set(true); err != nil { // again: replaces, no error
				t.Fatal(err)
			}
			set(t, l, false)
			if _, err := os.Stat(l.user); !os.IsNotExist(err) {
				t.Fatalf("entry still there: %v", err)
			}
			wantState(t, l, false, false)
			if err := l.Set(false); err != nil {
				t.Fatalf("turning off twice: %v", err)
			}
			if entries, _ := os.ReadDir(filepath.Dir(l.user)); len(entries) != 0 {
				t.Fatalf("left behind: %v", entries)
			}
		})
	}
}

func TestSetRefusesAPathADesktopFileCantHold(t *testing.T) {
	l := testLogin(t, "/tmp/new\nline/phoneset")
	if err := l.Set(true); err == nil {
		t.Fatal("Set(true) wrote a path with a newline")
	}
	wantState(t, l, false, false)
}

func TestMachineWideEntry(t *testing.T) {
	const (
		on     = "[Desktop Entry]\nType=Application\nName=Phoneset\nExec=/usr/bin/phoneset\n"
		hidden = on + "Hidden=true\n"
		gnome  = on + "X-GNOME-Autostart-enabled=false\n"
		other  = on + "[Desktop Action x]\nHidden=true\n" // another group's key
	)
	cases := []struct {
		name, user, machine string
		on, managed         bool
	}{
		{"machine only", "", on, true, true},
		{"machine hidden", "", hidden, false, false},
		{"machine disabled for GNOME", "", gnome, false, false},
		{"key in another group", "", other, true, true},
		{"user's entry wins", on, on, true, false},
		{"user hides the machine's", hidden, on, false, false},
		{"user only", on, "", true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := testLogin(t, "/usr/bin/phoneset")
			for path, content := range map[string]string{l.user: tc.user, l.machine[0]: tc.machine} {
				if content == "" {
					continue
				}
				os.MkdirAll(filepath.Dir(path), 0o755)
				if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			wantState(t, l, tc.on, tc.managed)
		})
	}
	l := testLogin(t, "/usr/bin/phoneset")
	os.MkdirAll(filepath.Dir(l.machine[0]), 0o755)
	os.WriteFile(l.machine[0], []byte(on), 0o644)
	userOverMachine(t, l)
}

// The real thing: the running binary, the user's XDG_CONFIG_HOME.
func TestNewWritesIntoXDGConfigHome(t *testing.T) {
	config := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", config)
	t.Setenv("XDG_CONFIG_DIRS", t.TempDir())
	l, err := New()
	if err != nil {
		t.Fatal(err)
	}
	set(t, l, true)
	b, err := os.ReadFile(filepath.Join(config, "autostart", "io.phoneset.app.desktop"))
	if err != nil {
		t.Fatal(err)
	}
	if exe, _ := os.Executable(); execPath(t, string(b)) != exe {
		t.Fatalf("Exec is not the running binary %s:\n%s", exe, b)
	}
	wantState(t, l, true, false)
}

// execPath reads the program from an entry's Exec key as a launcher would:
// undo the string escapes, then %%, then the quoting.
func execPath(t *testing.T, desktop string) string {
	t.Helper()
	var value string
	for _, line := range strings.Split(desktop, "\n") {
		if v, ok := strings.CutPrefix(line, "Exec="); ok {
			value = v
		}
	}
	value = strings.NewReplacer(`\\`, `\`, `\s`, " ", `\t`, "\t", `\n`, "\n", `\r`, "\r").Replace(value)
	value = strings.ReplaceAll(value, "%%", "%")
	if !strings.HasPrefix(value, `"`) {
		if strings.ContainsAny(value, " \t") {
			t.Fatalf("unquoted Exec with spaces: %q", value)
		}
		return value
	}
	var b strings.Builder
	for i := 1; i < len(value); i++ {
		switch c := value[i]; c {
		case '\\':
			i++
			b.WriteByte(value[i])
		case '"':
			if i != len(value)-1 {
				t.Fatalf("arguments after the program: %q", value)
			}
			return b.String()
		default:
			b.WriteByte(c)
		}
	}
	t.Fatalf("unterminated quote: %q", value)
	return ""
}
