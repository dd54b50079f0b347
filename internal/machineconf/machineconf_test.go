package machineconf

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestParseConf(t *testing.T) {
	tests := []struct {
		name    string
		conf    string
		want    string
		wantErr string // a part of the error; "" for none
	}{
		{"empty file", "", "", ""},
		{"only comments", "# server_url = https://old.example\n\n   # indented\n", "", ""},
		{"plain", "server_url = https://phoneset.example.com\n", "https://phoneset.example.com", ""},
		{"whitespace and CRLF", "\t server_url=  https://phoneset.example.com/  \r\n", "https://phoneset.example.com", ""},
		{"after comments", "# deployed by IT\nserver_url = https://pbx.example:8443/phoneset\n", "https://pbx.example:8443/phoneset", ""},
		{"empty value is not set", "server_url =\n", "", ""},
		{"http to loopback", "server_url = http://127.0.0.1:8080", "http://127.0.0.1:8080", ""},
		{"plain http elsewhere", "server_url = http://phoneset.example.com", "", "line 1: client: plain http"},
		{"no host", "server_url = https://", "", "line 1: client: server address"},
		{"credentials in URL", "# x\nserver_url = https://bo:pw@phoneset.example.com", "", "line 2: client: server address"},
		{"other scheme", "server_url = ftp://phoneset.example.com", "", `unsupported scheme "ftp"`},
		{"not a URL", "server_url = phoneset.example.com", "", "line 1: client: server address"},
		{"no equals sign", "server_url https://phoneset.example.com", "", "line 1: want `server_url = https://…`"},
		{"unknown key", "serverurl = https://phoneset.example.com", "", `line 1: unknown setting "serverurl"`},
		{"set twice", "server_url = https://a.example\nserver_url = https://b.example", "", "line 2: server_url is set twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseConf(strings.NewReader(tt.conf))
			check(t, got, err, tt.want, tt.wantErr)
		})
	}
}

// TestResolve runs the precedence on this system's real reader (the conf
// file under PHONESET_CONFIG_DIR on Linux).
func TestResolve(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		t.Skip("the machine-wide setting is a file under PHONESET_CONFIG_DIR only on Linux and other Unix")
	}
	tests := []struct {
		name    string
		conf    *string // nil: no file
		flag    string
		want    Server
		wantErr string
	}{
		{"nothing set: demo", nil, "", Server{Source: SourceDemo}, ""},
		{"machine-wide", ptr("server_url = https://it.example\n"), "", Server{URL: "https://it.example", Source: "phoneset.conf"}, ""},
		{"flag beats machine-wide", ptr("server_url = https://it.example\n"), "https://mine.example/", Server{URL: "https://mine.example", Source: SourceFlag}, ""},
		{"empty setting: demo", ptr("# server_url = https://it.example\n"), "", Server{Source: SourceDemo}, ""},
		{"bad setting names its file", ptr("server_url = http://it.example\n"), "", Server{}, "machine-wide setting " + "phoneset.conf" + ": line 1"},
		{"bad flag", nil, "it.example", Server{}, "--server: client: server address"},
		{"flag beats a bad setting", ptr("server_url = nonsense\n"), "https://mine.example", Server{URL: "https://mine.example", Source: SourceFlag}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Setenv("PHONESET_CONFIG_DIR", dir)
			path := filepath.Join(dir, "phoneset.conf")
			if tt.conf != nil {
				if err := os.WriteFile(path, []byte(*tt.conf), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			// The file's name in wants stands for its full path here.
			tt.want.Source = strings.Replace(tt.want.Source, "phoneset.conf", path, 1)
			tt.wantErr = strings.Replace(tt.wantErr, "phoneset.conf", path, 1)
			got, err := Resolve(tt.flag)
			check(t, got, err, tt.want, tt.wantErr)
		})
	}
}

func TestUnreadableConfIsAnError(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		t.Skip("Unix conf file only")
	}
	dir := t.TempDir()
	t.Setenv("PHONESET_CONFIG_DIR", dir)
	// A directory where the file should be: exists, but cannot be read as one.
	if err := os.Mkdir(filepath.Join(dir, "phoneset.conf"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Resolve(""); err == nil {
		t.Fatal("an unreadable conf file was taken as not set")
	}
}

func TestDefaultLocation(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		t.Skip("Unix conf file only")
	}
	t.Setenv("PHONESET_CONFIG_DIR", "")
	if got := Location(); got != "/etc/phoneset/phoneset.conf" {
		t.Fatalf("Location() = %q", got)
	}
}

func TestPlistString(t *testing.T) {
	const head = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
`
	tests := []struct {
		name, dict, want, wantErr string
	}{
		{"set", "<key>ServerURL</key>\n<string>https://it.example</string>", "https://it.example", ""},
		{"among others", "<key>Other</key><dict><key>ServerURL</key><string>https://nested.example</string></dict>\n" +
			"<key>Flag</key><true/>\n<key>ServerURL</key><string>https://it.example</string>", "https://it.example", ""},
		{"absent", "<key>Other</key><string>x</string>", "", ""},
		{"escaped", "<key>ServerURL</key><string>https://it.example/a&amp;b</string>", "https://it.example/a&b", ""},
		{"wrong type", "<key>ServerURL</key><integer>1</integer>", "", "is a <integer>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := plistString([]byte(head+tt.dict+"\n</dict>\n</plist>\n"), "ServerURL")
			check(t, got, err, tt.want, tt.wantErr)
		})
	}
	if _, err := plistString([]byte("<plist><dict><key>"), "ServerURL"); err == nil {
		t.Error("a truncated plist was accepted")
	}
}

// check compares a result with want, or its error with wantErr (a part of
// the message) when that is set.
func check[T comparable](t *testing.T, got T, err error, want T, wantErr string) {
	t.Helper()
	if wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Fatalf("err = %v, want one containing %q", err, wantErr)
		}
		return
	}
	if err != nil || got != want {
		t.Fatalf("= %+v, %v; want %+v", got, err, want)
	}
}

func ptr(s string) *string { return &s }
