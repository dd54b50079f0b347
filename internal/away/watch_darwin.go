//go:build cgo

package away

/*
#cgo LDFLAGS: -framework CoreFoundation -framework CoreGraphics
#include <CoreFoundation/CoreFoundation.h>
#include <CoreGraphics/CoreGraphics.h>
#include <pthread.h>

// The screen lock is announced on the distributed notification center as
// com.apple.screenIsLocked / com.apple.screenIsUnlocked; a run loop on a
// thread of its own receives them and keeps the last state for Go to poll.
static volatile int awayLocked;

static void awayCallback(CFNotificationCenterRef center, void *observer, CFStringRef name,
                         const void *object, CFDictionaryRef userInfo) {
	awayLocked = CFStringCompare(name, CFSTR("com.apple.screenIsLocked"), 0) == kCFCompareEqualTo;
}

static void awayNoop(CFRunLoopTimerRef t, void *info) {}

static void *awayRun(void *arg) {
	CFNotificationCenterRef c = CFNotificationCenterGetDistributedCenter();
	CFNotificationCenterAddObserver(c, (const void *)&awayLocked, awayCallback, CFSTR("com.apple.screenIsLocked"),
	                                NULL, CFNotificationSuspensionBehaviorDeliverImmediately);
	CFNotificationCenterAddObserver(c, (const void *)&awayLocked, awayCallback, CFSTR("com.apple.screenIsUnlocked"),
	                                NULL, CFNotificationSuspensionBehaviorDeliverImmediately);
	// A run loop without a source returns at once: a timer that never
	// fires keeps this one running.
	CFRunLoopTimerRef keep = CFRunLoopTimerCreate(NULL, CFAbsoluteTimeGetCurrent() + 1e9, 1e9, 0, 0, awayNoop, NULL);
	CFRunLoopAddTimer(CFRunLoopGetCurrent(), keep, kCFRunLoopCommonModes);
	for (;;) {
		CFRunLoopRun();
	}
	return NULL;
}

static int awayStart(void) {
	pthread_t t;
	if (pthread_create(&t, NULL, awayRun, NULL) != 0) {
		return -1;
	}
	pthread_detach(t);
	return 0;
}

static int awayIsLocked(void) { return awayLocked; }

static double awayIdleSeconds(void) {
	return CGEventSourceSecondsSinceLastEventType(kCGEventSourceStateCombinedSessionState, kCGAnyInputEventType);
}
*/
import "C"

import (
	"errors"
	"sync"
	"time"
)

// startObserver starts the notification thread once per process; it lives
// as long as the process.
var startObserver = sync.OnceValue(func() error {
	if C.awayStart() != 0 {
		return errors.New("away: cannot start the notification thread")
	}
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
		if !w.set(C.awayIsLocked() != 0) {
			return
		}
	}
}

func (w *macWatcher) Events() <-chan Event { return w.ch }

func (w *macWatcher) Idle() (time.Duration, error) {
	return time.Duration(float64(C.awayIdleSeconds()) * float64(time.Second)), nil
}

func (w *macWatcher) Close() error {
	w.closeOnce.Do(func() { close(w.done) })
	return nil
}
