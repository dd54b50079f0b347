package away

import (
	"testing"
	"time"
)

// TestMacWatcher runs only on a Mac (compiled, not run on these Linux
// machines): CoreFoundation and CoreGraphics load through purego, the
// notification thread starts, and a second watcher shares it. A lock
// cannot be simulated from a test, so the lock state is set as the
// notification callback would and must reach Events once per change.
func TestMacWatcher(t *testing.T) {
	w, err := New()
	if err != nil {
		t.Fatal(err)
	}
	w2, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Close()
	if d, err := w.Idle(); err != nil || d < 0 || d > 24*time.Hour {
		t.Errorf("Idle = %v, %v", d, err)
	}
	for _, step := range []struct {
		locked bool
		want   Event
	}{{true, Locked}, {false, Unlocked}, {true, Locked}} {
		screenLocked.Store(step.locked)
		if ev := <-w.Events(); ev != step.want {
			t.Fatalf("locked=%v: got %v, want %v", step.locked, ev, step.want)
		}
	}
	screenLocked.Store(false)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	for range w.Events() { // drains a pending Unlocked, then ends
	}
}
