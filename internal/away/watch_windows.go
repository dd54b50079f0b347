package away

import (
	"errors"
	"runtime"
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Windows tells a window of session changes once it registers with
// WTSRegisterSessionNotification: a hidden message-only window on its own
// thread receives WM_WTSSESSION_CHANGE with WTS_SESSION_LOCK/UNLOCK.

var (
	user32   = windows.NewLazySystemDLL("user32.dll")
	wtsapi32 = windows.NewLazySystemDLL("wtsapi32.dll")

	procRegisterClassExW = user32.NewProc("RegisterClassExW")
	procCreateWindowExW  = user32.NewProc("CreateWindowExW")
	procDefWindowProcW   = user32.NewProc("DefWindowProcW")
	procDestroyWindow    = user32.NewProc("DestroyWindow")
	procGetMessageW      = user32.NewProc("GetMessageW")
	procDispatchMessageW = user32.NewProc("DispatchMessageW")
	procPostMessageW     = user32.NewProc("PostMessageW")
	procPostQuitMessage  = user32.NewProc("PostQuitMessage")
	procGetLastInputInfo = user32.NewProc("GetLastInputInfo")
	procWTSRegister      = wtsapi32.NewProc("WTSRegisterSessionNotification")
	procWTSUnRegister    = wtsapi32.NewProc("WTSUnRegisterSessionNotification")
	procGetTickCount     = windows.NewLazySystemDLL("kernel32.dll").NewProc("GetTickCount")
	procGetModuleHandleW = windows.NewLazySystemDLL("kernel32.dll").NewProc("GetModuleHandleW")
)

const (
	wmDestroy          = 0x0002
	wmClose            = 0x0010
	wmWTSSessionChange = 0x02B1
	wtsSessionLock     = 0x7
	wtsSessionUnlock   = 0x8
	notifyThisSession  = 0
	hwndMessage        = ^uintptr(2) // HWND_MESSAGE, (HWND)-3
)

type wndClassEx struct {
	size, style                uint32
	wndProc                    uintptr
	clsExtra, wndExtra         int32
	instance, icon, cursor, bg uintptr
	menuName, className        *uint16
	iconSm                     uintptr
}

type winMsg struct {
	hwnd           uintptr
	message        uint32
	wParam, lParam uintptr
	time           uint32
	pt             struct{ x, y int32 }
	private        uint32
}

var className = windows.StringToUTF16Ptr("PhonesetAwayWatcher")

// The window class is registered once, with one callback (Windows callbacks
// are a limited resource); it finds its watcher by window handle.
var (
	registerClass = sync.OnceValue(func() error {
		hinst, _, _ := procGetModuleHandleW.Call(0)
		wc := wndClassEx{wndProc: windows.NewCallback(wndProc), instance: hinst, className: className}
		wc.size = uint32(unsafe.Sizeof(wc))
		if r, _, err := procRegisterClassExW.Call(uintptr(unsafe.Pointer(&wc))); r == 0 {
			return err
		}
		return nil
	})
	watchers sync.Map // hwnd → *wtsWatcher
)

type wtsWatcher struct {
	hwnd uintptr
	lockEvents
	finished  chan struct{} // closed when the window's thread ends
	closeOnce sync.Once
}

// New watches the session's lock state through WTS notifications.
func New() (Watcher, error) {
	if err := registerClass(); err != nil {
		return nil, err
	}
	w := &wtsWatcher{lockEvents: newLockEvents(), finished: make(chan struct{})}
	ready := make(chan error, 1)
	go w.loop(ready)
	if err := <-ready; err != nil {
		return nil, err
	}
	return w, nil
}

// loop owns the window: Windows delivers a window's messages to the
// thread that created it.
func (w *wtsWatcher) loop(ready chan<- error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer close(w.finished)
	defer close(w.ch)
	hinst, _, _ := procGetModuleHandleW.Call(0)
	hwnd, _, err := procCreateWindowExW.Call(0, uintptr(unsafe.Pointer(className)), 0, 0, 0, 0, 0, 0, hwndMessage, 0, hinst, 0)
	if hwnd == 0 {
		ready <- err
		return
	}
	w.hwnd = hwnd
	watchers.Store(hwnd, w)
	defer watchers.Delete(hwnd)
	if r, _, err := procWTSRegister.Call(hwnd, notifyThisSession); r == 0 {
		procDestroyWindow.Call(hwnd)
		ready <- errors.Join(err, ErrUnsupported)
		return
	}
	defer procWTSUnRegister.Call(hwnd)
	ready <- nil
	var m winMsg
	for {
		r, _, _ := procGetMessageW.Call(uintptr(unsafe.Pointer(&m)), 0, 0, 0)
		if int32(r) <= 0 { // WM_QUIT or an error
			return
		}
		procDispatchMessageW.Call(uintptr(unsafe.Pointer(&m)))
	}
}

func wndProc(hwnd uintptr, msg uint32, wParam, lParam uintptr) uintptr {
	switch msg {
	case wmWTSSessionChange:
		if v, ok := watchers.Load(hwnd); ok {
			v.(*wtsWatcher).session(wParam)
		}
		return 0
	case wmClose:
		procDestroyWindow.Call(hwnd)
		return 0
	case wmDestroy:
		procPostQuitMessage.Call(0)
		return 0
	}
	r, _, _ := procDefWindowProcW.Call(hwnd, uintptr(msg), wParam, lParam)
	return r
}

// session turns a session change into an event, once per change.
func (w *wtsWatcher) session(change uintptr) {
	switch change {
	case wtsSessionLock:
		w.set(true)
	case wtsSessionUnlock:
		w.set(false)
	}
}

func (w *wtsWatcher) Events() <-chan Event { return w.ch }

// Idle is the time since the last input: GetLastInputInfo against
// GetTickCount, both 32-bit milliseconds (the subtraction survives their
// wrap every 49.7 days).
func (w *wtsWatcher) Idle() (time.Duration, error) {
	info := struct{ size, time uint32 }{size: 8}
	if r, _, err := procGetLastInputInfo.Call(uintptr(unsafe.Pointer(&info))); r == 0 {
		return 0, err
	}
	now, _, _ := procGetTickCount.Call()
	return time.Duration(uint32(now)-info.time) * time.Millisecond, nil
}

func (w *wtsWatcher) Close() error {
	w.closeOnce.Do(func() {
		close(w.done)
		procPostMessageW.Call(w.hwnd, wmClose, 0, 0)
		<-w.finished
	})
	return nil
}
