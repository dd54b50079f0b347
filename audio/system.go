package audio

import (
	"context"
	"slices"
	"sync"
	"time"
)

// DefaultPollInterval is how often the watcher enumerates devices when
// Options.PollInterval is zero. miniaudio has no hot-plug event.
const DefaultPollInterval = time.Second

// Options configure Open.
type Options struct {
	// Backends are tried in order; empty means the platform's usual order
	// (WASAPI on Windows, Core Audio on macOS, PulseAudio then ALSA on Linux, ...),
	// never the null backend.
	Backends []Backend
	// PollInterval is how often devices are enumerated to notice hot-plugs.
	PollInterval time.Duration
	// Prefs are the stored device preferences to start with.
	Prefs Prefs
}

// State is a snapshot of the devices and of what each role uses. Treat it as
// read-only: snapshots share their slices.
type State struct {
	Backend    Backend
	Devices    []Device    // playback devices, then capture devices
	Selections []Selection // indexed by Role
	// Err is the last enumeration error; the device list is the last good one.
	Err error
}

// Selection returns what the role uses.
func (st State) Selection(r Role) Selection {
	if int(r) < 0 || int(r) >= len(st.Selections) {
		return Selection{Role: r, Rank: -1, Missing: true, Match: MatchNone}
	}
	return st.Selections[r]
}

// OfKind lists the present devices of one kind.
func (st State) OfKind(k Kind) []Device {
	var out []Device
	for _, d := range st.Devices {
		if d.Kind == k {
			out = append(out, d)
		}
	}
	return out
}

// RingDevices are the devices an incoming call rings on: the speaker and, if it
// is another device, the ringer.
func (st State) RingDevices() []Device {
	var out []Device
	for _, r := range []Role{Speaker, Ringer} {
		sel := st.Selection(r)
		if sel.Missing || slices.ContainsFunc(out, sel.Device.same) {
			continue
		}
		out = append(out, sel.Device)
	}
	return out
}

// Event tells subscribers what changed. The first event a subscriber gets lists
// every present device as Added and every role as Changed.
type Event struct {
	State   State
	Added   []Device
	Removed []Device
	Changed []Role // roles whose selection changed
}

// System owns the process's audio context, watches devices and resolves roles.
// Its methods are safe for concurrent use. Methods that touch devices block
// (enumeration, tests): call them from a goroutine, not a UI callback.
type System struct {
	drv      driver
	interval time.Duration

	// life is cancelled by Close; every session's context derives from it.
	life     context.Context
	shutdown context.CancelFunc
	loopDone chan struct{}
	sessions sync.WaitGroup

	refreshMu sync.Mutex // one enumerate-and-apply at a time, so results apply in order

	mu     sync.Mutex
	state  State
	prefs  Prefs
	subs   map[*subscriber]struct{}
	active map[*session]struct{}
	closed bool
}

// Open creates the process's audio context (at most one may be open; see
// ErrContextInUse), enumerates devices and starts the hot-plug watcher.
func Open(opts Options) (*System, error) {
	drv, err := openMalgo(opts.Backends)
	if err != nil {
		return nil, err
	}
	s, err := newSystem(drv, opts)
	if err != nil {
		drv.close()
		return nil, err
	}
	return s, nil
}

func newSystem(drv driver, opts Options) (*System, error) {
	interval := opts.PollInterval
	if interval <= 0 {
		interval = DefaultPollInterval
	}
	s := &System{
		drv:      drv,
		interval: interval,
		loopDone: make(chan struct{}),
		prefs:    opts.Prefs.clone(),
		subs:     map[*subscriber]struct{}{},
		active:   map[*session]struct{}{},
		state:    State{Backend: drv.backend()},
	}
	s.life, s.shutdown = context.WithCancel(context.Background())
	if _, err := s.Refresh(); err != nil {
		return nil, err
	}
	go s.watch()
	return s, nil
}

func (s *System) watch() {
	defer close(s.loopDone)
	t := time.NewTicker(s.interval)
	defer t.Stop()
	for {
		select {
		case <-s.life.Done():
			return
		case <-t.C:
			_, _ = s.Refresh()
		}
	}
}

// Close stops the watcher, ends running sessions (they return ErrClosed),
// stops subscribers and releases the audio context.
func (s *System) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	for sub := range s.subs {
		sub.stop()
	}
	s.subs = nil
	s.mu.Unlock()
	s.shutdown()
	<-s.loopDone
	s.sessions.Wait()
	s.refreshMu.Lock()
	defer s.refreshMu.Unlock()
	s.drv.close()
}

// Backend is the audio system in use.
func (s *System) Backend() Backend { return s.drv.backend() }

// Snapshot returns the current state without touching the devices.
func (s *System) Snapshot() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// Prefs returns a copy of the preferences in use.
func (s *System) Prefs() Prefs {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.prefs.clone()
}

// SetPrefs replaces the preferences, re-resolves every role and tells
// subscribers about roles whose device changed. It does not enumerate.
func (s *System) SetPrefs(p Prefs) State {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.prefs = p.clone()
	next := s.state
	next.Selections = resolveAll(s.prefs, next.Devices)
	s.applyLocked(next)
	return s.state
}

// Refresh enumerates devices now (the watcher also does, every PollInterval)
// and notifies subscribers of any change.
func (s *System) Refresh() (State, error) {
	s.refreshMu.Lock()
	defer s.refreshMu.Unlock()
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return State{}, ErrClosed
	}
	devs, err := s.drv.devices()
	s.mu.Lock()
	defer s.mu.Unlock()
	next := s.state
	next.Err = err
	if err == nil {
		next.Devices = devs
	}
	next.Selections = resolveAll(s.prefs, next.Devices)
	s.applyLocked(next)
	return s.state, err
}

func resolveAll(p Prefs, devices []Device) []Selection {
	out := make([]Selection, len(Roles))
	for _, r := range Roles {
		out[r] = Resolve(r, p.For(r), devices)
	}
	return out
}

// applyLocked installs next and, if anything changed, tells subscribers and the
// sessions whose device went away.
func (s *System) applyLocked(next State) {
	old := s.state
	ev := Event{State: next}
	for _, d := range next.Devices {
		if !slices.ContainsFunc(old.Devices, d.same) {
			ev.Added = append(ev.Added, d)
		}
	}
	for _, d := range old.Devices {
		if !slices.ContainsFunc(next.Devices, d.same) {
			ev.Removed = append(ev.Removed, d)
		}
	}
	for _, r := range Roles {
		if old.Selection(r) != next.Selection(r) {
			ev.Changed = append(ev.Changed, r)
		}
	}
	defaults := !slices.Equal(old.Devices, next.Devices)
	errChanged := (old.Err == nil) != (next.Err == nil)
	s.state = next
	if len(ev.Added)+len(ev.Removed)+len(ev.Changed) == 0 && !defaults && !errChanged {
		return
	}
	for sub := range s.subs {
		sub.push(ev)
	}
	for _, d := range ev.Removed {
		for se := range s.active {
			if slices.ContainsFunc(se.devices, d.same) {
				se.lose(deviceErr(ErrDeviceLost, d))
			}
		}
	}
}

// Subscribe calls fn with every change, in order, from a goroutine of its own
// (never the caller's, never the audio thread); a UI marshals to its own thread.
// fn first receives the current state. The returned function unsubscribes; it
// does not wait and may be called from fn.
func (s *System) Subscribe(fn func(Event)) (unsubscribe func()) {
	sub := &subscriber{fn: fn, wake: make(chan struct{}, 1), quit: make(chan struct{})}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return func() {}
	}
	st := s.state
	first := Event{State: st, Added: slices.Clone(st.Devices), Changed: slices.Clone(Roles)}
	sub.push(first)
	s.subs[sub] = struct{}{}
	go sub.run()
	return func() {
		s.mu.Lock()
		delete(s.subs, sub)
		s.mu.Unlock()
		sub.stop()
	}
}

type subscriber struct {
	fn    func(Event)
	mu    sync.Mutex
	queue []Event
	wake  chan struct{}
	quit  chan struct{}
	once  sync.Once
}

// push queues ev without blocking the notifier.
func (sub *subscriber) push(ev Event) {
	sub.mu.Lock()
	sub.queue = append(sub.queue, ev)
	sub.mu.Unlock()
	select {
	case sub.wake <- struct{}{}:
	default:
	}
}

func (sub *subscriber) stop() { sub.once.Do(func() { close(sub.quit) }) }

func (sub *subscriber) run() {
	for {
		select {
		case <-sub.quit:
			return
		case <-sub.wake:
		}
		sub.mu.Lock()
		queue := sub.queue
		sub.queue = nil
		sub.mu.Unlock()
		for _, ev := range queue {
			select {
			case <-sub.quit:
				return
			default:
			}
			sub.fn(ev)
		}
	}
}
