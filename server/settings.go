package server

import (
	"errors"
	"net/http"
	"slices"

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
// codes) or Offline. Queue eligibility follows: only Online takes queue
// calls.
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
	switch req.Availability {
	case api.Online, api.Offline:
		if req.ReasonCode != "" {
			return api.Invalid(map[string]*api.Reason{"reason_code": api.Because(api.ReasonOnlyUnavailable)})
		}
	case api.Unavailable:
		codes, err := s.st.Q().ReasonCodes(ctx, p.OrgID)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(codes, func(c api.ReasonCode) bool { return c.Code == req.ReasonCode && !c.Retired }) {
			return api.Invalid(map[string]*api.Reason{"reason_code": api.Because(api.ReasonUnknownReason)})
		}
	default:
		return api.Invalid(map[string]*api.Reason{"availability": api.OneOf(string(req.Availability), string(api.Online), string(api.Unavailable), string(api.Offline))})
	}
	var u *store.User
	err = s.st.Tx(ctx, func(q store.Q) error {
		if u, err = q.UserByID(ctx, p.UserID); err != nil {
			return err
		}
		var d diff
		d.str("availability", string(u.Availability), string(req.Availability))
		d.str("reason_code", u.ReasonCode, req.ReasonCode)
		if err := checkWrite(u.StatusVersion, version, len(d) == 0); err != nil || len(d) == 0 {
			return err
		}
		u.Availability, u.ReasonCode = req.Availability, req.ReasonCode
		u.StatusChangedBy, u.StatusChangedByName, u.StatusChangedAt = u.ID, u.DisplayName, s.now()
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
		d.bool("email_missed_calls", u.NotifyMissedCalls, req.EmailMissedCalls)
		d.bool("email_voicemails", u.NotifyVoicemails, req.EmailVoicemails)
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

// planMetrics are the usage lines of GET /v1/me/plan, in order.
var planMetrics = []string{MetricMinutes, MetricMessages, MetricGroups, MetricAPIRequests}

func (s *Server) getPlan(w http.ResponseWriter, r *http.Request, p *principal) error {
	ctx := r.Context()
	q := s.st.Q()
	o, err := q.OrgByID(ctx, p.OrgID)
	if err != nil {
		return err
	}
	limits, err := q.PlanLimits(ctx, o.ID)
	if err != nil {
		return err
	}
	cycle := cycleStart(s.now(), o.CycleDay, o.TimeZone)
	used, err := q.Usage(ctx, p.UserID, cycle)
	if err != nil {
		return err
	}
	used[MetricAPIRequests] += s.usage.unflushed(p.UserID)
	plan := api.Plan{Name: o.PlanName, CycleStart: cycle}
	for _, m := range planMetrics {
		plan.Usage = append(plan.Usage, api.Usage{Metric: m, Used: used[m], Limit: limits[m]})
	}
	writeJSON(w, http.StatusOK, plan)
	return nil
}
