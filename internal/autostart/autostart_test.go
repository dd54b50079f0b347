package autostart

import "testing"

func wantState(t *testing.T, l *Login, on, managed bool) {
	t.Helper()
	gotOn, gotManaged, err := l.State()
	if err != nil || gotOn != on || gotManaged != managed {
		t.Fatalf("State() = %v, %v, %v; want %v, %v", gotOn, gotManaged, err, on, managed)
	}
}

func set(t *testing.T, l *Login, on bool) {
	t.Helper()
	if err := l.Set(on); err != nil {
		t.Fatalf("Set(%v): %v", on, err)
	}
}

// userOverMachine turns the user's own setting on and off while IT's
// machine-wide one is in force: IT's stays, shown as managed.
func userOverMachine(t *testing.T, l *Login) {
	t.Helper()
	wantState(t, l, true, true)
	set(t, l, true)
	wantState(t, l, true, false)
	set(t, l, false)
	wantState(t, l, true, true)
}
