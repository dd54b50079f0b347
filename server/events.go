package server

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server/store"
)

// Live status: GET /v1/me/events is a server-sent event stream of the
// status changes the caller may see (their own; a supervisor's agents').
// Every status write calls statusChanged after it commits; it hands the
// change to this process's streams and notifies the other processes on the
// database (store.Notify: NOTIFY on PostgreSQL), which hand it to theirs.
const (
	liveChannel = "phoneset_status"
	// liveSignedOut marks a notification that credentials ended (see
	// signedOut), not that a status changed.
	liveSignedOut = "signed_out"
	// streamBuffer is how many events a stream may have unsent; one that
	// falls further behind is ended with "resync" so it never holds up
	// the others, and its client resumes where it was.
	streamBuffer = 64
	// streamWriteTimeout bounds each write to a stream's connection.
	streamWriteTimeout = 10 * time.Second
	// streamPing keeps proxies from closing an idle stream and finds dead
	// connections.
	streamPing = 25 * time.Second
	// resumeSlack is how far before a Last-Event-ID changes are sent again
	// on resume: writes commit a moment after they take their time, and
	// servers' clocks differ a little. Clients ignore versions they have.
	resumeSlack = 5 * time.Second

	// streamSendBuffer caps the kernel's send buffer of a stream's
	// connection (autotuning would grow it to megabytes), so a reader that
	// stops reading is noticed after some kilobytes.
	streamSendBuffer = 32 << 10

	defaultStreamsPerUser = 5
	defaultStreamsPerOrg  = 20000
	defaultLiveRecheck    = 15 * time.Second
)

// hub is this process's open streams.
type hub struct {
	id      string // this process, to skip its own notifications
	perUser int
	perOrg  int
	mu      sync.Mutex
	orgs    map[string]map[*stream]struct{}
	users   map[string]int
	closing bool
}

// stream is one open GET /v1/me/events.
type stream struct {
	userID, orgID string
	frames        chan []byte
	end           chan string   // the end code; buffered, first one wins
	recheck       chan struct{} // check the credentials now; buffered
	mu            sync.Mutex
	agents        map[string]bool // whom a supervisor sees
}

func newHub(perUser, perOrg int) *hub {
	if perUser <= 0 {
		perUser = defaultStreamsPerUser
	}
	if perOrg <= 0 {
		perOrg = defaultStreamsPerOrg
	}
	return &hub{id: newID("srv"), perUser: perUser, perOrg: perOrg,
		orgs: map[string]map[*stream]struct{}{}, users: map[string]int{}}
}

var errTooManyStreams = func() *api.Error {
	e := *api.ErrRateLimited
	e.Message = "too many open event streams for this account or organisation"
	e.RetryAfter = 30 * time.Second
	return &e
}()

// add registers a stream, refusing one over the caps.
func (h *hub) add(st *stream) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing {
		return &api.Error{Status: http.StatusServiceUnavailable, Code: api.CodeUnavailable, Message: "the server is shutting down"}
	}
	if h.users[st.userID] >= h.perUser || len(h.orgs[st.orgID]) >= h.perOrg {
		return errTooManyStreams
	}
	if h.orgs[st.orgID] == nil {
		h.orgs[st.orgID] = map[*stream]struct{}{}
	}
	h.orgs[st.orgID][st] = struct{}{}
	h.users[st.userID]++
	return nil
}

func (h *hub) remove(st *stream) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.orgs[st.orgID], st)
	if len(h.orgs[st.orgID]) == 0 {
		delete(h.orgs, st.orgID)
	}
	if h.users[st.userID]--; h.users[st.userID] <= 0 {
		delete(h.users, st.userID)
	}
}

// count is how many streams are open.
func (h *hub) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, ss := range h.orgs {
		n += len(ss)
	}
	return n
}

// publish hands a status change to every stream that may see it, never
// waiting for one.
func (h *hub) publish(u *store.User) {
	frame := statusFrame(u.ID, u.Status())
	h.mu.Lock()
	defer h.mu.Unlock()
	for st := range h.orgs[u.OrgID] {
		if !st.sees(u.ID) {
			continue
		}
		select {
		case st.frames <- frame:
		default:
			st.stop(api.CodeResync)
		}
	}
}

// endAll ends every stream with code; closing also refuses new ones.
func (h *hub) endAll(code string, closing bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closing = h.closing || closing
	for _, ss := range h.orgs {
		for st := range ss {
			st.stop(code)
		}
	}
}

// recheck makes the streams of userID in orgID, or of all orgID when
// userID is "", check their credentials now, never waiting for one.
func (h *hub) recheck(orgID, userID string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for st := range h.orgs[orgID] {
		if userID != "" && st.userID != userID {
			continue
		}
		select {
		case st.recheck <- struct{}{}:
		default: // one is pending already
		}
	}
}

func (st *stream) sees(userID string) bool {
	if userID == st.userID {
		return true
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.agents[userID]
}

// stop asks the stream to end with code; the first code wins.
func (st *stream) stop(code string) {
	select {
	case st.end <- code:
	default:
	}
}

// statusFrame is one "status" event. Its id, the change's time in
// microseconds, is where a client resumes.
func statusFrame(userID string, s api.Status) []byte {
	data, _ := json.Marshal(api.StatusEvent{UserID: userID, Status: s}) // plain strings and times always marshal
	return []byte("id: " + strconv.FormatInt(store.Micros(s.ChangedAt), 10) + "\nevent: " + api.EventStatus + "\ndata: " + string(data) + "\n\n")
}

func endFrame(code string) []byte {
	data, _ := json.Marshal(api.EventEndBody{Code: code})
	return []byte("event: " + api.EventEnd + "\ndata: " + string(data) + "\n\n")
}

// statusChanged tells every stream that may see u, in this process and
// in the others on the database, that u's status changed. Call it after
// the status write commits.
func (s *Server) statusChanged(u *store.User) {
	s.live.publish(u)
	s.notifyLive(u.ID)
}

// signedOut ends the streams of userID's ended sessions and revoked API
// key (userID "": of everyone in orgID) at once, in this process and in
// the others on the database (an operator's command is one), rather than
// at their next recheck: each of
// those streams checks its credentials now. Call it after the write that
// ended them commits.
func (s *Server) signedOut(orgID, userID string) {
	s.live.recheck(orgID, userID)
	s.notifyLive(orgID + " " + liveSignedOut + " " + userID)
}

// erased is signedOut for a user just erased: their streams here end at
// once, and the other processes' streams of orgID check their credentials,
// since a notification may not name someone erased (on SQLite it is a row
// that would outlive the erasure).
func (s *Server) erased(orgID, userID string) {
	s.live.recheck(orgID, userID)
	s.notifyLive(orgID + " " + liveSignedOut + " ")
}

// notifyLive tells the other server processes about a change: "userID"
// of a status, "orgID signed_out [userID]" of credentials.
func (s *Server) notifyLive(what string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.st.Q().Notify(ctx, liveChannel, s.live.id+" "+what); err != nil {
		s.log.Warn("live notify failed", "change", what, "err", err)
	}
}

// listenLive hands changes other processes NOTIFY to this one's streams,
// until Close, closing listening once it hears them.
func (s *Server) listenLive(listening chan struct{}) {
	defer s.bg.Done()
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-s.stop
		cancel()
	}()
	var once sync.Once
	s.st.Listen(ctx, liveChannel, func(payload string) {
		if payload == "" {
			// Changes may have been missed: clients resume and catch up.
			s.live.endAll(api.CodeResync, false)
			once.Do(func() { close(listening) })
			return
		}
		from, what, _ := strings.Cut(payload, " ")
		if from == s.live.id {
			return
		}
		if orgID, userID, ok := strings.Cut(what, " "+liveSignedOut); ok {
			s.live.recheck(orgID, strings.TrimSpace(userID))
			return
		}
		userID := what
		rctx, rcancel := context.WithTimeout(ctx, 5*time.Second)
		defer rcancel()
		u, err := s.st.Q().UserByID(rctx, userID)
		if err != nil {
			if !errors.Is(err, store.ErrNotFound) {
				s.log.Warn("status notification: load user failed", "user", userID, "err", err)
			}
			return
		}
		s.live.publish(u)
	})
	cancel()
}

// agentSet is whom a supervisor sees now; nil for anyone else.
func (s *Server) agentSet(ctx context.Context, userID string) (map[string]bool, []*store.User, error) {
	sup, err := s.st.Q().IsSupervisor(ctx, userID)
	if err != nil || !sup {
		return nil, nil, err
	}
	agents, err := s.st.Q().Agents(ctx, userID)
	if err != nil {
		return nil, nil, err
	}
	set := make(map[string]bool, len(agents))
	for _, a := range agents {
		set[a.ID] = true
	}
	return set, agents, nil
}

// events is GET /v1/me/events.
func (s *Server) events(w http.ResponseWriter, r *http.Request, p *principal) error {
	ctx := r.Context()
	since, resume := time.Time{}, false
	if v := r.Header.Get("Last-Event-ID"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return badRequest("Last-Event-ID is not one of this stream's ids", nil)
		}
		since, resume = store.FromMicros(n).Add(-resumeSlack), true
	}
	me, err := s.st.Q().UserByID(ctx, p.UserID)
	if err != nil {
		return err
	}
	set, agents, err := s.agentSet(ctx, p.UserID)
	if err != nil {
		return err
	}
	st := &stream{userID: p.UserID, orgID: p.OrgID, frames: make(chan []byte, streamBuffer), end: make(chan string, 1),
		recheck: make(chan struct{}, 1), agents: set}
	if err := s.live.add(st); err != nil {
		return err
	}
	defer s.live.remove(st)

	if c, ok := r.Context().Value(connKey{}).(net.Conn); ok {
		if nc, ok := c.(interface{ NetConn() net.Conn }); ok { // TLS
			c = nc.NetConn()
		}
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetWriteBuffer(streamSendBuffer)
		}
	}
	rc := http.NewResponseController(w)
	// The server's read timeout would cancel a long stream's context.
	rc.SetReadDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)

	// What the client missed: on a fresh stream its own status, on resume
	// every change it may see since its last event. A change that also
	// arrives through the hub is sent twice; clients keep the newer
	// version.
	backlog := []*store.User{me}
	if resume {
		backlog = append(backlog, agents...)
	}
	slices.SortFunc(backlog, func(a, b *store.User) int { return a.StatusChangedAt.Compare(b.StatusChangedAt) })
	var out []byte
	for _, u := range backlog {
		if !resume || u.StatusChangedAt.After(since) {
			out = append(out, statusFrame(u.ID, u.Status())...)
		}
	}
	out = append(out, ": open\n\n"...) // headers reach the client even with no backlog
	if err := writeFrame(rc, w, out); err != nil {
		return nil
	}

	ping := time.NewTicker(streamPing)
	defer ping.Stop()
	recheck := time.NewTicker(s.liveRecheck)
	defer recheck.Stop()
	// An access token's stream ends with the token (the client refreshes
	// and resumes); an API key has no expiry.
	var expired <-chan time.Time
	if !p.apiKey {
		expiry := time.NewTimer(p.AccessExpiresAt.Sub(s.now()))
		defer expiry.Stop()
		expired = expiry.C
	}
	// still checks the stream's credentials (a session that ended, a key
	// revoked) and refreshes whom it sees (scopes and roles change).
	still := func() bool {
		if _, err := s.resolve(r); err != nil {
			writeFrame(rc, w, endFrame(api.CodeUnauthorized))
			return false
		}
		set, _, err := s.agentSet(ctx, p.UserID)
		if err != nil {
			return false
		}
		st.mu.Lock()
		st.agents = set
		st.mu.Unlock()
		return true
	}
	for {
		var frame []byte
		select {
		case <-ctx.Done():
			return nil
		case code := <-st.end:
			writeFrame(rc, w, endFrame(code))
			return nil
		case <-expired:
			writeFrame(rc, w, endFrame(api.CodeUnauthorized))
			return nil
		case <-recheck.C:
			if !still() {
				return nil
			}
			continue
		case <-st.recheck:
			if !still() {
				return nil
			}
			continue
		case <-ping.C:
			frame = []byte(": ping\n\n")
		case frame = <-st.frames:
		}
		if err := writeFrame(rc, w, frame); err != nil {
			return nil
		}
	}
}

// connKey is the context key of a request's connection.
type connKey struct{}

// withConn is http.Server.ConnContext: streams tune their connection.
func withConn(ctx context.Context, c net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, c)
}

// writeFrame writes and flushes within streamWriteTimeout, so a reader that
// stopped reading costs a goroutine for that long at most.
func writeFrame(rc *http.ResponseController, w http.ResponseWriter, b []byte) error {
	rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
	if _, err := w.Write(b); err != nil {
		return err
	}
	return rc.Flush()
}
