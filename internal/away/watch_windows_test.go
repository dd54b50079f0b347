package away

import (
	"testing"
	"time"
)

// TestWTSWatcher runs under Wine (scripts/test.sh's go-test-wine step): the
// window registers for session notifications, and the lock and unlock
// messages Windows would send reach Events once per change.
func TestWTSWatcher(t *testing.T) {
	w, err := New()
	if err != nil {
		t.Fatal(err)
	}
	hwnd := w.(*wtsWatcher).hwnd
	for _, step := range []struct {
		change uintptr
		want   Event
	}{{wtsSessionLock, Locked}, {wtsSessionLock, 0}, {wtsSessionUnlock, Unlocked}, {0x5 /* logon */, 0}, {wtsSessionLock, Locked}} {
		if r, _, err := procPostMessageW.Call(hwnd, wmWTSSessionChange, step.change, 1); r == 0 {
			t.Fatal(err)
		}
		select {
		case ev := <-w.Events():
			if ev != step.want {
				t.Fatalf("change %#x: got %v, want %v", step.change, ev, step.want)
			}
		case <-time.After(500 * time.Millisecond):
			if step.want != 0 {
				t.Fatalf("change %#x: no event", step.change)
			}
		}
	}
	if d, err := w.Idle(); err != nil || d < 0 || d > 24*time.Hour {
		t.Errorf("Idle = %v, %v", d, err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, open := <-w.Events(); open {
		t.Fatal("events open after Close")
	}
}
