package server

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server/store"
)

// The presence policy: what the app does when an agent's session locks or
// idles. The app acts on it (it sees the lock); the server keeps it.

func (s *Server) getPresence(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	p, err := s.st.Q().Presence(r.Context(), a.OrgID)
	if err != nil {
		return err
	}
	writeVersioned(w, http.StatusOK, p.Version, p)
	return nil
}

func (s *Server) putPresence(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	req, version, err := conditional[api.PresenceUpdate](w, r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	var p api.Presence
	err = s.orgTx(ctx, a, func(q store.Q) error {
		codes, err := q.ReasonCodes(ctx, a.OrgID)
		if err != nil {
			return err
		}
		if fields := api.ValidatePresence(req, codes); fields != nil {
			return api.Invalid(fields)
		}
		if p, err = q.Presence(ctx, a.OrgID); err != nil {
			return err
		}
		var d diff
		d.bool(api.FieldLockAway, p.LockAway, req.LockAway)
		d.str(api.FieldAwayReasonCode, p.AwayReasonCode, req.AwayReasonCode)
		d.str(api.FieldIdleMinutes, strconv.Itoa(p.IdleMinutes), strconv.Itoa(req.IdleMinutes))
		d.bool(api.FieldAutoOnline, p.AutoOnline, req.AutoOnline)
		if err := checkWrite(p.Version, version, len(d) == 0); err != nil || len(d) == 0 {
			return err
		}
		p = api.Presence{Version: version + 1, LockAway: req.LockAway, AwayReasonCode: req.AwayReasonCode,
			IdleMinutes: req.IdleMinutes, AutoOnline: req.AutoOnline}
		if err := q.SavePresence(ctx, a.OrgID, p); err != nil {
			return err
		}
		return s.orgAudit(ctx, q, a, "presence.update", a.orgRes("presence"), d)
	})
	if err != nil && !errors.Is(err, errApplied) {
		return err
	}
	writeVersioned(w, http.StatusOK, p.Version, p)
	return nil
}
