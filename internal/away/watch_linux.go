package away

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"
)

// Buses names the D-Bus buses the Linux watcher uses; "" takes the
// environment's (DBUS_SESSION_BUS_ADDRESS or $XDG_RUNTIME_DIR/bus, and
// DBUS_SYSTEM_BUS_ADDRESS or the standard system socket). Tests point both
// at one private bus with stand-in services.
type Buses struct{ Session, System string }

// The screen savers that send ActiveChanged(bool): the freedesktop name
// (KDE, and what others implement) and the desktops' own.
var screenSavers = map[string]bool{
	"org.freedesktop.ScreenSaver": true,
	"org.gnome.ScreenSaver":       true,
	"org.cinnamon.ScreenSaver":    true,
	"org.mate.ScreenSaver":        true,
	"org.xfce.ScreenSaver":        true,
}

const (
	logind        = "org.freedesktop.login1"
	logindSession = "org.freedesktop.login1.Session"
	dbusProps     = "org.freedesktop.DBus.Properties"
)

// dbusWatcher follows the screen saver on the session bus and logind's
// Lock/Unlock and LockedHint for this process's session on the system bus.
type dbusWatcher struct {
	session, system *dbus.Conn
	lockEvents
	// Each connection closes its own signal channel on Close.
	sessionSig, systemSig chan *dbus.Signal
	closeOnce             sync.Once
}

// New watches the desktop session over D-Bus. Either bus may be missing
// (no desktop session, or no logind); with neither it fails.
func New() (Watcher, error) { return NewDBus(Buses{}) }

// NewDBus is New on the given buses.
func NewDBus(b Buses) (Watcher, error) {
	w := &dbusWatcher{lockEvents: newLockEvents()}
	var errs []error
	if addr := sessionAddress(b.Session); addr != "" {
		if err := w.watchScreenSaver(addr); err != nil {
			errs = append(errs, err)
		}
	}
	if err := w.watchLogind(systemAddress(b.System)); err != nil {
		errs = append(errs, err)
	}
	if w.session == nil && w.system == nil {
		return nil, errors.Join(append(errs, ErrUnsupported)...)
	}
	go w.run()
	return w, nil
}

// sessionAddress never autolaunches a bus (godbus would start dbus-launch,
// whose daemons outlive the app).
func sessionAddress(addr string) string {
	if addr != "" {
		return addr
	}
	if a := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" {
		return a
	}
	if dir := os.Getenv("XDG_RUNTIME_DIR"); dir != "" {
		if p := filepath.Join(dir, "bus"); fileExists(p) {
			return "unix:path=" + p
		}
	}
	return ""
}

func systemAddress(addr string) string {
	if addr != "" {
		return addr
	}
	if a := os.Getenv("DBUS_SYSTEM_BUS_ADDRESS"); a != "" {
		return a
	}
	return "unix:path=/var/run/dbus/system_bus_socket"
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func (w *dbusWatcher) watchScreenSaver(addr string) error {
	c, err := dbus.Connect(addr)
	if err != nil {
		return err
	}
	if err := c.AddMatchSignal(dbus.WithMatchMember("ActiveChanged")); err != nil {
		c.Close()
		return err
	}
	w.sessionSig = make(chan *dbus.Signal, 16)
	c.Signal(w.sessionSig)
	w.session = c
	return nil
}

func (w *dbusWatcher) watchLogind(addr string) error {
	c, err := dbus.Connect(addr)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var path dbus.ObjectPath
	err = c.Object(logind, "/org/freedesktop/login1").CallWithContext(ctx, logind+".Manager.GetSessionByPID", 0, uint32(os.Getpid())).Store(&path)
	if err == nil {
		err = c.AddMatchSignal(dbus.WithMatchObjectPath(path), dbus.WithMatchInterface(logindSession))
	}
	if err == nil {
		err = c.AddMatchSignal(dbus.WithMatchObjectPath(path), dbus.WithMatchInterface(dbusProps), dbus.WithMatchMember("PropertiesChanged"))
	}
	if err != nil {
		c.Close()
		return err
	}
	w.systemSig = make(chan *dbus.Signal, 16)
	c.Signal(w.systemSig)
	w.system = c
	return nil
}

// run turns signals into events, once per change of state: the screen
// saver and logind usually both report a lock.
func (w *dbusWatcher) run() {
	defer close(w.ch)
	session, system := w.sessionSig, w.systemSig
	for session != nil || system != nil {
		var s *dbus.Signal
		var open bool
		select {
		case <-w.done:
			return
		case s, open = <-session:
			if !open {
				session = nil // the bus went away
			}
		case s, open = <-system:
			if !open {
				system = nil
			}
		}
		if locked, ok := lockState(s); ok && !w.set(locked) {
			return
		}
	}
}

// lockState reads a signal: whether it says locked, and whether it says
// anything about the lock at all.
func lockState(s *dbus.Signal) (locked, ok bool) {
	if s == nil {
		return false, false
	}
	iface, member := splitName(s.Name)
	switch {
	case member == "ActiveChanged" && screenSavers[iface] && len(s.Body) == 1:
		active, isBool := s.Body[0].(bool)
		return active, isBool
	case iface == logindSession && member == "Lock":
		return true, true
	case iface == logindSession && member == "Unlock":
		return false, true
	case iface == dbusProps && member == "PropertiesChanged" && len(s.Body) >= 2:
		if name, _ := s.Body[0].(string); name != logindSession {
			return false, false
		}
		changed, _ := s.Body[1].(map[string]dbus.Variant)
		if v, has := changed["LockedHint"]; has {
			hint, isBool := v.Value().(bool)
			return hint, isBool
		}
	}
	return false, false
}

func splitName(name string) (iface, member string) {
	i := strings.LastIndexByte(name, '.')
	return name[:max(i, 0)], name[i+1:]
}

func (w *dbusWatcher) Events() <-chan Event { return w.ch }

// Idle asks GNOME's idle monitor (milliseconds), else the screen saver's
// GetSessionIdleTime (seconds).
func (w *dbusWatcher) Idle() (time.Duration, error) {
	if w.session == nil {
		return 0, ErrUnsupported
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var ms uint64
	err := w.session.Object("org.gnome.Mutter.IdleMonitor", "/org/gnome/Mutter/IdleMonitor/Core").
		CallWithContext(ctx, "org.gnome.Mutter.IdleMonitor.GetIdletime", 0).Store(&ms)
	if err == nil {
		return time.Duration(ms) * time.Millisecond, nil
	}
	var s uint32
	err = w.session.Object("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver").
		CallWithContext(ctx, "org.freedesktop.ScreenSaver.GetSessionIdleTime", 0).Store(&s)
	if err == nil {
		return time.Duration(s) * time.Second, nil
	}
	return 0, errors.Join(err, ErrUnsupported)
}

func (w *dbusWatcher) Close() error {
	var err error
	w.closeOnce.Do(func() {
		close(w.done)
		for _, c := range []*dbus.Conn{w.session, w.system} {
			if c != nil {
				err = errors.Join(err, c.Close())
			}
		}
	})
	return err
}
