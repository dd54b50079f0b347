package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/phoneset/phoneset/api"
)

// meCache keeps rendered GET /v1/me bodies keyed by the user's row
// revision and the org's version. authenticate reads both on every
// request, so a change made by any process is seen at once.
type meCache struct {
	mu  sync.RWMutex
	max int
	m   map[string]meEntry
}

type meEntry struct {
	rev, orgVersion int64
	body            []byte
}

func newMeCache(max int) *meCache { return &meCache{max: max, m: map[string]meEntry{}} }

func (c *meCache) get(userID string, rev, orgVersion int64) ([]byte, bool) {
	c.mu.RLock()
	e, ok := c.m[userID]
	c.mu.RUnlock()
	if !ok || e.rev != rev || e.orgVersion != orgVersion {
		return nil, false
	}
	return e.body, true
}

func (c *meCache) put(userID string, e meEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[userID]; !ok && len(c.m) >= c.max {
		for k := range c.m { // evict an arbitrary entry; misses only cost a reload
			delete(c.m, k)
			break
		}
	}
	c.m[userID] = e
}

func (s *Server) loadMe(ctx context.Context, userID string) (api.Me, meEntry, error) {
	q := s.st.Q()
	u, err := q.UserByID(ctx, userID)
	if err != nil {
		return api.Me{}, meEntry{}, err
	}
	o, err := q.OrgByID(ctx, u.OrgID)
	if err != nil {
		return api.Me{}, meEntry{}, err
	}
	perms, err := q.Permissions(ctx, u.ID)
	if err != nil {
		return api.Me{}, meEntry{}, err
	}
	codes, err := q.ReasonCodes(ctx, o.ID)
	if err != nil {
		return api.Me{}, meEntry{}, err
	}
	kinds, err := q.OrgPhotoKinds(ctx, o.ID)
	if err != nil {
		return api.Me{}, meEntry{}, err
	}
	me := api.Me{
		User: api.User{ID: u.ID, OrgID: u.OrgID, Email: u.Email, Permissions: perms,
			HasAvatar: u.HasAvatar, HasCover: u.HasCover, PhotoVersion: u.PhotoVersion},
		Profile:       u.Profile(),
		Status:        u.Status(),
		Notifications: u.Notifications(),
		Org:           o.Summary(codes, kinds),
	}
	return me, meEntry{rev: u.Rev, orgVersion: o.Version}, nil
}

func (s *Server) getMe(w http.ResponseWriter, r *http.Request, p *principal) error {
	if body, ok := s.meCache.get(p.UserID, p.Rev, p.OrgVersion); ok {
		writeBody(w, http.StatusOK, body)
		return nil
	}
	me, e, err := s.loadMe(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	body, err := json.Marshal(me)
	if err != nil {
		return err
	}
	e.body = append(body, '\n')
	s.meCache.put(p.UserID, e)
	writeBody(w, http.StatusOK, e.body)
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
