// Package machineconf reads the machine-wide server setting an IT department
// deploys, so agents never type a server address, and picks the server the
// app uses: the --server flag, then the machine-wide setting, then the
// built-in demo backend.
//
// Where the setting lives (docs/machine-wide-settings.md):
//   - Windows: registry HKLM\SOFTWARE\Phoneset, REG_SZ value ServerURL
//     (the MSI writes it from its SERVER_URL property);
//   - Linux and other Unix: /etc/phoneset/phoneset.conf, a line
//     `server_url = https://…` ($PHONESET_CONFIG_DIR replaces /etc/phoneset);
//   - macOS: /Library/Preferences/io.phoneset.app.plist, string key ServerURL.
//
// An empty value means not set.
package machineconf

import (
	"fmt"

	"github.com/phoneset/phoneset/api/client"
)

// Where a server came from besides a machine-wide setting, which is named by
// its location (see Location).
const (
	SourceFlag = "--server"
	SourceDemo = "built-in demo backend"
)

// Server is the backend the app uses and where that choice came from.
type Server struct {
	URL    string // normalised; empty for the built-in demo backend
	Source string // SourceFlag, Location(), or SourceDemo
}

// Resolve picks the server: the --server flag's value if given, else the
// machine-wide setting, else the built-in demo backend. A configured address
// that is not a valid server address is an error naming where it was read,
// never a silent fall back to the demo.
func Resolve(flag string) (Server, error) {
	if flag != "" {
		u, err := client.ParseBaseURL(flag)
		if err != nil {
			return Server{}, fmt.Errorf("%s: %w", SourceFlag, err)
		}
		return Server{URL: u, Source: SourceFlag}, nil
	}
	u, err := read()
	if err != nil {
		return Server{}, fmt.Errorf("machine-wide setting %s: %w", Location(), err)
	}
	if u == "" {
		return Server{Source: SourceDemo}, nil
	}
	return Server{URL: u, Source: Location()}, nil
}

// checkURL validates a configured server address with the client's rules
// (https, or http to loopback only); empty stays empty (not set).
func checkURL(raw string) (string, error) {
	if raw == "" {
		return "", nil
	}
	return client.ParseBaseURL(raw)
}
