package server_test

import (
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server"
	"github.com/phoneset/phoneset/server/servertest"
)

// startTimer sets tok's status Unavailable with reason for one minute and
// waits until s has seen it.
func (e *env) startTimer(t *testing.T, s *sse, tok, userID, reason string) {
	t.Helper()
	var cur api.Status
	e.do(req{method: "GET", path: "/v1/me/status", token: tok}).decode(t, &cur)
	r := e.do(req{method: "PUT", path: "/v1/me/status", token: tok, header: ifMatch(cur.Version),
		body: api.StatusUpdate{Availability: api.Unavailable, ReasonCode: reason, Minutes: ptr(1)}})
	wantStatus(t, r, 200)
	if st := s.waitStatus(t, userID, api.Unavailable); st.Until == nil || st.ReasonCode != reason {
		t.Fatalf("timed %s seen as %+v", reason, st)
	}
}

// timerEnded checks a status event that a timer's end pushed.
func timerEnded(t *testing.T, s *sse, userID string, want api.Availability, moved time.Time) {
	t.Helper()
	st := s.waitStatus(t, userID, want)
	t.Logf("%s seen %v after the clock moved", want, time.Since(moved).Round(time.Millisecond))
	if st.ChangedBy != api.ChangedByTimer || st.ChangedByName != "" || st.ReasonCode != "" || st.Until != nil {
		t.Errorf("timer's end seen as %+v, want changed by %q, no name, no reason, no timer", st, api.ChangedByTimer)
	}
}

// TestEventsTimerEnd: when the server's timer loop ends a timed status,
// a connected client sees the status that follows (per reason code) at
// once, marked as the timer's doing.
func TestEventsTimerEnd(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		c := &clock{now: time.Now()}
		e := newEnvWith(t, server.Config{Now: c.Now, TimerTick: 20 * time.Millisecond})
		adm := e.admin()
		wantStatus(t, e.orgWrite(adm, "PATCH", "/v1/org/reason-codes/lunch", 1, api.ReasonCodePatch{Then: ptr(api.Offline)}), 200)
		agent1 := e.demo.Agents[0]
		tok := e.agent1().AccessToken
		s := e.openStream(t, tok, "", true)
		sup := e.openStream(t, adm.AccessToken, "", true)
		for _, tt := range []struct {
			reason string
			then   api.Availability
		}{
			{"lunch", api.Offline},  // the reason code says Offline
			{"meeting", api.Online}, // no choice: Online
		} {
			e.startTimer(t, s, tok, agent1.ID, tt.reason)
			moved := time.Now()
			c.Add(61 * time.Second)
			timerEnded(t, s, agent1.ID, tt.then, moved)
			timerEnded(t, sup, agent1.ID, tt.then, moved)
		}
	})
}

// TestEventsTimerEndAcrossServers: two servers on one PostgreSQL; server
// A's timer loop ends the status, the agent's app on server B sees it.
func TestEventsTimerEndAcrossServers(t *testing.T) {
	dsn := servertest.PostgresDB(t)
	c := &clock{now: time.Now()}
	a := newEnvWith(t, server.Config{DB: dsn, Now: c.Now, TimerTick: 20 * time.Millisecond})
	b := newEnvWith(t, server.Config{DB: dsn, Now: c.Now, TimerTick: -1}) // ends no timers itself
	agent1 := a.demo.Agents[0]
	tok := b.agent1().AccessToken
	s := b.openStream(t, tok, "", true)
	b.startTimer(t, s, tok, agent1.ID, "meeting")
	moved := time.Now()
	c.Add(61 * time.Second)
	timerEnded(t, s, agent1.ID, api.Online, moved)
}

// TestEventsEndWhenSignedOut: a stream whose session or API key ends ends
// at once, not at the next recheck (an hour away here); the user's other
// streams stay open.
func TestEventsEndWhenSignedOut(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		for _, tt := range []struct {
			name string
			// end ends the stream's credentials, given the stream's own
			// session and another session of the same user.
			end func(e *env, own, other api.Tokens)
			// otherStays: the other session's stream stays open.
			otherStays bool
		}{
			{"sign out", func(e *env, own, _ api.Tokens) {
				wantStatus(e.t, e.do(req{method: "DELETE", path: "/v1/sessions/current", token: own.AccessToken}), 204)
			}, true},
			{"sign out other sessions", func(e *env, _, other api.Tokens) {
				wantStatus(e.t, e.do(req{method: "DELETE", path: "/v1/me/sessions", token: other.AccessToken}), 200)
			}, true},
			{"password change", func(e *env, _, other api.Tokens) {
				wantStatus(e.t, e.do(req{method: "PUT", path: "/v1/me/password", token: other.AccessToken,
					body: api.PasswordChangeRequest{Current: server.DemoPassword, New: "Tangerine-Orbit-42"}}), 204)
			}, true},
			{"deactivation", func(e *env, _, _ api.Tokens) {
				wantStatus(e.t, e.do(req{method: "POST", path: "/v1/org/users/" + e.demo.Agents[0].ID + "/deactivate", token: e.admin().AccessToken}), 200)
			}, false},
			{"organisation disabled", func(e *env, _, _ api.Tokens) {
				if _, err := e.srv.DisableOrganisation(e.t.Context(), e.demo.OrgID); err != nil {
					e.t.Fatal(err)
				}
			}, false},
		} {
			t.Run(tt.name, func(t *testing.T) {
				e := newEnvWith(t, server.Config{LiveRecheck: time.Hour})
				own, other := e.agent1(), e.agent1()
				s := e.openStream(t, own.AccessToken, "", true)
				s.next(t)
				o := e.openStream(t, other.AccessToken, "", true)
				o.next(t)
				tt.end(e, own, other)
				if code := s.ended(t); code != api.CodeUnauthorized {
					t.Errorf("stream ended with %q, want %q", code, api.CodeUnauthorized)
				}
				if !tt.otherStays {
					if code := o.ended(t); code != api.CodeUnauthorized {
						t.Errorf("other session's stream ended with %q, want %q", code, api.CodeUnauthorized)
					}
					return
				}
				e.setStatus(t, other.AccessToken, api.Unavailable, "lunch")
				o.waitStatus(t, e.demo.Agents[0].ID, api.Unavailable)
			})
		}
	})
}

// TestEventsEndAcrossServers: an admin (or an operator) on server A
// deactivates or erases an agent (or disables the organisation) whose app streams
// from server B, by session and by API key; both streams end at once
// (NOTIFY on PostgreSQL; on SQLite the row B's listener reads when the
// file changes), not at B's next recheck, an hour away. On SQLite, A is
// what the operator's command (phoneset-server org disable) is: another
// process with the file open.
func TestEventsEndAcrossServers(t *testing.T) { eachDB(t, testEventsEndAcrossServers) }

func testEventsEndAcrossServers(t *testing.T) {
	for _, tt := range []struct {
		name string
		end  func(t *testing.T, a *env)
	}{
		{"deactivation", func(t *testing.T, a *env) {
			wantStatus(t, a.do(req{method: "POST", path: "/v1/org/users/" + a.demo.Agents[0].ID + "/deactivate", token: a.admin().AccessToken}), 200)
		}},
		{"organisation disabled", func(t *testing.T, a *env) {
			if _, err := a.srv.DisableOrganisation(t.Context(), a.demo.OrgID); err != nil {
				t.Fatal(err)
			}
		}},
		// The notification of an erasure names the organisation only.
		{"erasure", func(t *testing.T, a *env) {
			wantStatus(t, a.do(req{method: "DELETE", path: "/v1/org/users/" + a.demo.Agents[0].ID, token: a.admin().AccessToken,
				body: api.PasswordProof{Password: server.DemoPassword}}), 204)
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			shared := server.Config{DataDir: t.TempDir()}
			if onPostgres(t) {
				shared.DB = servertest.PostgresDB(t)
			}
			a := newEnvWith(t, shared)
			shared.LiveRecheck = time.Hour
			b := newEnvWith(t, shared)
			tok := b.agent1().AccessToken
			var key api.APIKey
			r := b.do(req{method: "POST", path: "/v1/me/api-key/reveal", token: tok, body: api.PasswordProof{Password: server.DemoPassword}})
			wantStatus(t, r, 200)
			r.decode(t, &key)
			s := b.openStream(t, tok, "", true)
			s.next(t)
			ks := b.openStream(t, key.Key, "", true)
			ks.next(t)
			tt.end(t, a)
			for name, st := range map[string]*sse{"session": s, "API key": ks} {
				if code := st.ended(t); code != api.CodeUnauthorized {
					t.Errorf("%s stream on server B ended with %q, want %q", name, code, api.CodeUnauthorized)
				}
			}
		})
	}
}
