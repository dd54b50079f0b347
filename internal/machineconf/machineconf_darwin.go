package machineconf

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"strings"
)

const (
	plistPath = "/Library/Preferences/io.phoneset.app.plist"
	plistKey  = "ServerURL"
)

// Location is where the machine-wide setting is read on this system.
func Location() string { return plistPath + " " + plistKey }

// read parses the XML plist `defaults write` and deployment tools produce; a
// binary plist is left to `defaults read`. A missing file or key means not
// set.
func read() (string, error) {
	data, err := os.ReadFile(plistPath)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if !bytes.HasPrefix(data, []byte("bplist")) {
		v, err := plistString(data, plistKey)
		if err != nil {
			return "", err
		}
		return checkURL(v)
	}
	out, err := exec.Command("/usr/bin/defaults", "read", strings.TrimSuffix(plistPath, ".plist"), plistKey).Output()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return "", nil // defaults exits 1 for a missing key
	}
	if err != nil {
		return "", err
	}
	return checkURL(strings.TrimSpace(string(out)))
}
