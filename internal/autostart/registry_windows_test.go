package autostart

import (
	"errors"
	"syscall"
	"testing"

	"golang.org/x/sys/windows/registry"
)

// keep clears our value under root\path (in view) for the test and puts
// back what was there after it: the tests use the real registry (Wine's in
// CI), and a developer's own setting must survive them. It skips the test
// when the key can't be written (HKLM without admin rights).
func keep(t *testing.T, root registry.Key, path string, view uint32) registry.Key {
	t.Helper()
	k, _, err := registry.CreateKey(root, path, registry.QUERY_VALUE|registry.SET_VALUE|view)
	if errors.Is(err, syscall.ERROR_ACCESS_DENIED) {
		t.Skipf("can't write %s: %v", path, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	var restore func() error
	switch _, typ, err := k.GetValue(Name, nil); {
	case errors.Is(err, registry.ErrNotExist):
		restore = func() error { return deleteValue(k) }
	case typ == registry.BINARY:
		b, _, _ := k.GetBinaryValue(Name)
		restore = func() error { return k.SetBinaryValue(Name, b) }
	default:
		s, _, _ := k.GetStringValue(Name)
		restore = func() error { return k.SetStringValue(Name, s) }
	}
	if err := deleteValue(k); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := restore(); err != nil {
			t.Errorf("restoring %s: %v", path, err)
		}
		k.Close()
	})
	return k
}

func deleteValue(k registry.Key) error {
	if err := k.DeleteValue(Name); err != nil && !errors.Is(err, registry.ErrNotExist) {
		return err
	}
	return nil
}

// switchedOff is how Task Manager's Startup tab records a switched-off entry.
var switchedOff = []byte{3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}

// clearMachine keeps HKLM's values out of the way (the test skips without
// admin rights).
func clearMachine(t *testing.T) {
	keep(t, registry.LOCAL_MACHINE, runKey, registry.WOW64_64KEY)
	keep(t, registry.LOCAL_MACHINE, runKey, registry.WOW64_32KEY)
}

func TestUserRunValue(t *testing.T) {
	run := keep(t, registry.CURRENT_USER, runKey, 0)
	approved := keep(t, registry.CURRENT_USER, approvedKey+"Run", 0)
	const exe = `C:\Program Files\Phoneset\phoneset.exe`
	l := &Login{exe: exe}
	if _, managed, _ := l.State(); managed {
		t.Skip("IT starts Phoneset for every user of this computer (HKLM)")
	}
	wantState(t, l, false, false)

	set(t, l, true)
	if v, typ, err := run.GetStringValue(Name); err != nil || typ != registry.SZ || v != `"`+exe+`"` {
		t.Fatalf("Run value = %q (type %d), %v; want the quoted path", v, typ, err)
	}
	wantState(t, l, true, false)

	// Switched off in Task Manager: off, and turning on here wins again.
	if err := approved.SetBinaryValue(Name, switchedOff); err != nil {
		t.Fatal(err)
	}
	wantState(t, l, false, false)
	set(t, l, true)
	wantState(t, l, true, false)

	set(t, l, false)
	if _, _, err := run.GetValue(Name, nil); !errors.Is(err, registry.ErrNotExist) {
		t.Fatalf("Run value still there: %v", err)
	}
	wantState(t, l, false, false)
	if err := l.Set(false); err != nil {
		t.Fatalf("turning off twice: %v", err)
	}
}

// The MSI's START_AT_LOGIN=1 writes HKLM; a 32-bit installer's write lands
// in the 32-bit view.
func TestMachineRunValueIsManaged(t *testing.T) {
	for _, v := range []struct {
		name     string
		view     uint32
		approved string
	}{{"64-bit view", registry.WOW64_64KEY, "Run"}, {"32-bit view", registry.WOW64_32KEY, "Run32"}} {
		t.Run(v.name, func(t *testing.T) {
			clearMachine(t)
			keep(t, registry.CURRENT_USER, runKey, 0)
			machine := keep(t, registry.LOCAL_MACHINE, runKey, v.view)
			approved := keep(t, registry.LOCAL_MACHINE, approvedKey+v.approved, registry.WOW64_64KEY)
			if err := machine.SetStringValue(Name, `"C:\Program Files\Phoneset\phoneset.exe"`); err != nil {
				t.Fatal(err)
			}
			l := &Login{exe: `C:\Program Files\Phoneset\phoneset.exe`}
			userOverMachine(t, l)
			if err := approved.SetBinaryValue(Name, switchedOff); err != nil {
				t.Fatal(err)
			}
			wantState(t, l, false, false)
		})
	}
}

func TestNewStartsTheRunningProgram(t *testing.T) {
	l, err := New()
	if err != nil || l.exe == "" {
		t.Fatalf("New() = %+v, %v", l, err)
	}
}
