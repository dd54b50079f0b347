package server

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server/store"
)

// Timed statuses: the server, not the app, ends them, so a break ends on
// time while the app is closed or the PC sleeps. The end time is stored
// with the status; every server checks for due timers each second (and at
// start, which ends those that fell due while no server ran). Ending one
// is a conditional write on the status version, so when two servers share
// a database only one of them ends it and audits it.

// Audit field names of a timer.
const (
	fieldUntil = "until"
	fieldThen  = api.FieldThen
)

// statusTimer is the timer a status change sets: the request's minutes or
// the reason code's default; zero when none.
func statusTimer(req api.StatusUpdate, codes []api.ReasonCode, now time.Time) (time.Time, api.Availability) {
	if req.Availability != api.Unavailable {
		return time.Time{}, ""
	}
	i := slices.IndexFunc(codes, func(c api.ReasonCode) bool { return c.Code == req.ReasonCode })
	if i < 0 {
		return time.Time{}, ""
	}
	minutes, then := codes[i].Minutes, codes[i].Then
	if req.Minutes != nil {
		minutes = *req.Minutes
	}
	if minutes == 0 {
		return time.Time{}, ""
	}
	if then == "" {
		then = api.Online
	}
	return now.Add(time.Duration(minutes) * time.Minute).UTC().Truncate(time.Second), then
}

func timerText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// timer records a change of a status timer.
func (d *diff) timer(oldUntil time.Time, oldThen api.Availability, until time.Time, then api.Availability) {
	d.str(fieldUntil, timerText(oldUntil), timerText(until))
	d.str(fieldThen, string(oldThen), string(then))
}

// extendStatus adds minutes to the running timer.
func (s *Server) extendStatus(w http.ResponseWriter, r *http.Request, p *principal) error {
	req, version, err := conditional[api.StatusExtend](w, r)
	if err != nil {
		return err
	}
	if fields := api.ValidateExtend(req); fields != nil {
		return api.Invalid(fields)
	}
	ctx := r.Context()
	var u *store.User
	err = s.st.Tx(ctx, func(q store.Q) error {
		if u, err = q.UserByID(ctx, p.UserID); err != nil {
			return err
		}
		if err := checkVersion(u.StatusVersion, version); err != nil {
			return err
		}
		if u.StatusUntil.IsZero() {
			return api.Invalid(map[string]*api.Reason{api.FieldMinutes: api.Because(api.ReasonNoTimer)})
		}
		until := u.StatusUntil.Add(time.Duration(req.Minutes) * time.Minute)
		if left := until.Sub(s.now()); left > api.MaxStatusMinutes*time.Minute {
			max := api.MaxStatusMinutes - int(u.StatusUntil.Sub(s.now())/time.Minute)
			return api.Invalid(map[string]*api.Reason{api.FieldMinutes: {Code: api.ReasonNumberRange, Args: api.Args{"min": 1, "max": max}}})
		}
		var d diff
		d.timer(u.StatusUntil, u.StatusThen, until, u.StatusThen)
		u.StatusUntil = until
		if err := q.SaveStatus(ctx, u, version); err != nil {
			return err
		}
		return s.audit(r, q, p, u, "status.extend", userRes(u.ID, "status"), d)
	})
	if err != nil {
		return err
	}
	s.statusChanged(u)
	writeVersioned(w, http.StatusOK, u.StatusVersion, u.Status())
	return nil
}

// EndStatusTimers ends every timed status due by now and returns how many
// this server ended. The background loop calls it each second; tests call
// it with a moved clock.
func (s *Server) EndStatusTimers(ctx context.Context) (int, error) {
	const batch = 200
	now := s.now()
	ended := 0
	// A bounded number of batches: a server that was down for long ends
	// the rest on its next ticks.
	for range 10 {
		ids, err := s.st.Q().DueStatusTimers(ctx, now, batch)
		if err != nil {
			return ended, err
		}
		for _, id := range ids {
			u, err := s.endStatusTimer(ctx, id, now)
			if err != nil {
				return ended, err
			}
			if u != nil {
				ended++
				s.timerChangedStatus(u)
			}
		}
		if len(ids) < batch {
			break
		}
	}
	return ended, nil
}

// endStatusTimer ends one user's timer if it is still due; nil when another
// server or a change of status came first.
func (s *Server) endStatusTimer(ctx context.Context, userID string, now time.Time) (*store.User, error) {
	var ended *store.User
	err := s.st.Tx(ctx, func(q store.Q) error {
		u, err := q.UserByID(ctx, userID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if u.StatusUntil.IsZero() || u.StatusUntil.After(now) {
			return nil
		}
		var d diff
		d.str(api.FieldAvailability, string(u.Availability), string(u.StatusThen))
		d.str(api.FieldReasonCode, u.ReasonCode, "")
		d.timer(u.StatusUntil, u.StatusThen, time.Time{}, "")
		version := u.StatusVersion
		u.Availability, u.ReasonCode, u.StatusUntil, u.StatusThen = u.StatusThen, "", time.Time{}, ""
		// Not the agent's own change: the app shows no name for it.
		u.StatusChangedBy, u.StatusChangedByName, u.StatusChangedAt = api.ChangedByTimer, "", now
		if err := q.SaveStatus(ctx, u, version); errors.Is(err, store.ErrStale) {
			return nil // another server ended it, or the agent changed status
		} else if err != nil {
			return err
		}
		for _, c := range d {
			ev := api.AuditEvent{At: now.UTC(), ActorID: u.ID, Actor: "timer", Action: "status.timer_end",
				Resource: userRes(u.ID, "status"), Field: c.field, Old: c.old, New: c.new}
			if err := q.Audit(ctx, u.OrgID, ev); err != nil {
				return err
			}
		}
		ended = u
		return nil
	})
	return ended, err
}

// timerChangedStatus is called once for each status a timer ended, after
// its write committed: connected clients see the change at once.
func (s *Server) timerChangedStatus(u *store.User) {
	s.log.Debug("status timer ended", "user", u.ID, "availability", u.Availability)
	s.statusChanged(u)
}

// statusTimers ends due timers each tick until the server closes.
func (s *Server) statusTimers(tick time.Duration) {
	defer s.bg.Done()
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if _, err := s.EndStatusTimers(ctx); err != nil {
			s.log.Warn("ending status timers failed", "err", err)
		}
		cancel()
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
	}
}
