package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/phoneset/phoneset/internal/testenv"
)

const (
	installDir   = `C:\Program Files\Phoneset`
	installedExe = installDir + `\phoneset.exe`
	runKey       = `HKLM\Software\Microsoft\Windows\CurrentVersion\Run`
	uninstallKey = `HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall`
	settingKey   = `HKLM\SOFTWARE\Phoneset`
)

// msiState is what an MSI leaves on the machine, as IT would check it.
type msiState struct {
	version    string // DisplayVersion of the one installed Phoneset; "" if none
	serverURL  string // HKLM\SOFTWARE\Phoneset ServerURL; "" if absent
	startLogin bool   // HKLM ...\Run value Phoneset runs the installed exe
}

// winePrefix is the Wine prefix of svc_start_wine, whose C: drive the MSI
// installs into.
type winePrefix struct {
	t        *testing.T
	dir      string
	shortcut string // Windows path of the Start-menu shortcut
}

func (w winePrefix) path(winPath string) string {
	rel := strings.ReplaceAll(strings.TrimPrefix(winPath, `C:\`), `\`, "/")
	return filepath.Join(w.dir, "drive_c", rel)
}

// reg returns the REG_SZ value name of key in the 64-bit registry view
// (the MSI's components are 64-bit), or "" if it is absent.
func (w winePrefix) reg(key, name string) string {
	out, err := tryRun("wine", "reg", "query", key, "/v", name, "/reg:64")
	if err != nil {
		return ""
	}
	m := regexp.MustCompile(`(?m)^\s+` + regexp.QuoteMeta(name) + `\s+REG_SZ\s+(.*?)\r?$`).FindStringSubmatch(out)
	if m == nil {
		w.t.Fatalf("reg query %s /v %s: unexpected output\n%s", key, name, out)
	}
	return m[1]
}

// products returns the DisplayVersion of every Add/Remove Programs entry
// named Phoneset.
func (w winePrefix) products() []string {
	out, err := tryRun("wine", "reg", "query", uninstallKey, "/s", "/reg:64")
	if err != nil {
		w.t.Fatalf("reg query %s: %v\n%s", uninstallKey, err, out)
	}
	var versions []string
	for _, entry := range regexp.MustCompile(`(?m)^HKEY_`).Split(out, -1) {
		if !regexp.MustCompile(`(?m)^\s+DisplayName\s+REG_SZ\s+Phoneset\r?$`).MatchString(entry) {
			continue
		}
		m := regexp.MustCompile(`(?m)^\s+DisplayVersion\s+REG_SZ\s+(.*?)\r?$`).FindStringSubmatch(entry)
		if m == nil {
			w.t.Fatalf("Add/Remove Programs entry without DisplayVersion:\n%s", entry)
		}
		versions = append(versions, m[1])
	}
	return versions
}

func (w winePrefix) state() msiState {
	var s msiState
	switch v := w.products(); len(v) {
	case 0:
	case 1:
		s.version = v[0]
	default:
		w.t.Fatalf("%d Phoneset products installed (%v), want at most one", len(v), v)
	}
	s.serverURL = w.reg(settingKey, "ServerURL")
	if run := w.reg(runKey, "Phoneset"); run != "" {
		if run != `"`+installedExe+`"` {
			w.t.Errorf("Run value Phoneset = %s, want the installed exe quoted", run)
		}
		s.startLogin = true
	}
	installed := s.version != ""
	files := []string{installedExe, installDir}
	if w.shortcut != "" {
		files = append(files, w.shortcut)
	}
	for _, f := range files {
		if fileExists(w.path(f)) != installed {
			w.t.Errorf("%s exists: %v, want %v (product installed: %v)", f, !installed, installed, installed)
		}
	}
	return s
}

// userData snapshots every file of Phoneset's in the Wine users' AppData:
// preferences, the account outbox, the client's data; not the MSI's own
// shortcut.
func (w winePrefix) userData() map[string][]byte {
	files := map[string][]byte{}
	profiles, _ := filepath.Glob(filepath.Join(w.dir, "drive_c", "users", "*", "AppData"))
	for _, dir := range profiles {
		filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || path == w.path(w.shortcut) || !strings.Contains(strings.ToLower(path), "phoneset") {
				return nil
			}
			if data, err := os.ReadFile(path); err == nil {
				files[path] = data
			}
			return nil
		})
	}
	return files
}

// TestMSI builds MSIs with wixl and walks one machine through IT's life
// cycle under Wine with silent msiexec: install with SERVER_URL and
// START_AT_LOGIN, the installed app signs in to that server and starts at
// the next (Wine) login, an upgrade
// without properties keeps the settings and the user's data, a downgrade is
// refused, an upgrade with new properties changes them, uninstall removes
// the program and the settings but not the user's data.
func TestMSI(t *testing.T) {
	h := newWineHarness(t)
	w := winePrefix{t: t, dir: testenv.Require(t, "WINEPREFIX", "a Wine prefix")}
	for _, tool := range []string{"wixl", "msibuild", "convert"} {
		testenv.RequireCommand(t, tool, tool)
	}
	if s := w.state(); s != (msiState{}) {
		t.Fatalf("the Wine prefix already has Phoneset: %+v", s)
	}

	exeDir := filepath.Dir(h.command[1])
	v1 := appVersion(t)
	v2 := nextVersion(t, v1)
	v3 := nextVersion(t, v2)
	dir := t.TempDir()
	build := func(name, version string) string {
		out := filepath.Join(dir, name)
		h.x("../packaging/windows/msi.sh", version, exeDir, out)
		return out
	}
	msi1, msi2, msi3 := build("v1.msi", v1), build("v2.msi", v2), build("v3.msi", v3)
	// Per machine, as Windows reads the package: ALLUSERS=1 makes
	// ProgramMenuFolder, the shortcut's folder, the all-users Start menu
	// (%ProgramData%\Microsoft\Windows\Start Menu\Programs).
	props := h.x("msiinfo", "export", msi1, "Property")
	for _, want := range []string{`(?m)^ALLUSERS\t1\r?$`, `(?m)^ARPCONTACT\tPhoneset team <support@phoneset\.io>\r?$`} {
		if !regexp.MustCompile(want).MatchString(props) {
			t.Errorf("the MSI's properties lack %s:\n%s", want, props)
		}
	}
	if sc := h.x("msiinfo", "export", msi1, "Shortcut"); !regexp.MustCompile(`(?m)^StartMenu\tProgramMenuFolder\tPhoneset\t`).MatchString(sc) {
		t.Errorf("the Start-menu shortcut is not in ProgramMenuFolder:\n%s", sc)
	}

	addr := freePort(t)
	url := "http://" + addr
	h.startServer(addr)
	renameAgent(t, url, "MSI Agent")
	const otherURL = "https://phoneset.example.com"
	steps := []struct {
		name  string
		args  []string // msiexec arguments before /qn
		fails bool
		want  msiState
	}{
		{name: "install with IT's properties", args: []string{"/i", msi1, "SERVER_URL=" + url, "START_AT_LOGIN=1"},
			want: msiState{v1, url, true}},
		{name: "upgrade without properties keeps them", args: []string{"/i", msi2},
			want: msiState{v2, url, true}},
		{name: "downgrade is refused", args: []string{"/i", msi1}, fails: true,
			want: msiState{v2, url, true}},
		{name: "upgrade with new properties changes them",
			args: []string{"/i", msi3, "SERVER_URL=" + otherURL, "START_AT_LOGIN=0"},
			want: msiState{v3, otherURL, false}},
		{name: "uninstall removes program and settings", args: []string{"/x", msi3},
			want: msiState{}},
	}
	var userData map[string][]byte
	for i, step := range steps {
		args := append([]string{"msiexec"}, step.args...)
		args[2] = `Z:` + strings.ReplaceAll(args[2], "/", `\`)
		log := filepath.Join(dir, "msiexec.log")
		args = append(args, "/qn", "/l*v", `Z:`+strings.ReplaceAll(log, "/", `\`))
		out, err := tryRun("wine", args...)
		if (err != nil) != step.fails {
			verbose, _ := os.ReadFile(log)
			t.Fatalf("%s: wine %s: %v, want failure %v\n%s\n%s", step.name, strings.Join(args, " "), err, step.fails, out, verbose)
		}
		if i == 0 {
			// The install ran per machine, and the shortcut is where this
			// Windows put ProgramMenuFolder. Wine 8 sets that folder from the
			// user's Programs folder whatever ALLUSERS says (dlls/msi/package.c:
			// "FIXME: set to AllUsers profile path if ALLUSERS is set"), so
			// here it is the user's Start menu; Windows uses the all-users one.
			verbose, _ := os.ReadFile(log)
			if !regexp.MustCompile(`Property\(S\): ALLUSERS = 1\r?\n`).Match(verbose) {
				t.Fatalf("the install did not run with ALLUSERS=1:\n%s", verbose)
			}
			m := regexp.MustCompile(`Property\(S\): ProgramMenuFolder = (.*?)\r?\n`).FindSubmatch(verbose)
			if m == nil {
				t.Fatalf("no ProgramMenuFolder in the msiexec log:\n%s", verbose)
			}
			w.shortcut = string(m[1]) + "Phoneset.lnk"
			t.Logf("Start-menu shortcut: %s", w.shortcut)
		}
		if got := w.state(); got != step.want {
			t.Fatalf("%s: state %+v, want %+v", step.name, got, step.want)
		}
		if i == 0 {
			// The installed app uses the server the MSI wrote: it shows the
			// name only that server knows. Its user data is then kept
			// through every later step, uninstall included.
			h.command = []string{"wine", installedExe}
			h.signInAs("MSI Agent")
			h.startsAtLogin()
			if userData = w.userData(); len(userData) == 0 {
				t.Fatal("the app wrote no user data under drive_c/users")
			}
			for path := range userData {
				t.Logf("user data: %s", strings.TrimPrefix(path, w.dir))
			}
		} else {
			now := w.userData()
			for path, data := range userData {
				if !bytes.Equal(now[path], data) {
					t.Errorf("%s: user data %s changed or gone", step.name, strings.TrimPrefix(path, w.dir))
				}
			}
		}
	}
}

// startsAtLogin logs in again as Wine can: wineboot without options starts
// what the HKLM and HKCU Run keys name, as Windows does at sign-in (Wine's
// programs/wineboot, ProcessRunKeys). The app the MSI's Run value names must
// show its window; it is then ended.
func (h *harness) startsAtLogin() {
	h.t.Helper()
	// Output to a file: the app inherits it, and a pipe would keep
	// wineboot's output open until the app ends.
	log, err := os.Create(filepath.Join(h.t.TempDir(), "wineboot.log"))
	if err != nil {
		h.t.Fatal(err)
	}
	defer log.Close()
	cmd := exec.Command("wine", "wineboot")
	cmd.Env = append(os.Environ(), h.appEnv()...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Run(); err != nil {
		out, _ := os.ReadFile(log.Name())
		h.t.Fatalf("wineboot: %v\n%s", err, out)
	}
	visible := func() bool {
		out, _ := h.xTry("xdotool", "search", "--onlyvisible", "--name", "^Phoneset") // exits 1 when nothing matches
		return strings.TrimSpace(out) != ""
	}
	h.eventually("Phoneset started at login", 60*time.Second, visible)
	h.x("wine", "taskkill", "/f", "/im", "phoneset.exe")
	h.eventually("Phoneset ended", 20*time.Second, func() bool { return !visible() })
}
