package loadtest

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite" // registers "sqlite"
)

// TestVerifyCatchesLostWrites proves the checker has teeth: after a short
// run, rows are changed behind the server's back the way a lost or a
// phantom write would leave them, and Verify must name exactly those.
func TestVerifyCatchesLostWrites(t *testing.T) {
	b := newBackend(t, "sqlite", 8)
	writes := Mix{OpProfileWrite: 1, OpStatusWrite: 1, OpNotificationsWrite: 1, OpAvatarWrite: 1}
	r, err := New(Config{BaseURL: b.proc.URL(), Users: b.users, Mix: writes})
	if err != nil {
		t.Fatal(err)
	}
	// A write cut off when a run ended may still land; tamper only with
	// resources that have none in doubt, each one once. On a busy machine
	// a short run may leave none to pick: run again until there are.
	// rev moves with every real write; bumping it keeps GET /v1/me's cache
	// honest about the change.
	type tampering struct{ user, resource, stmt string }
	plan := func() ([]tampering, bool) {
		used := map[*tracked]bool{}
		pick := func(res func(c *client) *tracked, ok func(t *tracked) bool) string {
			for _, c := range r.clients {
				if t := res(c); !used[t] && !t.inDoubt && ok(t) {
					used[t] = true
					return c.user.Login
				}
			}
			return ""
		}
		any := func(*tracked) bool { return true }
		tamper := []tampering{
			{pick(func(c *client) *tracked { return &c.profile }, any), "profile",
				`UPDATE users SET rev = rev + 1, profile_version = profile_version - 1, display_name = 'rolled back' WHERE username = ?`},
			{pick(func(c *client) *tracked { return &c.profile }, any), "profile",
				`UPDATE users SET rev = rev + 1, profile_version = profile_version + 1, display_name = 'from nowhere' WHERE username = ?`},
			{pick(func(c *client) *tracked { return &c.notif }, any), "notifications",
				`UPDATE users SET rev = rev + 1, notify_missed_calls = NOT notify_missed_calls WHERE username = ?`},
			{pick(func(c *client) *tracked { return &c.photo }, func(t *tracked) bool { return t.value != "none" }), "avatar",
				`UPDATE users SET rev = rev + 1, has_avatar = FALSE WHERE username = ?`},
		}
		for _, tt := range tamper {
			if tt.user == "" {
				return nil, false
			}
		}
		return tamper, true
	}
	var tamper []tampering
	for rounds := 1; ; rounds++ {
		rep := r.Run(context.Background(), 1500*time.Millisecond)
		if len(rep.Violations) > 0 {
			t.Fatalf("run: violations %v", rep.Violations)
		}
		var ok bool
		if tamper, ok = plan(); ok && r.Acked() >= 20 {
			break
		}
		if rounds == 20 {
			t.Fatalf("after %d runs, %d writes acknowledged and no client to tamper with", rounds, r.Acked())
		}
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(b.dataDir, "phoneset.db")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, tt := range tamper {
		if _, err := db.Exec(tt.stmt, tt.user); err != nil {
			t.Fatal(err)
		}
	}
	checked, lost, err := r.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if checked != 4*len(b.users) {
		t.Errorf("checked %d resources, want %d", checked, 4*len(b.users))
	}
	var want []string
	for _, tt := range tamper {
		want = append(want, tt.user+" "+tt.resource)
	}
	var got []string
	for _, l := range lost {
		f := strings.Fields(l)
		got = append(got, f[0]+" "+strings.TrimSuffix(f[1], ":"))
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("lost writes found:\n%s\nwant one for each of %v", strings.Join(lost, "\n"), want)
	}
}

func TestPercentiles(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, n := range v {
			out[i] = time.Duration(n) * time.Millisecond
		}
		return out
	}
	tests := []struct {
		lat           []time.Duration
		p50, p99, max time.Duration
	}{
		{nil, 0, 0, 0},
		{ms(7), 7 * time.Millisecond, 7 * time.Millisecond, 7 * time.Millisecond},
		{ms(4, 1, 3, 2), 2 * time.Millisecond, 4 * time.Millisecond, 4 * time.Millisecond},
	}
	for _, tt := range tests {
		p50, p99, mx := percentiles(tt.lat)
		if p50 != tt.p50 || p99 != tt.p99 || mx != tt.max {
			t.Errorf("percentiles(%v) = %v %v %v, want %v %v %v", tt.lat, p50, p99, mx, tt.p50, tt.p99, tt.max)
		}
	}
	// 1..200 ms: the 99th percentile is the 198th value.
	var lat []time.Duration
	for i := 200; i >= 1; i-- {
		lat = append(lat, time.Duration(i)*time.Millisecond)
	}
	if p50, p99, _ := percentiles(lat); p50 != 100*time.Millisecond || p99 != 198*time.Millisecond {
		t.Errorf("1..200 ms: p50 %v p99 %v", p50, p99)
	}
}
