package away

import (
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/ebitengine/purego"
)

// The screen lock is announced on the distributed notification center as
// com.apple.screenIsLocked / com.apple.screenIsUnlocked; a run loop on an
// OS thread of its own receives them and keeps the last state for Go to
// poll. CoreFoundation and CoreGraphics are called through purego (dlopen,
// no cgo), so this file cross-compiles and is vetted on Linux; it has not
// been run here (no Mac).

const (
	coreFoundationPath = "/System/Library/Frameworks/CoreFoundation.framework/CoreFoundation"
	coreGraphicsPath   = "/System/Library/Frameworks/CoreGraphics.framework/CoreGraphics"

	cfStringEncodingUTF8                               = 0x08000100
	cfNotificationSuspensionBehaviorDeliverImmediately = 4
	cgEventSourceStateCombinedSessionState             = 0
	cgAnyInputEventType                                = ^uint32(0)
)

// The C functions, bound by startObserver.
var (
	cfNotificationCenterGetDistributedCenter func() uintptr
	cfNotificationCenterAddObserver          func(center, observer, callback, name, object uintptr, behavior int)
	cfStringCreateWithCString                func(alloc uintptr, s string, encoding uint32) uintptr
	cfAbsoluteTimeGetCurrent                 func() float64
	cfRunLoopTimerCreate                     func(alloc uintptr, fireDate, interval float64, flags uint64, order int, callout, context uintptr) uintptr
	cfRunLoopGetCurrent                      func() uintptr
	cfRunLoopAddTimer                        func(loop, timer, mode uintptr)
	cfRunLoopRun                             func()
	cgEventSourceSecondsSinceLastEventType   func(state int32, eventType uint32) float64
)

// screenLocked is the last state the notification thread saw.
var screenLocked atomic.Bool

// bind points each function variable at its symbol in lib.
func bind(lib uintptr, fns map[string]any) error {
	for name, fptr := range fns {
		sym, err := purego.Dlsym(lib, name)
		if err != nil {
			return err
		}
		purego.RegisterFunc(fptr, sym)
	}
	return nil
}

// startObserver starts the notification thread once per process; it lives
// as long as the process (the callbacks purego makes are never freed).
var startObserver = sync.OnceValue(func() error {
	cf, err := purego.Dlopen(coreFoundationPath, purego.RTLD_NOW|purego.RTLD_GLOBAL)
	if err != nil {
		return errors.Join(ErrUnsupported, err)
	}
	cg, err := purego.Dlopen(coreGraphicsPath, purego.RTLD_NOW|purego.RTLD_GLOBAL)
	if err != nil {
		return errors.Join(ErrUnsupported, err)
	}
	if err := errors.Join(
		bind(cf, map[string]any{
			"CFNotificationCenterGetDistributedCenter": &cfNotificationCenterGetDistributedCenter,
			"CFNotificationCenterAddObserver":          &cfNotificationCenterAddObserver,
			"CFStringCreateWithCString":                &cfStringCreateWithCString,
			"CFAbsoluteTimeGetCurrent":                 &cfAbsoluteTimeGetCurrent,
			"CFRunLoopTimerCreate":                     &cfRunLoopTimerCreate,
			"CFRunLoopGetCurrent":                      &cfRunLoopGetCurrent,
			"CFRunLoopAddTimer":                        &cfRunLoopAddTimer,
			"CFRunLoopRun":                             &cfRunLoopRun,
		}),
		bind(cg, map[string]any{
			"CGEventSourceSecondsSinceLastEventType": &cgEventSourceSecondsSinceLastEventType,
		}),
	); err != nil {
		return errors.Join(ErrUnsupported, err)
	}
	// kCFRunLoopCommonModes is a CFStringRef variable: Dlsym gives its
	// address. (The double conversion keeps vet's unsafeptr check quiet: the
	// address is C memory, not Go's.)
	modesAddr, err := purego.Dlsym(cf, "kCFRunLoopCommonModes")
	if err != nil {
		return errors.Join(ErrUnsupported, err)
	}
	commonModes := **(**uintptr)(unsafe.Pointer(&modesAddr))
	// One callback per notification name spares comparing CFStrings.
	onLocked := purego.NewCallback(func(center, observer, name, object, userInfo uintptr) { screenLocked.Store(true) })
	onUnlocked := purego.NewCallback(func(center, observer, name, object, userInfo uintptr) { screenLocked.Store(false) })
	noop := purego.NewCallback(func(timer, info uintptr) {})
	ready := make(chan struct{})
	go func() {
		// Never unlocked: the run loop owns this thread, and the
		// notifications arrive on the run loop of the thread that observes.
		runtime.LockOSThread()
		center := cfNotificationCenterGetDistributedCenter()
		for _, o := range []struct {
			name     string
			callback uintptr
		}{{"com.apple.screenIsLocked", onLocked}, {"com.apple.screenIsUnlocked", onUnlocked}} {
			// The observer is only an identity; the callback's address is
			// one that never moves.
			cfNotificationCenterAddObserver(center, o.callback, o.callback,
				cfStringCreateWithCString(0, o.name, cfStringEncodingUTF8), 0,
				cfNotificationSuspensionBehaviorDeliverImmediately)
		}
		// A run loop without a source returns at once: a timer that never
		// fires keeps this one running.
		keep := cfRunLoopTimerCreate(0, cfAbsoluteTimeGetCurrent()+1e9, 1e9, 0, 0, noop, 0)
		cfRunLoopAddTimer(cfRunLoopGetCurrent(), keep, commonModes)
		close(ready)
		for {
			cfRunLoopRun()
		}
	}()
	<-ready
	return nil
})

// macWatcher polls the state the notification thread keeps: a lock shows
// within pollLock.
type macWatcher struct {
	lockEvents
	closeOnce sync.Once
}

const pollLock = 500 * time.Millisecond

// New watches com.apple.screenIsLocked. Compiled for macOS; not run on
// these build machines.
func New() (Watcher, error) {
	if err := startObserver(); err != nil {
		return nil, err
	}
	w := &macWatcher{lockEvents: newLockEvents()}
	go w.run()
	return w, nil
}

func (w *macWatcher) run() {
	defer close(w.ch)
	t := time.NewTicker(pollLock)
	defer t.Stop()
	for {
		select {
		case <-w.done:
			return
		case <-t.C:
		}
		if !w.set(screenLocked.Load()) {
			return
		}
	}
}

func (w *macWatcher) Events() <-chan Event { return w.ch }

// Idle is the time since the last input event of any kind in the session.
func (w *macWatcher) Idle() (time.Duration, error) {
	s := cgEventSourceSecondsSinceLastEventType(cgEventSourceStateCombinedSessionState, cgAnyInputEventType)
	return time.Duration(s * float64(time.Second)), nil
}

func (w *macWatcher) Close() error {
	w.closeOnce.Do(func() { close(w.done) })
	return nil
}
