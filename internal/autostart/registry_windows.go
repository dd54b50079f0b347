package autostart

import (
	"errors"
	"os"

	"golang.org/x/sys/windows/registry"
)

const (
	runKey = `Software\Microsoft\Windows\CurrentVersion\Run`
	// approvedKey is where Task Manager's Startup tab records entries the
	// user switched off; it keeps the Run value.
	approvedKey = `Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\`
)

// Login is one user's start-at-login setting: the Phoneset value under
// HKCU's Run key. The MSI writes the same value under HKLM for every user.
type Login struct {
	exe string
}

// New starts the running program.
func New() (*Login, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	return &Login{exe: exe}, nil
}

// State says whether Windows starts the app at sign-in and whether that is
// set for every user (managed: HKLM, in either registry view, as a 32-bit
// MSI writes it to WOW6432Node).
func (l *Login) State() (on, managed bool, err error) {
	if on, err := runs(registry.CURRENT_USER, 0, "Run"); err != nil || on {
		return on, false, err
	}
	for _, v := range []struct {
		view     uint32
		approved string
	}{{registry.WOW64_64KEY, "Run"}, {registry.WOW64_32KEY, "Run32"}} {
		if on, err := runs(registry.LOCAL_MACHINE, v.view, v.approved); err != nil || on {
			return on, on, err
		}
	}
	return false, false, nil
}

// runs reports whether root's Run key (in view) has our value and Task
// Manager has not switched it off.
func runs(root registry.Key, view uint32, approved string) (bool, error) {
	k, err := registry.OpenKey(root, runKey, registry.QUERY_VALUE|view)
	if errors.Is(err, registry.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer k.Close()
	if _, _, err := k.GetValue(Name, nil); errors.Is(err, registry.ErrNotExist) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	a, err := registry.OpenKey(root, approvedKey+approved, registry.QUERY_VALUE|registry.WOW64_64KEY)
	if err != nil {
		return true, nil // never touched in Task Manager
	}
	defer a.Close()
	// The first byte is even when enabled (02, 06) and odd when off (03).
	b, _, err := a.GetBinaryValue(Name)
	return err != nil || len(b) == 0 || b[0]&1 == 0, nil
}

// Set writes or removes the value under HKCU. Either way it clears Task
// Manager's switch-off, which would otherwise silently win over turning it
// on.
func (l *Login) Set(on bool) error {
	if a, err := registry.OpenKey(registry.CURRENT_USER, approvedKey+"Run", registry.SET_VALUE); err == nil {
		err = a.DeleteValue(Name)
		a.Close()
		if err != nil && !errors.Is(err, registry.ErrNotExist) {
			return err
		}
	}
	k, _, err := registry.CreateKey(registry.CURRENT_USER, runKey, registry.SET_VALUE)
	if err != nil {
		return err
	}
	defer k.Close()
	if !on {
		if err := k.DeleteValue(Name); err != nil && !errors.Is(err, registry.ErrNotExist) {
			return err
		}
		return nil
	}
	// Quoted: the path usually has spaces (C:\Program Files\...).
	return k.SetStringValue(Name, `"`+l.exe+`"`)
}
