package diag

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/phoneset/phoneset/internal/buildinfo"
)

// Report is what "Copy diagnostics" puts on the clipboard. It is English
// whatever the UI language: it is read by support, next to the logs.
type Report struct {
	App          string
	Build        buildinfo.Info
	Language     string // the UI's language
	Server       string // the backend's URL
	ServerSource string // where it came from (machineconf.Server.Source)
	Login        string // the signed-in user's login; "" when signed out

	AudioBackend string
	AudioDevices []string // "playback: name (default)"
	AudioRoles   []string // "speaker: name", what each role uses
	AudioErr     string

	RecentErrors []string // from Recorder.Recent
}

// String is the report as text, redacted once more as a whole: a secret that
// reached any field (a URL with credentials, an error quoting a token) does
// not reach the clipboard.
func (r Report) String() string {
	var b strings.Builder
	line := func(label, format string, args ...any) {
		fmt.Fprintf(&b, "%-14s "+format+"\n", append([]any{label + ":"}, args...)...)
	}
	bi := r.Build
	line("App", "%s %s (build %s, commit %s)", r.App, cmp.Or(bi.Version, "dev"), cmp.Or(bi.Build, "-"), cmp.Or(bi.Commit, "-"))
	line("Go", "%s", bi.Go)
	line("Fyne", "%s", cmp.Or(bi.Fyne, "-"))
	line("System", "%s/%s", bi.OS, bi.Arch)
	line("Language", "%s", r.Language)
	line("Server", "%s", r.Server)
	line("Server from", "%s", r.ServerSource)
	line("Signed in as", "%s", cmp.Or(r.Login, "(signed out)"))
	line("Audio backend", "%s", cmp.Or(r.AudioBackend, "(none)"))
	if r.AudioErr != "" {
		line("Audio error", "%s", r.AudioErr)
	}
	for _, d := range r.AudioDevices {
		line("Audio device", "%s", d)
	}
	for _, u := range r.AudioRoles {
		line("Audio use", "%s", u)
	}
	fmt.Fprintf(&b, "Recent errors (%d):\n", len(r.RecentErrors))
	for _, e := range r.RecentErrors {
		fmt.Fprintf(&b, "  %s\n", e)
	}
	return Redact(b.String())
}
