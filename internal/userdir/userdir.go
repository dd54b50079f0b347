// Package userdir finds where Phoneset keeps per-user data on each platform.
package userdir

import (
	"os"
	"path/filepath"
)

// AppName is the directory name used under the platform's data location.
const AppName = "phoneset"

// Data returns the per-user data directory for Phoneset, creating it with
// owner-only permissions.
func Data() (string, error) {
	base, err := dataBase()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(base, AppName)
	return dir, os.MkdirAll(dir, 0o700)
}
