package server

import (
	"errors"
	"net/http"

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
	codes, err := s.st.Q().ReasonCodes(ctx, p.OrgID)
	if err != nil {
		return err
	}
	if fields := api.ValidateStatus(req, codes); fields != nil {
		return api.Invalid(fields)
	}
	var u *store.User
	err = s.st.Tx(ctx, func(q store.Q) error {
		if u, err = q.UserByID(ctx, p.UserID); err != nil {
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
		now := s.now()
		until, then := statusTimer(req, codes, now)
		d.timer(u.StatusUntil, u.StatusThen, until, then)
		if len(d) == 0 {
			return nil
		}
		u.Availability, u.ReasonCode, u.StatusUntil, u.StatusThen = req.Availability, req.ReasonCode, until, then
		u.StatusChangedBy, u.StatusChangedByName, u.StatusChangedAt = u.ID, u.DisplayName, now
		if err := q.SaveStatus(ctx, u, version); err != nil {
			return err
		}
		return s.audit(r, q, p, u, "status.update", userRes(u.ID, "status"), d)
	})
	if err != nil && !errors.Is(err, errApplied) {
		return err
	}
	writeVersioned(w, http.StatusOK, u.StatusVersion, u.Status())
	return nil
}
