package away

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/phoneset/phoneset/internal/testenv"
)

// standIn plays the desktop: a screen saver and logind on one bus.
type standIn struct {
	t    *testing.T
	conn *dbus.Conn
	idle uint32 // seconds, for GetSessionIdleTime
}

const sessionPath = dbus.ObjectPath("/org/freedesktop/login1/session/_1")

type screenSaver struct{ s *standIn }

func (ss screenSaver) GetSessionIdleTime() (uint32, *dbus.Error) { return ss.s.idle, nil }

type manager struct{}

func (manager) GetSessionByPID(pid uint32) (dbus.ObjectPath, *dbus.Error) { return sessionPath, nil }

func newStandIn(t *testing.T, addr string) *standIn {
	t.Helper()
	c, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	s := &standIn{t: t, conn: c}
	for _, name := range []string{"org.freedesktop.ScreenSaver", logind} {
		if reply, err := c.RequestName(name, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
			t.Fatalf("own %s: %v %v", name, reply, err)
		}
	}
	if err := c.Export(screenSaver{s}, "/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver"); err != nil {
		t.Fatal(err)
	}
	if err := c.Export(manager{}, "/org/freedesktop/login1", logind+".Manager"); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *standIn) emit(path dbus.ObjectPath, name string, body ...any) {
	s.t.Helper()
	if err := s.conn.Emit(path, name, body...); err != nil {
		s.t.Fatal(err)
	}
}

func next(t *testing.T, w Watcher) Event {
	t.Helper()
	select {
	case ev := <-w.Events():
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5 s")
		return 0
	}
}

// TestDBusWatcher sends the signals a desktop sends and expects one event
// per change of lock state, in order.
func TestDBusWatcher(t *testing.T) {
	addr := testenv.SessionBus(t)
	s := newStandIn(t, addr)
	w, err := NewDBus(Buses{Session: addr, System: addr})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()

	ss := dbus.ObjectPath("/org/freedesktop/ScreenSaver")
	steps := []struct {
		name string
		send func()
		want Event
	}{
		{"screen saver on", func() { s.emit(ss, "org.freedesktop.ScreenSaver.ActiveChanged", true) }, Locked},
		{"screen saver off", func() { s.emit(ss, "org.freedesktop.ScreenSaver.ActiveChanged", false) }, Unlocked},
		{"GNOME's screen saver on", func() { s.emit("/org/gnome/ScreenSaver", "org.gnome.ScreenSaver.ActiveChanged", true) }, Locked},
		// logind's Unlock after the screen saver's lock.
		{"logind unlock", func() { s.emit(sessionPath, logindSession+".Unlock") }, Unlocked},
		{"logind lock, then the screen saver says it too", func() {
			s.emit(sessionPath, logindSession+".Lock")
			s.emit(ss, "org.freedesktop.ScreenSaver.ActiveChanged", true)
		}, Locked},
		{"LockedHint false", func() {
			s.emit(sessionPath, dbusProps+".PropertiesChanged", logindSession, map[string]dbus.Variant{"LockedHint": dbus.MakeVariant(false)}, []string{})
		}, Unlocked},
		{"another session's lock is ignored, then ours", func() {
			s.emit("/org/freedesktop/login1/session/_2", logindSession+".Lock")
			s.emit(sessionPath, dbusProps+".PropertiesChanged", logindSession, map[string]dbus.Variant{"LockedHint": dbus.MakeVariant(true)}, []string{})
		}, Locked},
	}
	for _, st := range steps {
		st.send()
		if got := next(t, w); got != st.want {
			t.Fatalf("%s: got %v, want %v", st.name, got, st.want)
		}
	}
	select {
	case ev := <-w.Events():
		t.Fatalf("a repeated lock gave another event: %v", ev)
	case <-time.After(200 * time.Millisecond):
	}

	s.idle = 420
	if d, err := w.Idle(); err != nil || d != 7*time.Minute {
		t.Fatalf("Idle = %v, %v", d, err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, open := <-w.Events(); open {
		t.Fatal("events still open after Close")
	}
}

// TestDBusWatcherWithoutBuses: no session bus and no logind is an error,
// not a hang or an autolaunched bus.
func TestDBusWatcherWithoutBuses(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	if _, err := NewDBus(Buses{System: "unix:path=" + filepath.Join(t.TempDir(), "none")}); err == nil {
		t.Fatal("no error without buses")
	}
}
