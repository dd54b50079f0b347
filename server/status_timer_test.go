package server_test

import (
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server"
	"github.com/phoneset/phoneset/server/servertest"
	"github.com/phoneset/phoneset/server/store"
)

func statusOf(t *testing.T, e *env, userID string) *store.User {
	t.Helper()
	u, err := e.srv.Store().Q().UserByID(t.Context(), userID)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// lunchEnv is a server whose timers end when the test says, on a clock the
// test moves, where lunch lasts 30 minutes and then the agent is Offline.
func lunchEnv(t *testing.T) (*env, *clock) {
	c := &clock{now: time.Now()}
	e := newEnvWith(t, server.Config{Now: c.Now, TimerTick: -1})
	wantStatus(t, e.orgWrite(e.admin(), "PATCH", "/v1/org/reason-codes/lunch", 1,
		api.ReasonCodePatch{Minutes: ptr(30), Then: ptr(api.Offline)}), 200)
	return e, c
}

func TestTimedStatus(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e, c := lunchEnv(t)
		agent, id := e.agent1(), e.demo.Agents[0].ID

		put := func(version int64, u api.StatusUpdate) api.Status {
			t.Helper()
			r := e.do(req{method: "PUT", path: "/v1/me/status", token: agent.AccessToken, body: u, header: ifMatch(version)})
			wantStatus(t, r, 200)
			var st api.Status
			r.decode(t, &st)
			return st
		}
		start := c.Now()
		st := put(1, api.StatusUpdate{Availability: api.Unavailable, ReasonCode: "lunch"})
		if st.Until == nil || st.Then != api.Offline || st.Until.Sub(start) < 29*time.Minute || st.Until.Sub(start) > 30*time.Minute {
			t.Fatalf("lunch from %v: %+v", start, st)
		}
		// The same status again (an outbox retry) keeps the timer.
		if again := put(1, api.StatusUpdate{Availability: api.Unavailable, ReasonCode: "lunch"}); !again.Until.Equal(*st.Until) || again.Version != st.Version {
			t.Fatalf("retry moved the timer: %+v", again)
		}

		r := e.do(req{method: "POST", path: "/v1/me/status/extend", token: agent.AccessToken, body: api.StatusExtend{Minutes: 10}, header: ifMatch(st.Version)})
		wantStatus(t, r, 200)
		var ext api.Status
		r.decode(t, &ext)
		if !ext.Until.Equal(st.Until.Add(10*time.Minute)) || ext.Availability != api.Unavailable || !ext.ChangedAt.Equal(st.ChangedAt.Truncate(time.Microsecond)) {
			t.Fatalf("extended %+v from %+v", ext, st)
		}

		// Not due yet: nothing ends.
		c.Add(39 * time.Minute)
		if n, err := e.srv.EndStatusTimers(t.Context()); n != 0 || err != nil {
			t.Fatalf("before the end: ended %d, %v", n, err)
		}
		c.Add(2 * time.Minute)
		if n, err := e.srv.EndStatusTimers(t.Context()); n != 1 || err != nil {
			t.Fatalf("at the end: ended %d, %v", n, err)
		}
		u := statusOf(t, e, id)
		if u.Availability != api.Offline || u.ReasonCode != "" || !u.StatusUntil.IsZero() || u.StatusVersion != ext.Version+1 {
			t.Fatalf("after the timer: %+v", u.Status())
		}
		if n, _ := e.srv.EndStatusTimers(t.Context()); n != 0 {
			t.Fatalf("ended again: %d", n)
		}
		evs := auditEvents(t, e, "user/"+id+"/status")
		if !hasEvent(evs, "status.timer_end", "availability", "unavailable", "offline") || !hasEvent(evs, "status.extend", "until", timeText(*st.Until), timeText(*ext.Until)) ||
			!hasEvent(evs, "status.update", "then", "", "offline") {
			t.Errorf("audit %+v", evs)
		}
	})
}

// TestTimedStatusChosenMinutes: an agent picks a duration other than the
// reason's default (15 minutes of a 30-minute lunch); the timer runs that
// long, ends as the reason says, and the audit log has the timer set.
func TestTimedStatusChosenMinutes(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e, c := lunchEnv(t)
		agent, id := e.agent1(), e.demo.Agents[0].ID
		start := c.Now()
		r := e.do(req{method: "PUT", path: "/v1/me/status", token: agent.AccessToken, header: ifMatch(1),
			body: api.StatusUpdate{Availability: api.Unavailable, ReasonCode: "lunch", Minutes: ptr(15)}})
		wantStatus(t, r, 200)
		var st api.Status
		r.decode(t, &st)
		if want := start.Add(15 * time.Minute).UTC().Truncate(time.Second); st.Until == nil || !st.Until.Equal(want) || st.Then != api.Offline {
			t.Fatalf("15 minutes of lunch from %v: %+v", start, st)
		}
		c.Add(14 * time.Minute)
		if n, err := e.srv.EndStatusTimers(t.Context()); n != 0 || err != nil {
			t.Fatalf("before 15 minutes: ended %d, %v", n, err)
		}
		c.Add(time.Minute)
		if n, err := e.srv.EndStatusTimers(t.Context()); n != 1 || err != nil {
			t.Fatalf("at 15 minutes: ended %d, %v", n, err)
		}
		if u := statusOf(t, e, id); u.Availability != api.Offline {
			t.Fatalf("after the timer: %+v", u.Status())
		}
		evs := auditEvents(t, e, "user/"+id+"/status")
		if !hasEvent(evs, "status.update", "until", "", timeText(*st.Until)) || !hasEvent(evs, "status.timer_end", "availability", "unavailable", "offline") {
			t.Errorf("audit %+v", evs)
		}
	})
}

func timeText(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func TestTimedStatusRefusals(t *testing.T) {
	e := newEnv(t)
	agent := e.agent1()
	put := func(version int64, u api.StatusUpdate) resp {
		return e.do(req{method: "PUT", path: "/v1/me/status", token: agent.AccessToken, body: u, header: ifMatch(version)})
	}
	extend := func(version int64, minutes int) resp {
		return e.do(req{method: "POST", path: "/v1/me/status/extend", token: agent.AccessToken, body: api.StatusExtend{Minutes: minutes}, header: ifMatch(version)})
	}
	// Lunch has no default duration: no timer, nothing to extend.
	var st api.Status
	r := put(1, api.StatusUpdate{Availability: api.Unavailable, ReasonCode: "lunch"})
	wantStatus(t, r, 200)
	r.decode(t, &st)
	if st.Until != nil {
		t.Fatalf("a timer without a duration: %+v", st)
	}
	if ae := wantError(t, extend(st.Version, 5), 422, api.CodeInvalid); ae.Fields[api.FieldMinutes] == nil || ae.Fields[api.FieldMinutes].Code != api.ReasonNoTimer {
		t.Fatalf("extend without a timer: %+v", ae)
	}
	r = put(st.Version, api.StatusUpdate{Availability: api.Unavailable, ReasonCode: "lunch", Minutes: ptr(api.MaxStatusMinutes - 5)})
	wantStatus(t, r, 200)
	r.decode(t, &st)
	if st.Until == nil || st.Then != api.Online {
		t.Fatalf("explicit minutes: %+v", st)
	}
	tests := []struct {
		name    string
		r       resp
		status  int
		field   string
		version int64
	}{
		{"past a working day", extend(st.Version, 10), 422, api.FieldMinutes, 0},
		{"zero", extend(st.Version, 0), 422, api.FieldMinutes, 0},
		{"stale", extend(st.Version-1, 1), 412, "", 0},
		{"minutes while online", put(st.Version, api.StatusUpdate{Availability: api.Online, Minutes: ptr(5)}), 422, api.FieldMinutes, 0},
		{"too many minutes", put(st.Version, api.StatusUpdate{Availability: api.Unavailable, ReasonCode: "lunch", Minutes: ptr(api.MaxStatusMinutes + 1)}), 422, api.FieldMinutes, 0},
		{"negative minutes", put(st.Version, api.StatusUpdate{Availability: api.Unavailable, ReasonCode: "lunch", Minutes: ptr(-15)}), 422, api.FieldMinutes, 0},
	}
	for _, tt := range tests {
		if tt.r.status != tt.status {
			t.Errorf("%s: status %d, want %d: %s", tt.name, tt.r.status, tt.status, tt.r.body)
			continue
		}
		if ae := tt.r.apiErr(t); tt.field != "" && ae.Fields[tt.field] == nil {
			t.Errorf("%s: fields %v", tt.name, ae.Fields)
		}
	}
	// Going Online clears the timer.
	r = put(st.Version, api.StatusUpdate{Availability: api.Online})
	wantStatus(t, r, 200)
	var online api.Status
	r.decode(t, &online)
	if online.Until != nil || online.Then != "" || statusOf(t, e, e.demo.Agents[0].ID).StatusUntil != (time.Time{}) {
		t.Fatalf("online kept a timer: %+v", online)
	}
}

// TestTimersTwoServersOneDatabase: both servers see the due timer; only one
// ends it and audits it.
func TestTimersTwoServersOneDatabase(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		db := "sqlite:" + filepath.Join(t.TempDir(), "shared.db")
		if onPostgres(t) {
			db = servertest.PostgresDB(t)
		}
		c := &clock{now: time.Now()}
		secret := []byte("a shared secret of at least thirty-two bytes")
		a := newEnvWith(t, server.Config{DB: db, Secret: secret, Now: c.Now, TimerTick: -1})
		b := newEnvWith(t, server.Config{DB: db, Secret: secret, Now: c.Now, TimerTick: -1})
		for i, tok := range []api.Tokens{a.agent1(), a.signIn("agent2", server.DemoPassword)} {
			wantStatus(t, a.do(req{method: "PUT", path: "/v1/me/status", token: tok.AccessToken, header: ifMatch(1),
				body: api.StatusUpdate{Availability: api.Unavailable, ReasonCode: "meeting", Minutes: ptr(5 + i)}}), 200)
		}
		c.Add(10 * time.Minute)
		var wg sync.WaitGroup
		var ended [2]int
		for i, e := range []*env{a, b} {
			wg.Go(func() {
				n, err := e.srv.EndStatusTimers(t.Context())
				if err != nil {
					t.Error(err)
				}
				ended[i] = n
			})
		}
		wg.Wait()
		if ended[0]+ended[1] != 2 {
			t.Fatalf("ended %v timers, want 2 in all", ended)
		}
		for _, ag := range a.demo.Agents[:2] {
			evs := auditEvents(t, a, "user/"+ag.ID+"/status")
			n := 0
			for _, ev := range evs {
				if ev.Action == "status.timer_end" && ev.Field == "availability" {
					n++
				}
			}
			if n != 1 || statusOf(t, b, ag.ID).Availability != api.Online {
				t.Errorf("%s: %d timer ends audited, status %+v", ag.Login, n, statusOf(t, b, ag.ID).Status())
			}
		}
	})
}

// TestTimerEndsAfterRestart: a timer that fell due while no server ran is
// ended by the next server's first pass, without anyone calling it.
func TestTimerEndsAfterRestart(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "restart.db")
	secret := []byte("a shared secret of at least thirty-two bytes")
	c := &clock{now: time.Now()}
	a := newEnvWith(t, server.Config{DB: db, Secret: secret, Now: c.Now})
	wantStatus(t, a.do(req{method: "PUT", path: "/v1/me/status", token: a.agent1().AccessToken, header: ifMatch(1),
		body: api.StatusUpdate{Availability: api.Unavailable, ReasonCode: "training", Minutes: ptr(15)}}), 200)
	if err := a.srv.Close(); err != nil {
		t.Fatal(err)
	}
	c.Add(time.Hour)
	b := newEnvWith(t, server.Config{DB: db, Secret: secret, Now: c.Now})
	id := b.demo.Agents[0].ID
	for deadline := time.Now().Add(10 * time.Second); statusOf(t, b, id).Availability != api.Online; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after restart the status stays %+v", statusOf(t, b, id).Status())
		}
	}
}
