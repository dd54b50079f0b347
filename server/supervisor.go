package server

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server/store"
)

// Supervisors (permission api.PermSupervisor) see and set the status of
// the agents holding a structure option of their scope. Anyone else in
// the organisation is invisible to them: 404, as for another org.

var (
	errNotSupervisor = api.Refused(http.StatusForbidden, api.CodeForbidden, api.Because(api.ReasonNeedsSupervisor))
	errNoSuchAgent   = &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound, Message: "no such agent among yours"}
)

// supervisor guards a /v1/supervisor route: the permission is read from
// the database on every request, so a revoked role stops at once. The
// adminCall carries the supervisor for the audit log.
func (s *Server) supervisor(h adminFunc) http.Handler {
	return s.authed(func(w http.ResponseWriter, r *http.Request, p *principal) error {
		ctx := r.Context()
		ok, err := s.st.Q().IsSupervisor(ctx, p.UserID)
		if err != nil {
			return err
		}
		if !ok {
			return errNotSupervisor
		}
		u, err := s.st.Q().UserByID(ctx, p.UserID)
		if err != nil {
			return err
		}
		return h(w, r, &adminCall{principal: p, user: u})
	})
}

func agentStatus(u *store.User) api.AgentStatus {
	return api.AgentStatus{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Status: u.Status()}
}

func (s *Server) listAgents(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	agents, err := s.st.Q().Agents(r.Context(), a.UserID)
	if err != nil {
		return err
	}
	out := make([]api.AgentStatus, 0, len(agents))
	for _, u := range agents {
		out = append(out, agentStatus(u))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// agent is one of the supervisor's agents; 404 for anyone else.
func agent(ctx context.Context, q store.Q, supervisorID, id string) (*store.User, error) {
	agents, err := q.Agents(ctx, supervisorID)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(agents, func(u *store.User) bool { return u.ID == id })
	if i < 0 {
		return nil, errNoSuchAgent
	}
	return agents[i], nil
}

// setAgentStatus is PUT /v1/supervisor/agents/{id}/status: the agent's
// status carries the supervisor as who changed it, and their app shows it
// at once through its event stream.
func (s *Server) setAgentStatus(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	req, version, err := conditional[api.StatusUpdate](w, r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	id := r.PathValue("id")
	// Who may be changed is settled before the body is judged, so an
	// invisible agent stays invisible whatever is sent.
	if _, err := agent(ctx, s.st.Q(), a.UserID, id); err != nil {
		return err
	}
	u, err := s.setStatus(ctx, a.OrgID, version, req, func(q store.Q) (*store.User, error) { return agent(ctx, q, a.UserID, id) },
		func(*store.User) (string, string) { return a.UserID, a.user.DisplayName },
		func(q store.Q, u *store.User, d diff) error {
			return s.orgAudit(ctx, q, a, "status.set_by_supervisor", userRes(u.ID, "status"), d)
		})
	if err != nil {
		return err
	}
	writeVersioned(w, http.StatusOK, u.StatusVersion, agentStatus(u))
	return nil
}

// dayStart is midnight today in the supervisor's time zone (UTC when it
// is unknown).
func dayStart(now time.Time, tz string) time.Time {
	loc, err := time.LoadLocation(tz)
	if err != nil || tz == "" {
		loc = time.UTC
	}
	y, m, d := now.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// timeInStatus adds up, per agent, how long each status lasted from the
// start of the supervisor's day until now.
func (s *Server) timeInStatus(ctx context.Context, a *adminCall) ([]api.TimeInStatus, error) {
	now := s.now()
	from := dayStart(now, a.user.TimeZone)
	agents, err := s.st.Q().Agents(ctx, a.UserID)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(agents))
	for _, u := range agents {
		ids = append(ids, u.ID)
	}
	hist, err := s.st.Q().StatusHistory(ctx, ids, from, now)
	if err != nil {
		return nil, err
	}
	out := make([]api.TimeInStatus, 0, len(agents))
	for _, u := range agents {
		out = append(out, api.TimeInStatus{UserID: u.ID, DisplayName: u.DisplayName, From: from.UTC(), To: now.UTC(), Times: sumSpans(hist[u.ID], from, now)})
	}
	return out, nil
}

// sumSpans is the time in each status between from and to, largest
// first; each span lasts until the next one starts.
func sumSpans(spans []store.StatusSpan, from, to time.Time) []api.StatusTime {
	type key struct {
		a api.Availability
		r string
	}
	total := map[key]time.Duration{}
	var order []key
	for i, sp := range spans {
		start, end := sp.Start, to
		if i+1 < len(spans) {
			end = spans[i+1].Start
		}
		if start.Before(from) {
			start = from
		}
		if !end.After(start) {
			continue
		}
		k := key{sp.Availability, sp.ReasonCode}
		if _, ok := total[k]; !ok {
			order = append(order, k)
		}
		total[k] += end.Sub(start)
	}
	out := make([]api.StatusTime, 0, len(order))
	for _, k := range order {
		out = append(out, api.StatusTime{Availability: k.a, ReasonCode: k.r, Seconds: int64(total[k] / time.Second)})
	}
	slices.SortStableFunc(out, func(x, y api.StatusTime) int { return int(y.Seconds - x.Seconds) })
	return out
}

var timeInStatusCSVHeader = []string{"user_id", "agent", "from", "to", "availability", "reason_code", "seconds"}

// getTimeInStatus is GET /v1/supervisor/time-in-status, as JSON or, with
// ?format=csv or Accept: text/csv, as spreadsheet-safe CSV.
func (s *Server) getTimeInStatus(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	ctx := r.Context()
	rows, err := s.timeInStatus(ctx, a)
	if err != nil {
		return err
	}
	if !wantsCSV(r) {
		writeJSON(w, http.StatusOK, rows)
		return nil
	}
	ev := s.orgEvent(a, "time_in_status.export", a.orgRes("supervisor/time-in-status"))
	if err := s.st.Q().Audit(ctx, a.OrgID, ev); err != nil {
		return err
	}
	cw := s.startCSV(w, "time-in-status")
	cw.Write(timeInStatusCSVHeader...)
	for _, t := range rows {
		for _, st := range t.Times {
			cw.Write(t.UserID, t.DisplayName, t.From.Format(time.RFC3339), t.To.Format(time.RFC3339),
				string(st.Availability), st.ReasonCode, strconv.FormatInt(st.Seconds, 10))
		}
	}
	if err := cw.Flush(); err != nil {
		s.log.Warn("time in status export not delivered", "org", a.OrgID, "err", err)
	}
	return nil
}

// The supervisor role, granted by admins.

func (s *Server) listSupervisors(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	sups, err := s.st.Q().Supervisors(r.Context(), a.OrgID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sups)
	return nil
}

// setSupervisor is PUT /v1/org/users/{id}/supervisor: the member becomes
// a supervisor of the holders of the given options.
func (s *Server) setSupervisor(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	req, err := decode[api.SupervisorScope](w, r)
	if err != nil {
		return err
	}
	if len(req.OptionIDs) > api.MaxOptions {
		return api.Invalid(map[string]*api.Reason{api.FieldOptionIDs: {Code: api.ReasonTooMany, Args: api.Args{"max": api.MaxOptions}}})
	}
	ctx := r.Context()
	id := r.PathValue("id")
	err = s.orgTx(ctx, a, func(q store.Q) error {
		if _, err := s.orgUser(ctx, q, a.OrgID, id); err != nil {
			return err
		}
		cats, err := q.Categories(ctx, a.OrgID)
		if err != nil {
			return err
		}
		names := map[string]string{}
		for _, c := range cats {
			for _, o := range c.Options {
				names[o.ID] = c.Name + ": " + o.Name
			}
		}
		ids := slices.Clone(req.OptionIDs)
		slices.Sort(ids)
		ids = slices.Compact(ids)
		var newNames []string
		for _, o := range ids {
			n, ok := names[o]
			if !ok {
				return api.Invalid(map[string]*api.Reason{api.FieldOptionIDs: {Code: api.ReasonNotAnOption, Args: api.Args{"value": o}}})
			}
			newNames = append(newNames, n)
		}
		was, err := q.IsSupervisor(ctx, id)
		if err != nil {
			return err
		}
		old := "not granted"
		if was {
			sups, err := q.Supervisors(ctx, a.OrgID)
			if err != nil {
				return err
			}
			var oldNames []string
			for _, sp := range sups {
				if sp.UserID == id {
					for _, o := range sp.OptionIDs {
						oldNames = append(oldNames, names[o])
					}
				}
			}
			old = "granted: " + joinNames(oldNames)
		}
		if err := q.Grant(ctx, id, api.PermSupervisor); err != nil {
			return err
		}
		if err := q.SetSupervisorScope(ctx, id, ids); err != nil {
			return err
		}
		var d diff
		d.str(api.PermSupervisor, old, "granted: "+joinNames(newNames))
		return s.orgAudit(ctx, q, a, "permission.grant", userRes(id, "permissions"), d)
	})
	if err != nil {
		return err
	}
	return s.writeSupervisor(ctx, w, a.OrgID, id)
}

func joinNames(ns []string) string {
	slices.Sort(ns)
	out := ""
	for i, n := range ns {
		if i > 0 {
			out += ", "
		}
		out += n
	}
	return out
}

func (s *Server) writeSupervisor(ctx context.Context, w http.ResponseWriter, orgID, id string) error {
	sups, err := s.st.Q().Supervisors(ctx, orgID)
	if err != nil {
		return err
	}
	out := api.Supervisor{UserID: id, OptionIDs: []string{}}
	for _, sp := range sups {
		if sp.UserID == id {
			out = sp
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// revokeSupervisor is DELETE /v1/org/users/{id}/supervisor.
func (s *Server) revokeSupervisor(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	ctx := r.Context()
	id := r.PathValue("id")
	err := s.orgTx(ctx, a, func(q store.Q) error {
		if _, err := s.orgUser(ctx, q, a.OrgID, id); err != nil {
			return err
		}
		was, err := q.IsSupervisor(ctx, id)
		if err != nil || !was {
			return err
		}
		if _, err := q.Revoke(ctx, id, api.PermSupervisor); err != nil {
			return err
		}
		if err := q.SetSupervisorScope(ctx, id, nil); err != nil {
			return err
		}
		return s.orgAudit(ctx, q, a, "permission.revoke", userRes(id, "permissions"), diff{{api.PermSupervisor, "granted", "not granted"}})
	})
	if err != nil {
		return err
	}
	return s.writeSupervisor(ctx, w, a.OrgID, id)
}
