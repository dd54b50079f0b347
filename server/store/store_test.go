package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/internal/testenv"
	"github.com/phoneset/phoneset/server/servertest"
	"github.com/phoneset/phoneset/server/store"
)

// eachDB runs fn on a fresh SQLite file and a fresh PostgreSQL database.
func eachDB(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, "sqlite:"+filepath.Join(t.TempDir(), "t.db")) })
	t.Run("postgres", func(t *testing.T) {
		testenv.Require(t, servertest.PostgresEnv, "PostgreSQL")
		fn(t, servertest.PostgresDB(t))
	})
}

var t0 = time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)

// fixture opens dsn and adds an org with two users.
func fixture(t *testing.T, dsn string) (*store.Store, *store.User, *store.User) {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, dsn, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	q := s.Q()
	if err := q.CreateOrg(ctx, &store.Org{ID: "o1", DisplayName: "Org", TimeZone: "UTC", Language: "en", CycleDay: 1, CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	mk := func(id, username, email string) *store.User {
		u := &store.User{ID: id, OrgID: "o1", Username: username, Email: email, PasswordHash: "h", PasswordChangedAt: t0,
			DisplayName: username, Language: "en", TimeZone: "UTC", Availability: api.Offline, CreatedAt: t0,
			AdminInfo: []api.InfoField{{Label: "Dept", Value: "Ops"}}}
		if err := q.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		u, err := q.UserByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	return s, mk("u1", "Alice", "alice@example.com"), mk("u2", "bob", "bob@example.com")
}

func TestMigrationsReapply(t *testing.T) {
	eachDB(t, func(t *testing.T, dsn string) {
		fixture(t, dsn)
		s, err := store.Open(context.Background(), dsn, t.TempDir(), nil)
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		defer s.Close()
		if n, err := s.Q().CountUsers(context.Background()); err != nil || n != 2 {
			t.Fatalf("users after reopen: %d %v", n, err)
		}
	})
}

func TestUsers(t *testing.T) {
	eachDB(t, func(t *testing.T, dsn string) {
		s, alice, bob := fixture(t, dsn)
		ctx := context.Background()
		q := s.Q()
		for _, login := range []string{"ALICE", "alice@EXAMPLE.com", " alice "} {
			if u, err := q.UserByLogin(ctx, login); err != nil || u.ID != alice.ID {
				t.Errorf("UserByLogin(%q) = %v, %v", login, u, err)
			}
		}
		if _, err := q.UserByLogin(ctx, "carol"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("missing user: %v", err)
		}
		dup := *bob
		dup.ID, dup.Username = "u3", "BOB"
		dup.Email = "other@example.com"
		if err := q.CreateUser(ctx, &dup); !errors.Is(err, store.ErrConflict) {
			t.Errorf("duplicate username in other case: %v", err)
		}
		if alice.AdminInfo[0].Value != "Ops" || alice.ExtraInfo == nil || alice.ProfileVersion != 1 {
			t.Errorf("alice = %+v", alice)
		}

		// Versioned saves: a stale version changes nothing.
		alice.DisplayName = "Alice A."
		if err := q.SaveProfile(ctx, alice, 1); err != nil || alice.ProfileVersion != 2 {
			t.Fatalf("save: %v v%d", err, alice.ProfileVersion)
		}
		alice.DisplayName = "stale"
		if err := q.SaveProfile(ctx, alice, 1); !errors.Is(err, store.ErrStale) {
			t.Fatalf("stale save: %v", err)
		}
		got, _ := q.UserByID(ctx, alice.ID)
		if got.DisplayName != "Alice A." || got.Rev <= 1 {
			t.Fatalf("after stale save: %+v", got)
		}
		// Taking bob's username is a conflict.
		got.Username = "Bob"
		if err := q.SaveProfile(ctx, got, got.ProfileVersion); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("username clash: %v", err)
		}
	})
}

// TestConcurrentVersionedWrites: of many writers at one version, exactly
// one wins, in either database.
func TestConcurrentVersionedWrites(t *testing.T) {
	eachDB(t, func(t *testing.T, dsn string) {
		s, alice, _ := fixture(t, dsn)
		ctx := context.Background()
		var wg sync.WaitGroup
		results := make(chan error, 8)
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results <- s.Tx(ctx, func(q store.Q) error {
					u, err := q.UserByID(ctx, alice.ID)
					if err != nil {
						return err
					}
					if u.StatusVersion != 1 {
						return store.ErrStale
					}
					u.Availability = api.Online
					u.ReasonCode = string(rune('a' + i))
					return q.SaveStatus(ctx, u, 1)
				})
			}()
		}
		wg.Wait()
		close(results)
		won := 0
		for err := range results {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, store.ErrStale):
				t.Errorf("unexpected: %v", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d writers won, want 1", won)
		}
		if u, _ := s.Q().UserByID(ctx, alice.ID); u.StatusVersion != 2 {
			t.Fatalf("status version %d", u.StatusVersion)
		}
	})
}

func TestRateCountersAreAtomic(t *testing.T) {
	eachDB(t, func(t *testing.T, dsn string) {
		s, _, _ := fixture(t, dsn)
		ctx := context.Background()
		var mu sync.Mutex
		var seen []int64
		var wg sync.WaitGroup
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := s.Q().Hit(ctx, "b", t0)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				seen = append(seen, n)
				mu.Unlock()
			}()
		}
		wg.Wait()
		slices.Sort(seen)
		for i, n := range seen {
			if n != int64(i+1) {
				t.Fatalf("counts %v: not 1..20", seen)
			}
		}
		if n, _ := s.Q().Hits(ctx, "b", t0.Add(time.Minute)); n != 0 {
			t.Errorf("another window has %d", n)
		}
		if err := s.Q().ClearHits(ctx, "b"); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.Q().Hits(ctx, "b", t0); n != 0 {
			t.Errorf("after clear: %d", n)
		}
	})
}

func TestSessions(t *testing.T) {
	eachDB(t, func(t *testing.T, dsn string) {
		s, alice, bob := fixture(t, dsn)
		ctx := context.Background()
		q := s.Q()
		mk := func(id, user string) *store.Session {
			ss := &store.Session{ID: id, UserID: user, Device: "d", IP: "127.0.0.1", CreatedAt: t0, LastSeenAt: t0,
				ExpiresAt: t0.Add(time.Hour), AccessExpiresAt: t0.Add(time.Minute)}
			if err := q.CreateSession(ctx, ss, "a-"+id, "r-"+id); err != nil {
				t.Fatal(err)
			}
			return ss
		}
		s1, _, _ := mk("s1", alice.ID), mk("s2", alice.ID), mk("s3", bob.ID)
		a, err := q.AuthByAccess(ctx, "a-s1")
		if err != nil || a.UserID != alice.ID || a.OrgID != "o1" || a.SessionID != "s1" {
			t.Fatalf("auth %+v %v", a, err)
		}
		// Two refreshes racing with the same token: one wins.
		s1.LastSeenAt = t0.Add(time.Second)
		if err := q.RotateSession(ctx, s1, "r-s1", "a-s1b", "r-s1b"); err != nil {
			t.Fatal(err)
		}
		if err := q.RotateSession(ctx, s1, "r-s1", "a-s1c", "r-s1c"); !errors.Is(err, store.ErrStale) {
			t.Fatalf("second rotation: %v", err)
		}
		if _, prev, err := q.SessionByRefresh(ctx, "r-s1"); err != nil || !prev {
			t.Fatalf("old refresh token: prev=%v %v", prev, err)
		}
		if _, err := q.AuthByAccess(ctx, "a-s1"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("old access token: %v", err)
		}
		if n, err := q.DeleteSessionsExcept(ctx, alice.ID, "s1"); err != nil || n != 1 {
			t.Fatalf("delete others: %d %v", n, err)
		}
		if err := q.DeleteSession(ctx, alice.ID, "s3"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("deleting bob's session as alice: %v", err)
		}
		list, _ := q.Sessions(ctx, alice.ID)
		if len(list) != 1 || list[0].ID != "s1" {
			t.Fatalf("sessions %+v", list)
		}
		if n, _ := q.DeleteExpiredSessions(ctx, t0.Add(2*time.Hour)); n != 2 {
			t.Fatalf("expired deleted %d", n)
		}
	})
}

func TestVerificationsUsagePhotosAudit(t *testing.T) {
	eachDB(t, func(t *testing.T, dsn string) {
		s, alice, bob := fixture(t, dsn)
		ctx := context.Background()
		q := s.Q()

		v := &store.Verification{UserID: alice.ID, Purpose: store.PurposeMobileChange, Target: "+46709999999", SecretHash: "x", ExpiresAt: t0, CreatedAt: t0}
		if err := q.PutVerification(ctx, v); err != nil {
			t.Fatal(err)
		}
		for want := 1; want <= 3; want++ {
			if n, err := q.FailVerification(ctx, alice.ID, v.Purpose); err != nil || n != want {
				t.Fatalf("try %d: %d %v", want, n, err)
			}
		}
		v.SecretHash = "y"
		if err := q.PutVerification(ctx, v); err != nil { // a new code resets the tries
			t.Fatal(err)
		}
		got, err := q.VerificationBySecret(ctx, v.Purpose, "y")
		if err != nil || got.Attempts != 0 || got.Target != v.Target {
			t.Fatalf("replaced verification %+v %v", got, err)
		}
		// The replaced code cannot be consumed; the new one once.
		if err := q.ConsumeVerification(ctx, &store.Verification{UserID: alice.ID, Purpose: v.Purpose, SecretHash: "x"}); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("consume a replaced code: %v", err)
		}
		for i, want := range []error{nil, store.ErrNotFound} {
			if err := q.ConsumeVerification(ctx, got); !errors.Is(err, want) {
				t.Fatalf("consume %d: %v, want %v", i+1, err, want)
			}
		}

		for range 3 {
			if err := q.AddUsage(ctx, alice.ID, t0, "api_requests", 5); err != nil {
				t.Fatal(err)
			}
		}
		if u, _ := q.Usage(ctx, alice.ID, t0); u["api_requests"] != 15 {
			t.Fatalf("usage %v", u)
		}
		if err := q.AddUsage(ctx, "nobody", t0, "api_requests", 1); err != nil {
			t.Fatalf("usage of a deleted user: %v", err)
		}

		ps := []store.Photo{{Kind: "avatar", Size: 64, Width: 64, Height: 64, ContentType: "image/jpeg", Data: []byte{0xFF, 0xD8, 0, 1}},
			{Kind: "avatar", Size: 512, Width: 512, Height: 512, ContentType: "image/jpeg", Data: []byte{0xFF, 0xD8, 2}}}
		if err := q.PutPhotos(ctx, bob.ID, "avatar", ps); err != nil {
			t.Fatal(err)
		}
		if sizes, _ := q.PhotoSizes(ctx, bob.ID, "avatar"); !slices.Equal(sizes, []int{64, 512}) {
			t.Fatalf("sizes %v", sizes)
		}
		p, err := q.GetPhoto(ctx, bob.ID, "avatar", 64)
		if err != nil || string(p.Data) != string(ps[0].Data) {
			t.Fatalf("photo %v %v", p, err)
		}
		if err := q.SetPhotoFlags(ctx, bob.ID, true, false, 1); err != nil {
			t.Fatal(err)
		}
		if err := q.SetPhotoFlags(ctx, bob.ID, false, false, 1); !errors.Is(err, store.ErrStale) {
			t.Fatalf("stale photo write: %v", err)
		}

		for i, res := range []string{"user/u1/profile", "user/u1/status", "user/u2/profile"} {
			if err := q.Audit(ctx, "o1", api.AuditEvent{At: t0.Add(time.Duration(i) * time.Second), ActorID: "u1", Actor: "A", IP: "::1",
				Action: "x.update", Resource: res, Field: "f", Old: "a", New: "b"}); err != nil {
				t.Fatal(err)
			}
		}
		evs, err := q.AuditEvents(ctx, store.AuditFilter{OrgID: "o1", Resource: "user/u1/"})
		if err != nil || len(evs) != 2 || evs[0].Resource != "user/u1/status" || evs[0].ID <= evs[1].ID {
			t.Fatalf("audit by prefix: %+v %v", evs, err)
		}
		evs, _ = q.AuditEvents(ctx, store.AuditFilter{OrgID: "o1", BeforeID: evs[1].ID})
		if len(evs) != 0 {
			t.Fatalf("paging: %+v", evs)
		}

		// Deleting a user takes its sessions, photos and proofs along.
		if err := q.DeleteUser(ctx, bob.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := q.GetPhoto(ctx, bob.ID, "avatar", 64); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("photo after delete: %v", err)
		}
	})
}

func TestReplays(t *testing.T) {
	eachDB(t, func(t *testing.T, dsn string) {
		s, alice, _ := fixture(t, dsn)
		ctx := context.Background()
		q := s.Q()
		req := &store.Replay{Method: "PATCH", Path: "/p", Request: "h1"}
		if prev, err := q.ReserveReplay(ctx, alice.ID, "k", req, t0); prev != nil || err != nil {
			t.Fatalf("first reserve: %+v %v", prev, err)
		}
		if prev, err := q.ReserveReplay(ctx, alice.ID, "k", &store.Replay{Method: "PATCH", Path: "/p", Request: "h2"}, t0); err != nil || prev == nil || !prev.Pending() || prev.Request != "h1" {
			t.Fatalf("second reserve while pending: %+v %v", prev, err)
		}
		first := &store.Replay{Status: 200, ETag: `"2"`, Body: []byte("one")}
		if err := q.FinishReplay(ctx, alice.ID, "k", first); err != nil {
			t.Fatal(err)
		}
		// An answer is stored once; a settled key is not released.
		if err := q.FinishReplay(ctx, alice.ID, "k", &store.Replay{Status: 412, Body: []byte("two")}); !errors.Is(err, store.ErrStale) {
			t.Fatalf("second finish: %v", err)
		}
		if err := q.ReleaseReplay(ctx, alice.ID, "k"); err != nil {
			t.Fatal(err)
		}
		r, err := q.ReserveReplay(ctx, alice.ID, "k", req, t0)
		if err != nil || r == nil || r.Pending() || string(r.Body) != "one" || r.ETag != `"2"` || r.Method != "PATCH" || r.Path != "/p" {
			t.Fatalf("replay %+v %v", r, err)
		}
		// A released key can be reserved again.
		if prev, err := q.ReserveReplay(ctx, alice.ID, "k2", req, t0); prev != nil || err != nil {
			t.Fatal(prev, err)
		}
		if err := q.ReleaseReplay(ctx, alice.ID, "k2"); err != nil {
			t.Fatal(err)
		}
		if prev, err := q.ReserveReplay(ctx, alice.ID, "k2", req, t0); prev != nil || err != nil {
			t.Fatalf("reserve after release: %+v %v", prev, err)
		}
		if err := q.PruneReplays(ctx, t0.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
		if _, err := q.GetReplay(ctx, alice.ID, "k"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("after prune: %v", err)
		}
	})
}

func TestParseDSN(t *testing.T) {
	tests := []struct {
		in   string
		d    store.Dialect
		want string
	}{
		{"", store.SQLite, filepath.Join("/data", store.DefaultFile)},
		{"sqlite:/x/y.db", store.SQLite, "/x/y.db"},
		{"/x/z.db", store.SQLite, "/x/z.db"},
		{"postgres://u@h/db", store.Postgres, "postgres://u@h/db"},
		{"postgresql://u@h/db", store.Postgres, "postgresql://u@h/db"},
	}
	for _, tt := range tests {
		if d, got := store.ParseDSN(tt.in, "/data"); d != tt.d || got != tt.want {
			t.Errorf("ParseDSN(%q) = %v %q", tt.in, d, got)
		}
	}
}
