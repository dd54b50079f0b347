// Package away sets an Online agent Unavailable when the desktop session
// locks or the agent is idle, under the organisation's presence policy,
// and asks "Back Online?" on return. A Watcher per platform reports the
// session (D-Bus on Linux, WTS session notifications on Windows, the
// com.apple.screenIsLocked notification on macOS); Follow applies the
// policy through the small Agent interface the ui implements. It never
// imports Fyne.
package away

import (
	"context"
	"errors"
	"time"

	"github.com/phoneset/phoneset/api"
)

// Event is a change of the session's lock state.
type Event int

const (
	Locked Event = iota + 1
	Unlocked
)

func (e Event) String() string {
	switch e {
	case Locked:
		return "locked"
	case Unlocked:
		return "unlocked"
	}
	return "unknown"
}

// lockEvents delivers a watcher's lock states as events, one per change of
// state: desktops often report one lock twice (screen saver and logind).
type lockEvents struct {
	ch     chan Event
	done   chan struct{} // closed when the watcher closes
	locked bool
}

func newLockEvents() lockEvents {
	return lockEvents{ch: make(chan Event, 8), done: make(chan struct{})}
}

// set records the state; it reports false once the watcher closed.
func (l *lockEvents) set(locked bool) bool {
	if locked == l.locked {
		return true
	}
	l.locked = locked
	ev := Unlocked
	if locked {
		ev = Locked
	}
	select {
	case l.ch <- ev:
		return true
	case <-l.done:
		return false
	}
}

// ErrUnsupported is returned where the platform cannot tell.
var ErrUnsupported = errors.New("away: not supported on this desktop")

// Watcher reports the desktop session's lock state and idle time.
type Watcher interface {
	// Events delivers lock changes; it is closed when the watcher closes.
	Events() <-chan Event
	// Idle is how long the user has given no input, or ErrUnsupported.
	Idle() (time.Duration, error)
	Close() error
}

// Agent is the signed-in agent as Follow sees and changes it. Its methods
// are called from Follow's goroutine.
type Agent interface {
	// Status is the current availability and reason code.
	Status() (api.Availability, string)
	// Policy is the organisation's presence policy and reason codes.
	Policy() (api.Presence, []api.ReasonCode)
	// SetStatus changes the status (through the outbox: it returns at once).
	SetStatus(api.StatusUpdate)
	// AskBackOnline asks the agent "Back Online?"; yes sets Online.
	AskBackOnline()
}

// IdlePoll is how often Follow reads the idle time.
const IdlePoll = 5 * time.Second

// Follow applies the policy to w's events and idle time until ctx ends or
// w closes.
func Follow(ctx context.Context, w Watcher, a Agent, poll time.Duration) {
	f := &follower{a: a}
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.Events():
			if !ok {
				return
			}
			f.event(ev)
		case <-t.C:
			if d, err := w.Idle(); err == nil {
				f.idle(d)
			}
		}
	}
}

// follower remembers whether it set the agent away, so that only its own
// change is undone on return.
type follower struct {
	a      Agent
	locked bool
	idled  bool
	reason string // the reason it set; "" when it set nothing
}

func (f *follower) event(ev Event) {
	switch ev {
	case Locked:
		f.locked = true
		if p, _ := f.a.Policy(); p.LockAway {
			f.goAway()
		}
	case Unlocked:
		f.locked = false
		f.back()
	}
}

func (f *follower) idle(d time.Duration) {
	p, _ := f.a.Policy()
	limit := time.Duration(p.IdleMinutes) * time.Minute
	switch {
	case f.locked || p.IdleMinutes == 0:
	case d >= limit && !f.idled:
		f.idled = true
		f.goAway()
	case d < limit && f.idled:
		f.idled = false
		f.back()
	}
}

// goAway sets an Online agent Unavailable with the policy's reason.
func (f *follower) goAway() {
	if avail, _ := f.a.Status(); avail != api.Online {
		return
	}
	reason := api.AwayReason(f.a.Policy())
	if reason == "" {
		return
	}
	f.reason = reason
	f.a.SetStatus(api.StatusUpdate{Availability: api.Unavailable, ReasonCode: reason})
}

// back undoes goAway when the agent is still as it left them: Online at
// once if the organisation allows it, else it asks.
func (f *follower) back() {
	reason := f.reason
	f.reason, f.idled = "", false
	if reason == "" {
		return
	}
	if avail, code := f.a.Status(); avail != api.Unavailable || code != reason {
		return // changed meanwhile (by the agent, a supervisor or a timer)
	}
	if p, _ := f.a.Policy(); p.AutoOnline {
		f.a.SetStatus(api.StatusUpdate{Availability: api.Online})
		return
	}
	f.a.AskBackOnline()
}
