package ui

import (
	"context"

	"fyne.io/fyne/v2"

	"github.com/phoneset/phoneset/api"
)

// LiveModel is the server's push of status changes (the HTTP client
// satisfies it).
type LiveModel interface {
	// WatchStatus calls fn, from its own goroutine, for every status change
	// the user may see, until ctx ends or the session does.
	WatchStatus(ctx context.Context, fn func(api.StatusEvent)) error
}

// watchLive applies pushed status changes until the returned function is
// called: the user's own go to the model, which every page showing it
// follows; their agents' go to the Supervisor page.
func (s *Shell) watchLive(live LiveModel) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	me := s.model.Me().User.ID
	go func() {
		err := live.WatchStatus(ctx, func(ev api.StatusEvent) {
			fyne.Do(func() { s.liveEvent(me, ev) })
		})
		if err != nil && ctx.Err() == nil {
			// The session ended: the account model signs out on its own.
			fyne.LogError("status stream ended", err)
		}
	}()
	return cancel
}

func (s *Shell) liveEvent(me string, ev api.StatusEvent) {
	if ev.UserID == me {
		s.model.ApplyStatus(ev.Status)
		return
	}
	for _, p := range s.pages {
		if sp, ok := p.(*SupervisorPage); ok {
			sp.ApplyEvent(ev)
		}
	}
}
