package server

import (
	"errors"
	"net/http"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server/store"
)

func (s *Server) getNotifications(w http.ResponseWriter, r *http.Request, p *principal) error {
	u, err := s.st.Q().UserByID(r.Context(), p.UserID)
	if err != nil && !errors.Is(err, errApplied) {
		return err
	}
	writeVersioned(w, http.StatusOK, u.NotificationsVersion, u.Notifications())
	return nil
}

// putNotifications replaces the email notification switches. The body's
// version field is ignored: If-Match is the condition.
func (s *Server) putNotifications(w http.ResponseWriter, r *http.Request, p *principal) error {
	version, err := ifMatch(r)
	if err != nil {
		return err
	}
	req, err := decode[api.Notifications](w, r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	var u *store.User
	err = s.st.Tx(ctx, func(q store.Q) error {
		if u, err = q.UserByID(ctx, p.UserID); err != nil {
			return err
		}
		var d diff
		d.bool(api.FieldEmailMissedCalls, u.NotifyMissedCalls, req.EmailMissedCalls)
		d.bool(api.FieldEmailVoicemails, u.NotifyVoicemails, req.EmailVoicemails)
		if err := checkWrite(u.NotificationsVersion, version, len(d) == 0); err != nil || len(d) == 0 {
			return err
		}
		u.NotifyMissedCalls, u.NotifyVoicemails = req.EmailMissedCalls, req.EmailVoicemails
		if err := q.SaveNotifications(ctx, u, version); err != nil {
			return err
		}
		return s.audit(r, q, p, u, "notifications.update", userRes(u.ID, "notifications"), d)
	})
	if err != nil && !errors.Is(err, errApplied) {
		return err
	}
	writeVersioned(w, http.StatusOK, u.NotificationsVersion, u.Notifications())
	return nil
}
