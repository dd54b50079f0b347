package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server"
	"github.com/phoneset/phoneset/server/servertest"
)

// sseEvent is one server-sent event.
type sseEvent struct{ id, name, data string }

// sse is an open GET /v1/me/events, read on a goroutine of its own.
type sse struct {
	status int
	body   []byte // the error body when the stream was refused
	events chan sseEvent
	cancel context.CancelFunc
	lastID string
}

// streamClient holds each stream on a connection of its own.
var streamClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

// peekStream opens an event stream and answers its status with, for a
// stream, the first event as the body; then it hangs up.
func (e *env) peekStream(tok, path string) resp {
	e.t.Helper()
	hr, err := http.NewRequest("GET", e.base+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	if tok != "" {
		hr.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := streamClient.Do(hr)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	var body []byte
	br := bufio.NewReader(res.Body)
	for {
		line, err := br.ReadBytes('\n')
		body = append(body, line...)
		if err != nil || (res.StatusCode == http.StatusOK && len(line) == 1) {
			break
		}
	}
	return resp{status: res.StatusCode, header: res.Header, body: body}
}

// stallClient reads through a small receive buffer, so a stream it does
// not read fills up soon.
var stallClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true,
	DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetReadBuffer(4 << 10)
		}
		return c, err
	}}}

// openStream opens the event stream as tok, resuming after lastID when
// set. read false leaves the body unread: a reader that stalls.
func (e *env) openStream(t testing.TB, tok, lastID string, read bool) *sse {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	hr, err := http.NewRequestWithContext(ctx, "GET", e.base+"/v1/me/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	hr.Header.Set("Authorization", "Bearer "+tok)
	hr.Header.Set("Accept", "text/event-stream")
	if lastID != "" {
		hr.Header.Set("Last-Event-ID", lastID)
	}
	c := streamClient
	if !read {
		c = stallClient
	}
	res, err := c.Do(hr)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	s := &sse{status: res.StatusCode, events: make(chan sseEvent, 1024), cancel: cancel}
	t.Cleanup(s.close)
	if res.StatusCode != http.StatusOK {
		var b strings.Builder
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			b.WriteString(sc.Text())
		}
		res.Body.Close()
		s.body = []byte(b.String())
		close(s.events)
		return s
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("Content-Type = %q", ct)
	}
	if !read {
		return s
	}
	go func() {
		defer close(s.events)
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.name != "" {
					s.events <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "id: "):
				ev.id = line[4:]
			case strings.HasPrefix(line, "event: "):
				ev.name = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.data = line[6:]
			}
		}
	}()
	return s
}

func (s *sse) close() { s.cancel() }

// next waits for the next event; ok is false when the stream ended.
func (s *sse) next(t testing.TB) (sseEvent, bool) {
	t.Helper()
	select {
	case ev, ok := <-s.events:
		if ok && ev.id != "" {
			s.lastID = ev.id
		}
		return ev, ok
	case <-time.After(20 * time.Second):
		t.Fatal("no event within 20 s")
	}
	return sseEvent{}, false
}

// status waits for a status event of userID whose availability is want,
// skipping others.
func (s *sse) waitStatus(t testing.TB, userID string, want api.Availability) api.Status {
	t.Helper()
	for {
		ev, ok := s.next(t)
		if !ok {
			t.Fatalf("stream ended waiting for %s to be %s", userID, want)
		}
		if ev.name != api.EventStatus {
			continue
		}
		var se api.StatusEvent
		if err := json.Unmarshal([]byte(ev.data), &se); err != nil {
			t.Fatalf("status event %q: %v", ev.data, err)
		}
		if se.UserID == userID && se.Status.Availability == want {
			return se.Status
		}
	}
}

// ended waits for the stream's end event and its close, returning the code.
func (s *sse) ended(t testing.TB) string {
	t.Helper()
	code := ""
	for {
		ev, ok := s.next(t)
		if !ok {
			return code
		}
		if ev.name == api.EventEnd {
			var b api.EventEndBody
			json.Unmarshal([]byte(ev.data), &b)
			code = b.Code
		}
	}
}

// setStatus changes tok's own status.
func (e *env) setStatus(t testing.TB, tok string, a api.Availability, reason string) api.Status {
	t.Helper()
	var cur api.Status
	e.do(req{method: "GET", path: "/v1/me/status", token: tok}).decode(t, &cur)
	r := e.do(req{method: "PUT", path: "/v1/me/status", token: tok, header: ifMatch(cur.Version),
		body: api.StatusUpdate{Availability: a, ReasonCode: reason}})
	wantStatus(t, r, 200)
	var st api.Status
	r.decode(t, &st)
	return st
}

// superviseStatus sets an agent's status as the supervisor tok.
func (e *env) superviseStatus(t testing.TB, tok, agentID string, a api.Availability, reason string) resp {
	t.Helper()
	var agents []api.AgentStatus
	e.do(req{method: "GET", path: "/v1/supervisor/agents", token: tok}).decode(t, &agents)
	version := int64(1)
	for _, ag := range agents {
		if ag.ID == agentID {
			version = ag.Status.Version
		}
	}
	return e.do(req{method: "PUT", path: "/v1/supervisor/agents/" + agentID + "/status", token: tok, header: ifMatch(version),
		body: api.StatusUpdate{Availability: a, ReasonCode: reason}})
}

func TestEventsSeeOwnAndAgentsOnly(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		agent1, agent2 := e.demo.Agents[0], e.demo.Agents[1]
		a1 := e.openStream(t, e.agent1().AccessToken, "", true)
		wantStatus(t, resp{status: a1.status, body: a1.body}, 200)
		// A fresh stream starts with the caller's own status.
		if ev, _ := a1.next(t); ev.name != api.EventStatus || !strings.Contains(ev.data, agent1.ID) {
			t.Fatalf("first event %+v, want agent1's status", ev)
		}
		a2 := e.openStream(t, e.signIn("agent2", server.DemoPassword).AccessToken, "", true)
		sup := e.openStream(t, e.admin().AccessToken, "", true)
		other := e.openStream(t, e.signIn(newOtherOrg(t, e), server.DemoPassword).AccessToken, "", true)

		// Another device of agent1 changes its status.
		e.setStatus(t, e.agent1().AccessToken, api.Unavailable, "lunch")
		got := a1.waitStatus(t, agent1.ID, api.Unavailable)
		if got.ReasonCode != "lunch" || got.ChangedByName != "Bo Agent" {
			t.Errorf("agent1 saw %+v", got)
		}
		sup.waitStatus(t, agent1.ID, api.Unavailable)

		// The supervisor sets it back: agent1 sees who did it.
		wantStatus(t, e.superviseStatus(t, e.admin().AccessToken, agent1.ID, api.Online, ""), 200)
		got = a1.waitStatus(t, agent1.ID, api.Online)
		if got.ChangedByName != "Ada Admin" || got.ChangedBy != e.demo.Admins[0].ID {
			t.Errorf("agent1 saw %+v, want changed by Ada Admin", got)
		}
		sup.waitStatus(t, agent1.ID, api.Online)

		// agent2 changes too; then a marker change of each stream's own
		// user: everything before it has been delivered.
		e.setStatus(t, e.signIn("agent2", server.DemoPassword).AccessToken, api.Online, "")
		a2.waitStatus(t, agent2.ID, api.Online)
		sup.waitStatus(t, agent2.ID, api.Online)
		e.setStatus(t, e.agent1().AccessToken, api.Offline, "")
		a1.waitStatus(t, agent1.ID, api.Offline)

		for name, s := range map[string]*sse{"agent1": a1, "agent2": a2, "other org admin": other} {
			s.close()
			for {
				ev, ok := <-s.events
				if !ok {
					break
				}
				if ev.name != api.EventStatus {
					continue
				}
				var se api.StatusEvent
				json.Unmarshal([]byte(ev.data), &se)
				own := map[string]string{"agent1": agent1.ID, "agent2": agent2.ID, "other org admin": "usr_other_admin"}[name]
				if se.UserID != own {
					t.Errorf("%s saw the status of %s: %s", name, se.UserID, ev.data)
				}
			}
		}
	})
}

// TestEventsResume: a client that reconnects with Last-Event-ID gets what
// changed while it was away.
func TestEventsResume(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		agent1 := e.demo.Agents[0]
		tok := e.agent1().AccessToken
		s := e.openStream(t, tok, "", true)
		s.next(t)
		last := s.lastID
		s.close()
		time.Sleep(10 * time.Millisecond)
		e.setStatus(t, tok, api.Unavailable, "meeting")
		e.setStatus(t, tok, api.Unavailable, "training")

		r := e.openStream(t, tok, last, true)
		got := r.waitStatus(t, agent1.ID, api.Unavailable)
		if got.ReasonCode != "training" {
			t.Errorf("resumed with %+v, want the latest change (training)", got)
		}
		// The supervisor resumes with its agents' changes too.
		stok := e.admin().AccessToken
		sr := e.openStream(t, stok, last, true)
		sr.waitStatus(t, agent1.ID, api.Unavailable)

		bad := e.openStream(t, tok, "not-a-number", true)
		wantError(t, resp{status: bad.status, body: bad.body}, 400, api.CodeInvalid)
	})
}

// TestEventsAuth: the stream takes the same credentials as every route,
// and a session that ends ends its stream.
func TestEventsAuth(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnvWith(t, server.Config{LiveRecheck: 50 * time.Millisecond})
		for _, tok := range []string{"", "psa_not-a-token", strings.Repeat("x", 200)} {
			s := e.openStream(t, tok, "", true)
			wantError(t, resp{status: s.status, body: s.body}, 401, api.CodeUnauthorized)
		}
		tokens := e.agent1()
		// An API key's stream has no token expiry to end it.
		var key api.APIKey
		r := e.do(req{method: "POST", path: "/v1/me/api-key/reveal", token: tokens.AccessToken, body: api.PasswordProof{Password: server.DemoPassword}})
		wantStatus(t, r, 200)
		r.decode(t, &key)
		ks := e.openStream(t, key.Key, "", true)
		ks.next(t)
		e.setStatus(t, tokens.AccessToken, api.Online, "")
		ks.waitStatus(t, e.demo.Agents[0].ID, api.Online)
		ks.close()

		s := e.openStream(t, tokens.AccessToken, "", true)
		s.next(t)
		wantStatus(t, e.do(req{method: "DELETE", path: "/v1/sessions/current", token: tokens.AccessToken}), 204)
		if code := s.ended(t); code != api.CodeUnauthorized {
			t.Errorf("revoked session's stream ended with %q, want %q", code, api.CodeUnauthorized)
		}
	})
}

// TestEventsCaps: ten streams of one user get the cap's worth; the rest
// are refused with 429 and nobody else is affected.
func TestEventsCaps(t *testing.T) {
	e := newEnvWith(t, server.Config{LiveStreamsPerUser: 5, LiveStreamsPerOrg: 8})
	tok := e.agent1().AccessToken
	ok, refused := 0, 0
	for range 10 {
		s := e.openStream(t, tok, "", true)
		switch s.status {
		case 200:
			ok++
		case 429:
			refused++
			wantError(t, resp{status: s.status, body: s.body}, 429, api.CodeRateLimited)
		default:
			t.Fatalf("stream %d %s", s.status, s.body)
		}
	}
	if ok != 5 || refused != 5 {
		t.Errorf("ten streams of one user: %d open, %d refused; want 5 and 5", ok, refused)
	}
	// Another user of the org still gets streams, up to the org's cap.
	a2 := e.signIn("agent2", server.DemoPassword).AccessToken
	for i := range 4 {
		s := e.openStream(t, a2, "", true)
		want := map[bool]int{true: 200, false: 429}[i < 3]
		if s.status != want {
			t.Errorf("agent2's stream %d: %d, want %d (org cap 8)", i+1, s.status, want)
		}
	}
}

// waitFor polls cond until it holds or 20 s pass.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: still not so after 20 s", what)
		}
	}
}

// TestEventsNoLeak: streams that disconnect leave no goroutine or hub
// entry behind.
func TestEventsNoLeak(t *testing.T) {
	e := newEnvWith(t, server.Config{LiveStreamsPerUser: 100})
	tok := e.agent1().AccessToken
	streamClient.CloseIdleConnections()
	waitFor(t, "settle", func() bool { return server.LiveStreams(e.srv) == 0 })
	before := runtime.NumGoroutine()
	var ss []*sse
	for range 50 {
		s := e.openStream(t, tok, "", true)
		s.next(t)
		ss = append(ss, s)
	}
	if n := server.LiveStreams(e.srv); n != 50 {
		t.Fatalf("%d streams open, want 50", n)
	}
	for _, s := range ss {
		s.close()
	}
	waitFor(t, "streams gone from the hub", func() bool { return server.LiveStreams(e.srv) == 0 })
	// Client and server goroutines of the streams (readers, connections,
	// handlers) all end; a few of the runtime's may come and go.
	waitFor(t, "goroutines back", func() bool { return runtime.NumGoroutine() <= before+5 })
}

// TestEventsSlowReader: a stream whose client stopped reading is cut off
// and never holds up the others.
func TestEventsSlowReader(t *testing.T) {
	e := newEnv(t)
	agent1 := e.demo.Agents[0]
	tok := e.agent1().AccessToken
	slow := e.openStream(t, tok, "", false)
	if slow.status != 200 {
		t.Fatalf("slow stream: %d", slow.status)
	}
	fast := e.openStream(t, e.admin().AccessToken, "", true)
	fast.next(t)
	waitFor(t, "two streams", func() bool { return server.LiveStreams(e.srv) == 2 })
	// Far more changes than the slow stream's buffer and socket hold; the
	// fast reader sees every one.
	reasons := []string{"lunch", "meeting"}
	for i := range 600 {
		e.setStatus(t, tok, api.Unavailable, reasons[i%2])
		if i%2 == 1 {
			fast.waitStatus(t, agent1.ID, api.Unavailable)
		}
	}
	waitFor(t, "the slow stream cut off", func() bool { return server.LiveStreams(e.srv) == 1 })
	e.setStatus(t, tok, api.Online, "")
	fast.waitStatus(t, agent1.ID, api.Online)
}

// TestEventsShutdown: closing the server ends its streams at once (with
// resync, so clients resume elsewhere) instead of waiting out the drain.
func TestEventsShutdown(t *testing.T) {
	srv, base, _ := servertest.New(t)
	e := &env{t: t, srv: srv, base: base}
	s := e.openStream(t, e.agent1().AccessToken, "", true)
	s.next(t)
	srv.Close()
	// Without the end event the stream would have been cut by the drain.
	if code := s.ended(t); code != api.CodeResync {
		t.Errorf("stream ended with %q, want %q", code, api.CodeResync)
	}
}

// TestEventsAcrossServers: two servers on one PostgreSQL database; a
// change made through one reaches the streams of the other (LISTEN/NOTIFY).
func TestEventsAcrossServers(t *testing.T) {
	dsn := servertest.PostgresDB(t)
	a := newEnvWith(t, server.Config{DB: dsn})
	b := newEnvWith(t, server.Config{DB: dsn})
	agent1 := a.demo.Agents[0]
	sb := b.openStream(t, b.agent1().AccessToken, "", true)
	sb.next(t)
	supB := b.openStream(t, b.admin().AccessToken, "", true)

	a.setStatus(t, a.agent1().AccessToken, api.Unavailable, "lunch")
	sb.waitStatus(t, agent1.ID, api.Unavailable)
	supB.waitStatus(t, agent1.ID, api.Unavailable)
	// A supervisor on server A; the agent's app on server B.
	wantStatus(t, a.superviseStatus(t, a.admin().AccessToken, agent1.ID, api.Online, ""), 200)
	if got := sb.waitStatus(t, agent1.ID, api.Online); got.ChangedByName != "Ada Admin" {
		t.Errorf("server B's stream saw %+v", got)
	}
}

// TestEventsEndWithTheAccessToken: a stream ends when its access token
// expires, so the client refreshes and resumes with a valid one.
func TestEventsEndWithTheAccessToken(t *testing.T) {
	e, c := newClockEnv(t)
	tok := e.agent1().AccessToken
	c.Add(15*time.Minute - 200*time.Millisecond)
	s := e.openStream(t, tok, "", true)
	s.next(t)
	if code := s.ended(t); code != api.CodeUnauthorized {
		t.Errorf("stream ended with %q, want %q", code, api.CodeUnauthorized)
	}
}
