package single

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// lockFile locks f's first byte exclusively without waiting; the lock goes
// with the handle, which Windows closes when the process ends.
func lockFile(f *os.File) error {
	var ol windows.Overlapped
	err := windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &ol)
	if errors.Is(err, windows.ERROR_LOCK_VIOLATION) {
		return errLocked
	}
	return err
}

var allowSetForegroundWindow = windows.NewLazySystemDLL("user32.dll").NewProc("AllowSetForegroundWindow")

// allowForeground lets process pid bring its window to the front, which
// Windows otherwise refuses to a process the user is not working in.
func allowForeground(pid int) {
	if pid > 0 && allowSetForegroundWindow.Find() == nil {
		allowSetForegroundWindow.Call(uintptr(pid))
	}
}
