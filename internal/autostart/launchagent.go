//go:build darwin

package autostart

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// New finds the user's LaunchAgent in ~/Library/LaunchAgents; IT's
// machine-wide one is in /Library/LaunchAgents. It starts the running
// program.
func New() (*Login, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return nil, err
	}
	return &Login{exe: exe,
		user:    filepath.Join(home, "Library", "LaunchAgents", ID+".plist"),
		machine: []string{filepath.Join("/Library", "LaunchAgents", ID+".plist")},
	}, nil
}

// entry is the LaunchAgent that starts exe once at login.
func entry(exe string) ([]byte, error) {
	var path strings.Builder
	if err := xml.EscapeText(&path, []byte(exe)); err != nil {
		return nil, err
	}
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>` + ID + `</string>
	<key>ProgramArguments</key>
	<array>
		<string>` + path.String() + `</string>
	</array>
	<key>RunAtLoad</key>
	<true/>
	<key>ProcessType</key>
	<string>Interactive</string>
</dict>
</plist>
`), nil
}

var disabledKey = regexp.MustCompile(`<key>Disabled</key>\s*<true\s*/>`)

// enabled is false for an agent marked Disabled.
func enabled(b []byte) bool { return !disabledKey.Match(b) }
