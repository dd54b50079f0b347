//go:build !windows

package autostart

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// Login is one user's start-at-login setting, kept as a file in the user's
// own directory; IT may put the same file in machine-wide directories.
type Login struct {
	exe     string   // the program to start
	user    string   // the user's entry
	machine []string // entries for every user, in precedence order
}

// State says whether the app starts at login and, if so, whether that is
// set for every user of the computer (managed) rather than by this user.
// The user's own entry, when there is one, overrides a machine-wide one.
func (l *Login) State() (on, managed bool, err error) {
	if on, found, err := readEntry(l.user); err != nil || found {
		return on, false, err
	}
	for _, path := range l.machine {
		if on, found, err := readEntry(path); err != nil || found {
			return on, on, err
		}
	}
	return false, false, nil
}

// Set writes or removes the user's entry. Turning it off leaves a
// machine-wide entry in force.
func (l *Login) Set(on bool) error {
	if !on {
		if err := os.Remove(l.user); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}
	b, err := entry(l.exe)
	if err != nil {
		return err
	}
	dir := filepath.Dir(l.user)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// A new file renamed into place: the session manager never reads half.
	tmp, err := os.CreateTemp(dir, ".*"+filepath.Ext(l.user))
	if err != nil {
		return err
	}
	_, err = tmp.Write(b)
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), l.user)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// readEntry reports whether the entry at path exists and turns starting on.
func readEntry(path string) (on, found bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, false, nil
	}
	if err != nil {
		return false, false, err
	}
	return enabled(b), true, nil
}
