package account

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/phoneset/phoneset/api"
)

// fakeServer is a small in-memory backend speaking the /v1 contract for the
// endpoints the model uses. Real-server tests live in real_test.go.
type fakeServer struct {
	t   testing.TB
	srv *httptest.Server

	mu        sync.Mutex
	me        api.Me
	password  string
	access    map[string]bool
	refresh   map[string]bool
	n         int
	down      bool                   // drop every connection
	idem      map[string][]byte      // Idempotency-Key → response body
	patches   int                    // profile writes applied
	requests  []string               // "METHOD path" of every request served while up
	refuse    map[string]*api.Reason // display_name value → reason (422)
	failNext  []int                  // statuses to answer the next writes with
	dropAfter bool                   // apply the next write, then drop the connection
	issued    []string               // every token handed out
	photos    map[string][]byte      // path → image
}

func newFakeServer(t testing.TB) *fakeServer {
	f := &fakeServer{
		t:        t,
		password: "Phoneset-demo-1",
		access:   map[string]bool{},
		refresh:  map[string]bool{},
		idem:     map[string][]byte{},
		refuse:   map[string]*api.Reason{},
		photos:   map[string][]byte{},
		me: api.Me{
			User:          api.User{ID: "u-agent1", OrgID: "o1", Email: "agent1@example.com"},
			Profile:       api.Profile{Version: 1, FirstName: "Agent", LastName: "One", DisplayName: "Agent One", Username: "agent1", Language: "en", TimeZone: "Europe/Stockholm", Email: "agent1@example.com"},
			Notifications: api.Notifications{Version: 1, EmailMissedCalls: true},
			Status:        api.Status{Version: 1, Availability: api.Offline},
			Org: api.OrgSummary{ID: "o1", DisplayName: "Example", ReasonCodes: []api.ReasonCode{
				{Code: "lunch", Label: "Lunch"}, {Code: "old", Label: "Old", Retired: true}}},
		},
	}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeServer) URL() string { return f.srv.URL }

func (f *fakeServer) setDown(down bool) {
	f.mu.Lock()
	f.down = down
	f.mu.Unlock()
	if down {
		f.srv.CloseClientConnections()
	}
}

// edit changes the profile as another device would.
func (f *fakeServer) edit(fn func(p *api.Profile)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(&f.me.Profile)
	f.me.Profile.Version++
}

func (f *fakeServer) profile() api.Profile {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.me.Profile
}

func (f *fakeServer) count(req string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, r := range f.requests {
		if r == req {
			n++
		}
	}
	return n
}

// revokeAll ends every session, as "sign out of all sessions" elsewhere does.
func (f *fakeServer) revokeAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.access, f.refresh = map[string]bool{}, map[string]bool{}
}

// expireAccess makes every access token stale; refresh tokens still work.
func (f *fakeServer) expireAccess() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.access = map[string]bool{}
}

func (f *fakeServer) sessions() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.access)
}

func fail(w http.ResponseWriter, e *api.Error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.Status)
	_ = json.NewEncoder(w).Encode(api.ErrorBody{Error: e})
}

func (f *fakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		drop(w)
		return
	}
	f.requests = append(f.requests, r.Method+" "+r.URL.Path)
	reply := func(status int, v any) {
		b, _ := json.Marshal(v)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(b)
	}
	switch r.Method + " " + r.URL.Path {
	case "POST /v1/sessions":
		var req api.SignInRequest
		_ = json.NewDecoder(r.Body).Decode(&req)
		if req.Login != "agent1" || req.Password != f.password {
			fail(w, &api.Error{Status: 401, Code: api.CodeUnauthorized, Message: "wrong login or password"})
			return
		}
		reply(200, f.newTokens())
		return
	case "POST /v1/sessions/refresh":
		var req api.RefreshRequest
		_ = json.NewDecoder(r.Body).Decode(&req)
		if !f.refresh[req.RefreshToken] {
			fail(w, api.ErrUnauthorized)
			return
		}
		delete(f.refresh, req.RefreshToken)
		reply(200, f.newTokens())
		return
	}
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !f.access[tok] {
		fail(w, api.ErrUnauthorized)
		return
	}
	switch r.Method + " " + r.URL.Path {
	case "DELETE /v1/sessions/current":
		delete(f.access, tok)
		w.WriteHeader(http.StatusNoContent)
	case "GET /v1/me":
		reply(200, f.me)
	case "PATCH /v1/me/profile", "PUT /v1/me/notifications":
		f.write(w, r, reply)
	case "PUT /v1/me/avatar", "PUT /v1/me/cover", "DELETE /v1/me/avatar", "DELETE /v1/me/cover":
		if v, ok := api.ParseETag(r.Header.Get("If-Match")); !ok || v != f.me.User.PhotoVersion {
			fail(w, api.ErrStale)
			return
		}
		f.photo(w, r, reply)
	case "GET /v1/me/avatar", "GET /v1/me/cover":
		b, ok := f.photos[r.URL.Path]
		if !ok {
			fail(w, api.ErrNotFound)
			return
		}
		_, _ = w.Write(b)
	case "GET /v1/me/status":
		reply(200, f.me.Status)
	case "PUT /v1/me/status":
		if v, ok := api.ParseETag(r.Header.Get("If-Match")); !ok || v != f.me.Status.Version {
			fail(w, api.ErrStale)
			return
		}
		var u api.StatusUpdate
		_ = json.NewDecoder(r.Body).Decode(&u)
		f.me.Status = api.Status{Version: f.me.Status.Version + 1, Availability: u.Availability, ReasonCode: u.ReasonCode,
			ChangedBy: f.me.User.ID, QueueEligible: u.Availability == api.Online}
		reply(200, f.me.Status)
	default:
		fail(w, api.ErrNotFound)
	}
}

func (f *fakeServer) newTokens() api.Tokens {
	f.n++
	t := api.Tokens{SessionID: "s", AccessToken: "acc-secret-" + string(rune('A'+f.n)), RefreshToken: "ref-secret-" + string(rune('A'+f.n))}
	f.access[t.AccessToken], f.refresh[t.RefreshToken] = true, true
	f.issued = append(f.issued, t.AccessToken, t.RefreshToken)
	return t
}

func (f *fakeServer) write(w http.ResponseWriter, r *http.Request, reply func(int, any)) {
	key := r.Header.Get(api.HeaderIdempotencyKey)
	if b, ok := f.idem[key]; ok && key != "" {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
		return
	}
	if len(f.failNext) > 0 {
		st := f.failNext[0]
		f.failNext = f.failNext[1:]
		fail(w, &api.Error{Status: st, Code: "x", Message: "try later"})
		return
	}
	isProfile := r.URL.Path == "/v1/me/profile"
	version := f.me.Notifications.Version
	if isProfile {
		version = f.me.Profile.Version
	}
	if v, ok := api.ParseETag(r.Header.Get("If-Match")); !ok || v != version {
		fail(w, api.ErrStale)
		return
	}
	var out any
	if isProfile {
		var p api.ProfilePatch
		_ = json.NewDecoder(r.Body).Decode(&p)
		if errs := api.ValidatePatch(p); errs != nil {
			fail(w, api.Invalid(errs))
			return
		}
		if p.DisplayName != nil {
			if why, ok := f.refuse[*p.DisplayName]; ok {
				fail(w, api.Invalid(map[string]*api.Reason{"display_name": why}))
				return
			}
		}
		applyPatch(&f.me.Profile, p)
		f.me.Profile.Version++
		f.patches++
		out = f.me.Profile
	} else {
		var n api.Notifications
		_ = json.NewDecoder(r.Body).Decode(&n)
		n.Version = f.me.Notifications.Version + 1
		f.me.Notifications = n
		out = n
	}
	b, _ := json.Marshal(out)
	if key != "" {
		f.idem[key] = b
	}
	if f.dropAfter {
		f.dropAfter = false
		drop(w)
		return
	}
	reply(200, out)
}

func drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
		}
	}
}

func applyPatch(p *api.Profile, q api.ProfilePatch) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&p.FirstName, q.FirstName)
	set(&p.LastName, q.LastName)
	set(&p.DisplayName, q.DisplayName)
	set(&p.Username, q.Username)
	set(&p.Language, q.Language)
	set(&p.TimeZone, q.TimeZone)
	if q.HideMobile != nil {
		p.HideMobile = *q.HideMobile
	}
	if q.HideFixed != nil {
		p.HideFixed = *q.HideFixed
	}
	if q.ExtraInfo != nil {
		p.ExtraInfo = *q.ExtraInfo
	}
	p.CallsViaMobileVoIP = p.HideMobile && p.HideFixed
}

// photo stores or removes an avatar or cover, as PUT and DELETE do.
func (f *fakeServer) photo(w http.ResponseWriter, r *http.Request, reply func(int, any)) {
	if r.Method == http.MethodPut {
		b, _ := io.ReadAll(r.Body)
		if ct := r.Header.Get("Content-Type"); ct != "image/png" && ct != "image/jpeg" {
			fail(w, &api.Error{Status: 415, Code: api.CodeUnsupportedMedia, Message: "JPEG or PNG only"})
			return
		}
		f.photos[r.URL.Path] = b
	} else {
		delete(f.photos, r.URL.Path)
	}
	f.me.User.HasAvatar = f.photos["/v1/me/avatar"] != nil
	f.me.User.HasCover = f.photos["/v1/me/cover"] != nil
	f.me.User.PhotoVersion++
	reply(200, f.me.User)
}
