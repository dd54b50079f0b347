package audio

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"
)

// events subscribes and returns the channel events arrive on.
func events(t testing.TB, s *System) <-chan Event {
	ch := make(chan Event, 100)
	t.Cleanup(s.Subscribe(func(ev Event) { ch <- ev }))
	return ch
}

// waitEvent returns the next event, failing if none comes in time (the fake
// watcher polls every 10 ms; this bounds a hang, it is not a timing target).
func waitEvent(t testing.TB, ch <-chan Event) Event {
	t.Helper()
	select {
	case ev := <-ch:
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event")
	}
	return Event{}
}

func TestSubscribeStartsWithTheCurrentState(t *testing.T) {
	s, _ := newFakeSystem(t, Prefs{}, fakeSpeakers, fakeHeadset, fakeLaptopMic)
	ev := waitEvent(t, events(t, s))
	if !reflect.DeepEqual(ev.Added, []Device{fakeSpeakers, fakeHeadset, fakeLaptopMic}) || ev.Removed != nil {
		t.Errorf("first event added %v removed %v", ev.Added, ev.Removed)
	}
	if !reflect.DeepEqual(ev.Changed, Roles) {
		t.Errorf("first event changed %v, want every role", ev.Changed)
	}
	if got := ev.State.Selection(Microphone).Device; got != fakeLaptopMic {
		t.Errorf("microphone %v", got)
	}
	if ev.State.Backend != "fake" || s.Backend() != "fake" {
		t.Errorf("backend %q", ev.State.Backend)
	}
}

func TestWatcherFallbackAndReturn(t *testing.T) {
	prefs := Prefs{}.Prefer(Speaker, fakeHeadset)
	s, d := newFakeSystem(t, prefs, fakeSpeakers, fakeLaptopMic)
	ch := events(t, s)
	first := waitEvent(t, ch)
	if sel := first.State.Selection(Speaker); !sel.Fallback || sel.Device != fakeSpeakers {
		t.Fatalf("headset absent: speaker %+v, want fallback to the default", sel)
	}
	moved := fakeHeadset
	moved.ID = "08"
	for _, step := range []struct {
		name             string
		devs             []Device
		added, removed   []Device
		speaker          Device
		match            Match
		fallback         bool
		speakerReselects bool
	}{
		{"plugged", []Device{fakeSpeakers, fakeHeadset, fakeLaptopMic}, []Device{fakeHeadset}, nil, fakeHeadset, MatchID, false, true},
		{"unplugged", []Device{fakeSpeakers, fakeLaptopMic}, nil, []Device{fakeHeadset}, fakeSpeakers, MatchDefault, true, true},
		{"back with a new ID", []Device{fakeSpeakers, moved, fakeLaptopMic}, []Device{moved}, nil, moved, MatchName, false, true},
		{"an unrelated device", []Device{fakeSpeakers, moved, fakeLaptopMic, fakeHeadMic}, []Device{fakeHeadMic}, nil, moved, MatchName, false, false},
	} {
		d.setDevices(step.devs...)
		ev := waitEvent(t, ch)
		sel := ev.State.Selection(Speaker)
		if !reflect.DeepEqual(ev.Added, step.added) || !reflect.DeepEqual(ev.Removed, step.removed) {
			t.Errorf("%s: added %v removed %v", step.name, ev.Added, ev.Removed)
		}
		if sel.Device != step.speaker || sel.Match != step.match || sel.Fallback != step.fallback {
			t.Errorf("%s: speaker %+v", step.name, sel)
		}
		if slices.Contains(ev.Changed, Speaker) != step.speakerReselects {
			t.Errorf("%s: changed roles %v", step.name, ev.Changed)
		}
		if snap := s.Snapshot(); !reflect.DeepEqual(snap, ev.State) {
			t.Errorf("%s: snapshot differs from the event's state", step.name)
		}
	}
}

func TestDefaultDeviceChange(t *testing.T) {
	s, d := newFakeSystem(t, Prefs{}, fakeSpeakers, fakeUSB)
	ch := events(t, s)
	waitEvent(t, ch)
	speakers, usb := fakeSpeakers, fakeUSB
	speakers.Default, usb.Default = false, true
	d.setDevices(speakers, usb)
	ev := waitEvent(t, ch)
	if ev.Added != nil || ev.Removed != nil {
		t.Errorf("a default change is not a plug: added %v removed %v", ev.Added, ev.Removed)
	}
	if !reflect.DeepEqual(ev.Changed, []Role{Speaker, Ringer}) || ev.State.Selection(Speaker).Device != usb {
		t.Errorf("changed %v, speaker %v", ev.Changed, ev.State.Selection(Speaker).Device)
	}
}

func TestSetPrefs(t *testing.T) {
	s, d := newFakeSystem(t, Prefs{}, fakeSpeakers, fakeHeadset, fakeUSB)
	ch := events(t, s)
	waitEvent(t, ch)
	p := s.Prefs().Prefer(Ringer, fakeUSB)
	st := s.SetPrefs(p)
	if sel := st.Selection(Ringer); sel.Device != fakeUSB || sel.Match != MatchID {
		t.Errorf("ringer %+v", sel)
	}
	ev := waitEvent(t, ch)
	if !reflect.DeepEqual(ev.Changed, []Role{Ringer}) {
		t.Errorf("changed %v, want [ringer]", ev.Changed)
	}
	if !reflect.DeepEqual(s.Prefs(), p) {
		t.Errorf("Prefs() = %+v", s.Prefs())
	}
	// The same preferences again change nothing: the next event is the unplug.
	s.SetPrefs(p)
	d.setDevices(fakeSpeakers, fakeHeadset)
	ev = waitEvent(t, ch)
	if !reflect.DeepEqual(ev.Removed, []Device{fakeUSB}) || !ev.State.Selection(Ringer).Fallback {
		t.Errorf("after unplug: removed %v ringer %+v", ev.Removed, ev.State.Selection(Ringer))
	}
}

func TestEnumerationError(t *testing.T) {
	s, d := newFakeSystem(t, Prefs{}, fakeSpeakers)
	ch := events(t, s)
	waitEvent(t, ch)
	boom := errors.New("server gone")
	d.mu.Lock()
	d.enumErr = boom
	d.mu.Unlock()
	ev := waitEvent(t, ch)
	if !errors.Is(ev.State.Err, boom) || !reflect.DeepEqual(ev.State.Devices, []Device{fakeSpeakers}) || ev.Removed != nil {
		t.Errorf("on error: %+v (devices must stay the last good list)", ev)
	}
	if _, err := s.Refresh(); !errors.Is(err, boom) {
		t.Errorf("Refresh: %v", err)
	}
	d.mu.Lock()
	d.enumErr = nil
	d.mu.Unlock()
	if ev := waitEvent(t, ch); ev.State.Err != nil {
		t.Errorf("after recovery: %v", ev.State.Err)
	}
}

func TestOpenFailsWhenEnumerationFails(t *testing.T) {
	d := newFakeDriver(t)
	d.enumErr = errors.New("no server")
	if _, err := newSystem(d, Options{}); !errors.Is(err, d.enumErr) {
		t.Errorf("newSystem: %v", err)
	}
}

func TestUnsubscribe(t *testing.T) {
	s, d := newFakeSystem(t, Prefs{}, fakeSpeakers)
	var mu sync.Mutex
	var gotA int
	unsubA := make(chan func(), 1)
	unsubA <- s.Subscribe(func(Event) {
		mu.Lock()
		gotA++
		mu.Unlock()
		(<-unsubA)() // from inside the callback: must not deadlock
	})
	chB := events(t, s)
	waitEvent(t, chB)
	d.setDevices(fakeSpeakers, fakeHeadset)
	if ev := waitEvent(t, chB); len(ev.Added) != 1 {
		t.Fatalf("B: %+v", ev)
	}
	mu.Lock()
	defer mu.Unlock()
	if gotA != 1 {
		t.Errorf("A got %d events after unsubscribing in its first, want 1", gotA)
	}
}

func TestRingDevices(t *testing.T) {
	for _, tc := range []struct {
		name  string
		prefs Prefs
		devs  []Device
		want  []Device
	}{
		{"speaker and ringer default to the same device", Prefs{}, []Device{fakeSpeakers, fakeHeadset}, []Device{fakeSpeakers}},
		{"headset rings with the speakers", Prefs{}.Prefer(Speaker, fakeHeadset), []Device{fakeSpeakers, fakeHeadset}, []Device{fakeHeadset, fakeSpeakers}},
		{"ringer on a third device", Prefs{}.Prefer(Speaker, fakeHeadset).Prefer(Ringer, fakeUSB), []Device{fakeSpeakers, fakeHeadset, fakeUSB}, []Device{fakeHeadset, fakeUSB}},
		{"nothing to ring on", Prefs{}, []Device{fakeLaptopMic}, nil},
	} {
		st := State{Devices: tc.devs, Selections: resolveAll(tc.prefs, tc.devs)}
		if got := st.RingDevices(); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestStateOfKind(t *testing.T) {
	st := State{Devices: []Device{fakeSpeakers, fakeLaptopMic, fakeHeadset, fakeHeadMic}}
	if got := st.OfKind(Capture); !reflect.DeepEqual(got, []Device{fakeLaptopMic, fakeHeadMic}) {
		t.Errorf("capture: %v", got)
	}
	if sel := (State{}).Selection(Speaker); !sel.Missing {
		t.Errorf("empty state: %+v", sel)
	}
}

func TestClose(t *testing.T) {
	s, _ := newFakeSystem(t, Prefs{}, fakeLaptopMic)
	started := make(chan struct{})
	var once sync.Once
	res := make(chan error)
	go func() {
		res <- s.MonitorInput(context.Background(), fakeLaptopMic, func(Level) { once.Do(func() { close(started) }) })
	}()
	<-started
	s.Close()
	if err := <-res; !errors.Is(err, ErrClosed) {
		t.Errorf("MonitorInput after Close: %v, want ErrClosed", err)
	}
	if _, err := s.Refresh(); !errors.Is(err, ErrClosed) {
		t.Errorf("Refresh after Close: %v", err)
	}
	s.Subscribe(func(Event) { t.Error("event after Close") })()
	s.Close() // twice is fine
}
