package server

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server/store"
)

func (s *Server) getStatus(w http.ResponseWriter, r *http.Request, p *principal) error {
	u, err := s.st.Q().UserByID(r.Context(), p.UserID)
	if err != nil && !errors.Is(err, errApplied) {
		return err
	}
	writeVersioned(w, http.StatusOK, u.StatusVersion, u.Status())
	return nil
}

// putStatus sets Online, Unavailable (with one of the org's active reason
// codes, and a timer: the code's default or the request's minutes) or
// Offline. Queue eligibility follows: only Online takes queue calls.
func (s *Server) putStatus(w http.ResponseWriter, r *http.Request, p *principal) error {
	version, err := ifMatch(r)
	if err != nil {
		return err
	}
	req, err := decode[api.StatusUpdate](w, r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	u, err := s.setStatus(ctx, p.OrgID, version, req, func(q store.Q) (*store.User, error) { return q.UserByID(ctx, p.UserID) },
		func(u *store.User) (string, string) { return u.ID, u.DisplayName },
		func(q store.Q, u *store.User, d diff) error {
			return s.audit(r, q, p, u, "status.update", userRes(u.ID, "status"), d)
		})
	if err != nil {
		return err
	}
	writeVersioned(w, http.StatusOK, u.StatusVersion, u.Status())
	return nil
}

// setStatus checks a status change against the org's reason codes and
// writes it, with its timer, to the user load finds, in one transaction with its audit
// events, recording by (who, by name) as who changed it; a change already
// made answers the user as is. Once the write has committed, streams hear
// of it (statusChanged).
func (s *Server) setStatus(ctx context.Context, orgID string, version int64, req api.StatusUpdate,
	load func(q store.Q) (*store.User, error), by func(u *store.User) (string, string),
	audit func(q store.Q, u *store.User, d diff) error) (*store.User, error) {
	codes, err := s.st.Q().ReasonCodes(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if fields := api.ValidateStatus(req, codes); fields != nil {
		return nil, api.Invalid(fields)
	}
	var u *store.User
	wrote := false
	err = s.st.Tx(ctx, func(q store.Q) error {
		if u, err = load(q); err != nil {
			return err
		}
		var d diff
		d.str(api.FieldAvailability, string(u.Availability), string(req.Availability))
		d.str(api.FieldReasonCode, u.ReasonCode, req.ReasonCode)
		// The same status again (an outbox retry) keeps its timer unless
		// minutes are given.
		same := len(d) == 0
		if err := checkWrite(u.StatusVersion, version, same); err != nil || (same && req.Minutes == nil) {
			return err
		}
		// As stored: the answer, the pushed event and its resume point agree.
		now := s.now().Truncate(time.Microsecond)
		until, then := statusTimer(req, codes, now)
		d.timer(u.StatusUntil, u.StatusThen, until, then)
		if len(d) == 0 {
			return nil
		}
		u.Availability, u.ReasonCode, u.StatusUntil, u.StatusThen = req.Availability, req.ReasonCode, until, then
		u.StatusChangedBy, u.StatusChangedByName = by(u)
		u.StatusChangedAt = now
		if err := q.SaveStatus(ctx, u, version); err != nil {
			return err
		}
		wrote = true
		return audit(q, u, d)
	})
	if err != nil && !errors.Is(err, errApplied) {
		return nil, err
	}
	if wrote && err == nil {
		s.statusChanged(u)
	}
	return u, nil
}
