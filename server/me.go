package server

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"

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
	presence, err := q.Presence(ctx, o.ID)
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
	me.Org.Presence = presence
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
