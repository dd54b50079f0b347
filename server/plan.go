package server

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/phoneset/phoneset/api"
)

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

// usageMeter counts API requests in memory and adds them to the database
// every few seconds, so counting costs no write per request. The counts
// are additive, so several processes can flush into the same rows.
type usageMeter struct {
	s       *Server
	mu      sync.Mutex
	pending map[usageKey]int64
}

type usageKey struct{ userID, orgID string }

// MetricAPIRequests and the other metric names of api.Usage.
const (
	MetricMinutes     = "minutes"
	MetricMessages    = "messages"
	MetricGroups      = "groups"
	MetricAPIRequests = "api_requests"
)

func newUsageMeter(s *Server) *usageMeter {
	return &usageMeter{s: s, pending: map[usageKey]int64{}}
}

func (m *usageMeter) count(userID, orgID string) {
	m.mu.Lock()
	m.pending[usageKey{userID, orgID}]++
	m.mu.Unlock()
}

// unflushed is this process's count not yet in the database.
func (m *usageMeter) unflushed(userID string) int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	var n int64
	for k, v := range m.pending {
		if k.userID == userID {
			n += v
		}
	}
	return n
}

func (m *usageMeter) flush(ctx context.Context) error {
	m.mu.Lock()
	batch := m.pending
	m.pending = map[usageKey]int64{}
	m.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	now := m.s.now()
	cycles := map[string]time.Time{}
	var errs []error
	for k, n := range batch {
		cycle, ok := cycles[k.orgID]
		if !ok {
			o, err := m.s.st.Q().OrgByID(ctx, k.orgID)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			cycle = cycleStart(now, o.CycleDay, o.TimeZone)
			cycles[k.orgID] = cycle
		}
		// A user deleted since counting fails here; the count goes with it.
		if err := m.s.st.Q().AddUsage(ctx, k.userID, cycle, MetricAPIRequests, n); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// cycleStart is the start of the billing cycle containing now: midnight on
// the org's cycle day, in the org's time zone.
func cycleStart(now time.Time, day int, tz string) time.Time {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		loc = time.UTC
	}
	day = min(max(day, 1), 28)
	t := now.In(loc)
	start := time.Date(t.Year(), t.Month(), day, 0, 0, 0, 0, loc)
	if start.After(t) {
		start = time.Date(t.Year(), t.Month()-1, day, 0, 0, 0, 0, loc)
	}
	return start.UTC()
}
