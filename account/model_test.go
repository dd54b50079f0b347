package account

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/api/client"
	"github.com/zalando/go-keyring"
)

// memKeyring is an in-memory keyring; err, when set, makes every call fail
// as an unavailable keyring does.
type memKeyring struct {
	mu    sync.Mutex
	items map[string]string
	err   error
	block chan struct{} // when set, calls wait on it
}

func newMemKeyring() *memKeyring { return &memKeyring{items: map[string]string{}} }

func (k *memKeyring) wait() error {
	k.mu.Lock()
	b, err := k.block, k.err
	k.mu.Unlock()
	if b != nil {
		<-b
	}
	return err
}

func (k *memKeyring) Get(s, u string) (string, error) {
	if err := k.wait(); err != nil {
		return "", err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.items[s+"|"+u]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

func (k *memKeyring) Set(s, u, v string) error {
	if err := k.wait(); err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.items[s+"|"+u] = v
	return nil
}

func (k *memKeyring) Delete(s, u string) error {
	if err := k.wait(); err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.items[s+"|"+u]; !ok {
		return keyring.ErrNotFound
	}
	delete(k.items, s+"|"+u)
	return nil
}

func (k *memKeyring) len() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.items)
}

type harness struct {
	t    testing.TB
	srv  *fakeServer
	kr   *memKeyring
	dir  string
	disk *testDisk // nil: the OS's file system
}

func newHarness(t testing.TB) *harness {
	return &harness{t: t, srv: newFakeServer(t), kr: newMemKeyring(), dir: t.TempDir()}
}

// open starts a model as a fresh app process would.
func (h *harness) open() *Model {
	h.t.Helper()
	c, err := client.New(h.srv.URL(), client.WithRetry(client.RetryPolicy{Attempts: 2, Base: time.Millisecond, Cap: 2 * time.Millisecond}), client.WithTimeout(2*time.Second))
	if err != nil {
		h.t.Fatal(err)
	}
	cfg := Config{DataDir: h.dir, Client: c, Keyring: h.kr, RetryMin: time.Millisecond, RetryMax: 20 * time.Millisecond, PollInterval: time.Hour}
	if h.disk != nil {
		cfg.CreateFile = h.disk.create
	}
	m, err := Open(cfg)
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { _ = m.Close() })
	return m
}

func (h *harness) signedIn() *Model {
	h.t.Helper()
	m := h.open()
	if err := m.SignIn(context.Background(), "agent1", "Phoneset-demo-1", "test"); err != nil {
		h.t.Fatal(err)
	}
	return m
}

// waitFor polls cond; the deadline only bounds a hung test.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func waitSynced(t *testing.T, m *Model) {
	t.Helper()
	waitFor(t, "synced", func() bool { return m.Sync().Kind == Synced })
}

func ptr[T any](v T) *T { return &v }

func TestSignInRestoreSignOut(t *testing.T) {
	h := newHarness(t)
	m := h.open()
	if ok, err := m.Restore(context.Background()); ok || err != nil {
		t.Fatalf("Restore with an empty keyring = %v, %v", ok, err)
	}
	if err := m.SignIn(context.Background(), "agent1", "wrong", "test"); !errors.Is(err, api.ErrUnauthorized) {
		t.Fatalf("wrong password: %v", err)
	}
	if m.SignedIn() || h.kr.len() != 0 {
		t.Fatal("a failed sign-in left a session")
	}
	if err := m.SignIn(context.Background(), "agent1", "Phoneset-demo-1", "test"); err != nil {
		t.Fatal(err)
	}
	if got := m.Me().Profile.DisplayName; got != "Agent One" {
		t.Errorf("Me display name %q", got)
	}
	if h.kr.len() != 1 || m.KeyringProblem() != nil {
		t.Errorf("keyring items %d, problem %v", h.kr.len(), m.KeyringProblem())
	}
	_ = m.Close()

	m2 := h.open()
	ok, err := m2.Restore(context.Background())
	if !ok || err != nil || m2.Me().User.ID != "u-agent1" {
		t.Fatalf("Restore = %v, %v, user %q", ok, err, m2.Me().User.ID)
	}
	if err := m2.SignOut(context.Background()); err != nil {
		t.Fatal(err)
	}
	if m2.SignedIn() || h.kr.len() != 0 || h.srv.sessions() != 0 {
		t.Errorf("after sign-out: signed in %v, keyring items %d, server sessions %d", m2.SignedIn(), h.kr.len(), h.srv.sessions())
	}
	if ok, _ := h.open().Restore(context.Background()); ok {
		t.Error("restored a session after sign-out")
	}
}

func TestEditAppliesAtOnceAndSyncs(t *testing.T) {
	h := newHarness(t)
	m := h.signedIn()
	changes := make(chan Change, 100)
	cancel := m.Subscribe(func(c Change) { changes <- c })
	defer cancel()

	if err := m.UpdateProfile(api.ProfilePatch{DisplayName: ptr("Ann"), HideMobile: ptr(true), HideFixed: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	me := m.Me().Profile
	if me.DisplayName != "Ann" || !me.CallsViaMobileVoIP {
		t.Errorf("local view not updated at once: %+v", me)
	}
	waitSynced(t, m)
	if p := h.srv.profile(); p.DisplayName != "Ann" || !p.HideMobile || !p.HideFixed {
		t.Errorf("server profile %+v", p)
	}
	// Notifications arrive from the dispatcher goroutine, maybe after Sync
	// already reads Synced.
	var all Change
	waitFor(t, "Me and Sync notifications", func() bool {
		for len(changes) > 0 {
			all |= <-changes
		}
		return all&MeChanged != 0 && all&SyncChanged != 0
	})
	// An edit to the value already held sends nothing.
	writes := h.srv.count("PATCH /v1/me/profile")
	if err := m.UpdateProfile(api.ProfilePatch{DisplayName: ptr("Ann")}); err != nil {
		t.Fatal(err)
	}
	if m.Sync().Pending != 0 || h.srv.count("PATCH /v1/me/profile") != writes {
		t.Error("a no-op edit was queued")
	}
}

func TestLocalValidation(t *testing.T) {
	tests := []struct {
		name  string
		patch api.ProfilePatch
		field string
	}{
		{"empty display name", api.ProfilePatch{DisplayName: ptr("  ")}, "display_name"},
		{"bad username", api.ProfilePatch{Username: ptr("-x")}, "username"},
		{"unknown language", api.ProfilePatch{Language: ptr("xx")}, "language"},
		{"bad time zone", api.ProfilePatch{TimeZone: ptr("Mars/Base")}, "time_zone"},
		{"control character", api.ProfilePatch{FirstName: ptr("A\x07")}, "first_name"},
	}
	h := newHarness(t)
	m := h.signedIn()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := m.UpdateProfile(tt.patch)
			var ae *api.Error
			if !errors.As(err, &ae) || ae.Fields[tt.field] == nil {
				t.Fatalf("err = %v, want field error on %s", err, tt.field)
			}
			if m.Sync().Pending != 0 {
				t.Error("an invalid edit was queued")
			}
		})
	}
}

func TestOfflineEditsDrainInOrder(t *testing.T) {
	h := newHarness(t)
	m := h.signedIn()
	h.srv.setDown(true)
	names := []string{"One", "Two", "Three"}
	for _, n := range names {
		if err := m.UpdateProfile(api.ProfilePatch{DisplayName: ptr(n)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.UpdateProfile(api.ProfilePatch{LastName: ptr("Last")}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "offline", func() bool { return m.Sync().Kind == Offline })
	if s := m.Sync(); s.Pending != 4 || s.Err == nil {
		t.Errorf("offline state %+v, want 4 pending with an error", s)
	}
	if m.Me().Profile.DisplayName != "Three" {
		t.Errorf("local view %q", m.Me().Profile.DisplayName)
	}
	// Restart the app while offline: the edits survive and Me is local.
	_ = m.Close()
	m = h.open()
	if ok, err := m.Restore(context.Background()); !ok {
		t.Fatalf("offline restore: %v %v", ok, err)
	}
	if me := m.Me().Profile; me.DisplayName != "Three" || me.LastName != "Last" || m.Sync().Pending != 4 {
		t.Errorf("after restart: %+v, %+v", me, m.Sync())
	}
	h.srv.setDown(false)
	m.kick()
	waitSynced(t, m)
	if p := h.srv.profile(); p.DisplayName != "Three" || p.LastName != "Last" {
		t.Errorf("server %+v", p)
	}
	if got := h.srv.patches; got != 4 {
		t.Errorf("%d writes applied, want 4 (in order, none twice)", got)
	}
}

func TestConflicts(t *testing.T) {
	tests := []struct {
		name      string
		keepLocal bool
		want      string
	}{
		{"keep mine", true, "Mine"},
		{"take theirs", false, "Theirs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			m := h.signedIn()
			h.srv.setDown(true)
			must(t, m.UpdateProfile(api.ProfilePatch{DisplayName: ptr("Mine"), FirstName: ptr("Ann")}))
			// Another device changes the display name and, harmlessly, the last name.
			h.srv.edit(func(p *api.Profile) { p.DisplayName, p.LastName = "Theirs", "Elsewhere" })
			h.srv.setDown(false)
			m.kick()
			waitFor(t, "conflict", func() bool { return m.Sync().Kind == Conflicted })
			cs := m.Conflicts()
			if len(cs) != 1 || cs[0].Field != "display_name" || cs[0].Local != "Mine" || cs[0].Server != "Theirs" {
				t.Fatalf("conflicts %+v", cs)
			}
			waitFor(t, "first name sent", func() bool { return h.srv.profile().FirstName == "Ann" })
			if m.Me().Profile.DisplayName != "Mine" || m.Me().Profile.LastName != "Elsewhere" {
				t.Errorf("local view %+v", m.Me().Profile)
			}
			must(t, m.Resolve(cs[0].ID, tt.keepLocal))
			if err := m.Resolve(cs[0].ID, tt.keepLocal); !errors.Is(err, ErrNoConflict) {
				t.Errorf("second Resolve: %v", err)
			}
			waitSynced(t, m)
			if got := h.srv.profile().DisplayName; got != tt.want {
				t.Errorf("server display name %q, want %q", got, tt.want)
			}
			if got := m.Me().Profile.DisplayName; got != tt.want {
				t.Errorf("local display name %q, want %q", got, tt.want)
			}
		})
	}
}

func TestEditingAConflictedFieldResolvesIt(t *testing.T) {
	h := newHarness(t)
	m := h.signedIn()
	h.srv.setDown(true)
	must(t, m.UpdateProfile(api.ProfilePatch{DisplayName: ptr("Mine")}))
	must(t, m.UpdateProfile(api.ProfilePatch{DisplayName: ptr("Mine again")}))
	h.srv.edit(func(p *api.Profile) { p.DisplayName = "Theirs" })
	h.srv.setDown(false)
	m.kick()
	waitFor(t, "conflict", func() bool { return m.Sync().Kind == Conflicted })
	if cs := m.Conflicts(); len(cs) != 1 || cs[0].Local != "Mine again" {
		t.Fatalf("want one conflict with the last pending value, got %+v", cs)
	}
	must(t, m.UpdateProfile(api.ProfilePatch{DisplayName: ptr("Final")}))
	if len(m.Conflicts()) != 0 {
		t.Error("conflict kept after editing the field")
	}
	waitSynced(t, m)
	if got := h.srv.profile().DisplayName; got != "Final" {
		t.Errorf("server %q", got)
	}
}

func TestServerRefusalRevertsTheField(t *testing.T) {
	h := newHarness(t)
	m := h.signedIn()
	h.srv.refuse["Taken Name"] = api.Because(api.ReasonTaken)
	must(t, m.UpdateProfile(api.ProfilePatch{DisplayName: ptr("Taken Name"), FirstName: ptr("Bo")}))
	must(t, m.UpdateProfile(api.ProfilePatch{LastName: ptr("Kept")}))
	waitSynced(t, m)
	if got := m.FieldErrors()["display_name"]; got == nil || got.Code != api.ReasonTaken {
		t.Errorf("field error %v", got)
	}
	p := h.srv.profile()
	if p.DisplayName != "Agent One" || p.FirstName != "Bo" || p.LastName != "Kept" {
		t.Errorf("server %+v: want the display name refused and the rest applied", p)
	}
	if got := m.Me().Profile.DisplayName; got != "Agent One" {
		t.Errorf("local display name %q, want it reverted", got)
	}
	must(t, m.UpdateProfile(api.ProfilePatch{DisplayName: ptr("Fine Name")}))
	if _, ok := m.FieldErrors()["display_name"]; ok {
		t.Error("field error kept after a new edit")
	}
}

func TestLostResponseIsNotAppliedTwice(t *testing.T) {
	tests := []struct {
		name     string
		restart  bool // crash before the ack: a new process resends
		wantReqs int
	}{
		{"retried in process with the same key", false, 2},
		{"settled after a restart by comparing values", true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			m := h.signedIn()
			if tt.restart {
				h.srv.setDown(true)
				must(t, m.UpdateProfile(api.ProfilePatch{DisplayName: ptr("Once")}))
				_ = m.Close()
				// The server applies the write; the client never learns.
				h.srv.edit(func(p *api.Profile) { p.DisplayName = "Once" })
				h.srv.setDown(false)
				m = h.open()
				if ok, err := m.Restore(context.Background()); !ok {
					t.Fatal(err)
				}
			} else {
				h.srv.mu.Lock()
				h.srv.dropAfter = true
				h.srv.mu.Unlock()
				must(t, m.UpdateProfile(api.ProfilePatch{DisplayName: ptr("Once")}))
			}
			waitSynced(t, m)
			if got := h.srv.count("PATCH /v1/me/profile"); got != tt.wantReqs-boolInt(tt.restart) {
				t.Errorf("%d PATCH requests", got)
			}
			if !tt.restart && h.srv.patches != 1 {
				t.Errorf("applied %d times", h.srv.patches)
			}
			if h.srv.profile().DisplayName != "Once" || m.Sync().Pending != 0 {
				t.Errorf("server %q, pending %d", h.srv.profile().DisplayName, m.Sync().Pending)
			}
		})
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestServerErrorsBackOffAndRecover(t *testing.T) {
	h := newHarness(t)
	m := h.signedIn()
	h.srv.mu.Lock()
	h.srv.failNext = []int{503, 503, 500, 429}
	h.srv.mu.Unlock()
	must(t, m.UpdateProfile(api.ProfilePatch{FirstName: ptr("Retry")}))
	waitSynced(t, m)
	if h.srv.profile().FirstName != "Retry" || h.srv.patches != 1 {
		t.Errorf("server %+v after %d writes", h.srv.profile(), h.srv.patches)
	}
}

func TestServerEndingTheSessionSignsOut(t *testing.T) {
	h := newHarness(t)
	m := h.signedIn()
	sessionChanged := make(chan struct{}, 10)
	defer m.Subscribe(func(c Change) {
		if c&SessionChanged != 0 {
			sessionChanged <- struct{}{}
		}
	})()
	h.srv.revokeAll()
	must(t, m.UpdateProfile(api.ProfilePatch{FirstName: ptr("Late")}))
	waitFor(t, "signed out", func() bool { return !m.SignedIn() })
	if h.kr.len() != 0 {
		t.Error("keyring still holds the ended session")
	}
	select {
	case <-sessionChanged:
	case <-time.After(10 * time.Second):
		t.Error("no SessionChanged notification")
	}
	if err := m.UpdateProfile(api.ProfilePatch{FirstName: ptr("X")}); !errors.Is(err, ErrSignedOut) {
		t.Errorf("edit after sign-out: %v", err)
	}
	// The unsent edit waits for the same user's next sign-in.
	must(t, m.SignIn(context.Background(), "agent1", "Phoneset-demo-1", "test"))
	waitSynced(t, m)
	if h.srv.profile().FirstName != "Late" {
		t.Errorf("pending edit lost across the forced sign-out: %+v", h.srv.profile())
	}
}

func TestKeyringProblems(t *testing.T) {
	tests := []struct {
		name  string
		setup func(k *memKeyring)
		want  error
	}{
		{"no secret service", func(k *memKeyring) { k.err = errors.New("org.freedesktop.secrets was not provided") }, nil},
		{"blocked on an unlock prompt", func(k *memKeyring) { k.block = make(chan struct{}) }, ErrKeyringTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			tt.setup(h.kr)
			defer func() {
				if h.kr.block != nil {
					close(h.kr.block)
				}
			}()
			c, _ := client.New(h.srv.URL())
			m, err := Open(Config{DataDir: h.dir, Client: c, Keyring: h.kr, KeyringTimeout: 50 * time.Millisecond})
			must(t, err)
			defer m.Close()
			if ok, err := m.Restore(context.Background()); ok || err != nil {
				t.Errorf("Restore = %v, %v; want false, nil", ok, err)
			}
			var ke *KeyringError
			if !errors.As(m.KeyringProblem(), &ke) || (tt.want != nil && !errors.Is(ke, tt.want)) {
				t.Fatalf("KeyringProblem = %v, want a KeyringError wrapping %v", m.KeyringProblem(), tt.want)
			}
			// The session still works, in memory.
			must(t, m.SignIn(context.Background(), "agent1", "Phoneset-demo-1", "test"))
			if !m.SignedIn() || m.KeyringProblem() == nil {
				t.Error("sign-in should work and keep reporting the keyring problem")
			}
		})
	}
}

func TestOSKeyringWithMock(t *testing.T) {
	if os.Getenv("PHONESET_TEST_KEYRING") != "" {
		// MockInit replaces go-keyring's provider for the whole process, which
		// would turn TestRealKeyring into a mock test; it covers OSKeyring.
		t.Skip("a real keyring is available: TestRealKeyring runs instead")
	}
	keyring.MockInit()
	h := newHarness(t)
	c, _ := client.New(h.srv.URL())
	m, err := Open(Config{DataDir: h.dir, Client: c})
	must(t, err)
	defer m.Close()
	must(t, m.SignIn(context.Background(), "agent1", "Phoneset-demo-1", "test"))
	if _, err := keyring.Get(KeyringService, h.srv.URL()); err != nil {
		t.Fatalf("session not in the OS keyring: %v", err)
	}
	must(t, m.SignOut(context.Background()))
	if _, err := keyring.Get(KeyringService, h.srv.URL()); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("after sign-out: %v", err)
	}
}

// fullDisk fails writes after quota bytes, as ENOSPC would.
type fullDisk struct {
	f     *os.File
	quota int
}

func (d *fullDisk) Write(p []byte) (int, error) {
	if len(p) > d.quota {
		n, _ := d.f.Write(p[:d.quota])
		d.quota = 0
		return n, &os.PathError{Op: "write", Path: d.f.Name(), Err: syscall.ENOSPC}
	}
	d.quota -= len(p)
	return d.f.Write(p)
}
func (d *fullDisk) Sync() error  { return d.f.Sync() }
func (d *fullDisk) Close() error { return d.f.Close() }

func TestDiskFullKeepsTheOutboxIntact(t *testing.T) {
	h := newHarness(t)
	m := h.signedIn()
	h.srv.setDown(true)
	must(t, m.UpdateProfile(api.ProfilePatch{FirstName: ptr("Kept")}))
	must(t, m.flush())
	before, err := os.ReadFile(m.store.path)
	must(t, err)

	m.mu.Lock()
	m.store.create = func(name string) (OutboxFile, error) {
		f, err := os.Create(name)
		return &fullDisk{f: f, quota: 100}, err
	}
	m.mu.Unlock()
	// The edit shows at once; the write fails after, which reverts it and
	// says why in the sync state.
	must(t, m.UpdateProfile(api.ProfilePatch{LastName: ptr("Lost")}))
	if m.Me().Profile.LastName != "Lost" {
		t.Error("the edit did not show at once")
	}
	if err := m.flush(); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("writing the edit on a full disk: %v, want ENOSPC", err)
	}
	after, _ := os.ReadFile(m.store.path)
	if string(after) != string(before) {
		t.Error("the outbox file changed after a failed save")
	}
	if m.Me().Profile.LastName == "Lost" || m.Sync().Pending != 1 {
		t.Errorf("a failed edit stayed: %+v pending %d", m.Me().Profile, m.Sync().Pending)
	}
	if s := m.Sync(); s.Kind != Error || !errors.Is(s.Err, syscall.ENOSPC) {
		t.Errorf("the failure is not reported: %+v", s)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(h.dir, "*.tmp")); len(leftovers) != 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
	// The server comes back while the disk is still full: the edit is
	// sent, but its acknowledgement cannot be saved, which the sync state
	// reports.
	h.srv.setDown(false)
	m.kick()
	waitFor(t, "the edit sent", func() bool { return h.srv.profile().FirstName == "Kept" && m.Sync().Pending == 0 })
	if err := m.flush(); !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("writing the acknowledgement: %v, want ENOSPC", err)
	}
	if s := m.Sync(); s.Kind != Error || !errors.Is(s.Err, syscall.ENOSPC) {
		t.Errorf("sync state %+v, want the ENOSPC error", s)
	}
	if after, _ := os.ReadFile(m.store.path); string(after) != string(before) {
		t.Error("the outbox file changed while the disk was full")
	}
	// Space is back: the next edit saves everything and syncs.
	m.mu.Lock()
	m.store.create = createFile
	m.mu.Unlock()
	must(t, m.UpdateProfile(api.ProfilePatch{LastName: ptr("Saved")}))
	waitSynced(t, m)
	if p := h.srv.profile(); p.FirstName != "Kept" || p.LastName != "Saved" {
		t.Errorf("server %+v", p)
	}
	must(t, m.flush()) // the acknowledgement's write
	st, err := m.store.load()
	if err != nil || len(st.Entries) != 0 {
		t.Errorf("outbox after recovery: %v, %+v", err, st)
	}
}

func TestNotificationsSync(t *testing.T) {
	h := newHarness(t)
	m := h.signedIn()
	n := m.Me().Notifications
	n.EmailVoicemails = true
	must(t, m.SetNotifications(n))
	if !m.Me().Notifications.EmailVoicemails {
		t.Error("not applied locally")
	}
	waitSynced(t, m)
	h.srv.mu.Lock()
	got := h.srv.me.Notifications
	h.srv.mu.Unlock()
	if !got.EmailVoicemails || !got.EmailMissedCalls {
		t.Errorf("server notifications %+v", got)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestSetStatus(t *testing.T) {
	tests := []struct {
		name       string
		update     api.StatusUpdate
		elsewhere  bool // another device changed the status first
		wantField  string
		wantStatus api.Availability
	}{
		{"online", api.StatusUpdate{Availability: api.Online}, false, "", api.Online},
		{"unavailable with a reason", api.StatusUpdate{Availability: api.Unavailable, ReasonCode: "lunch"}, false, "", api.Unavailable},
		{"overrides a change made elsewhere", api.StatusUpdate{Availability: api.Online}, true, "", api.Online},
		{"unavailable without a reason", api.StatusUpdate{Availability: api.Unavailable}, false, "reason_code", api.Offline},
		{"retired reason", api.StatusUpdate{Availability: api.Unavailable, ReasonCode: "old"}, false, "reason_code", api.Offline},
		{"reason while online", api.StatusUpdate{Availability: api.Online, ReasonCode: "lunch"}, false, "reason_code", api.Offline},
		{"unknown availability", api.StatusUpdate{Availability: "busy"}, false, "availability", api.Offline},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			m := h.signedIn()
			if tt.elsewhere {
				h.srv.mu.Lock()
				h.srv.me.Status = api.Status{Version: 5, Availability: api.Unavailable, ReasonCode: "lunch"}
				h.srv.mu.Unlock()
			}
			err := m.SetStatus(context.Background(), tt.update)
			if tt.wantField != "" {
				var ae *api.Error
				if !errors.As(err, &ae) || ae.Fields[tt.wantField] == nil {
					t.Fatalf("err %v, want a field error on %s", err, tt.wantField)
				}
				if h.srv.count("PUT /v1/me/status") != 0 {
					t.Error("an invalid status reached the server")
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if got := m.Me().Status.Availability; got != tt.wantStatus {
				t.Errorf("local status %q, want %q", got, tt.wantStatus)
			}
			h.srv.mu.Lock()
			srv := h.srv.me.Status.Availability
			h.srv.mu.Unlock()
			if tt.wantField == "" && srv != tt.wantStatus {
				t.Errorf("server status %q, want %q", srv, tt.wantStatus)
			}
		})
	}
	h := newHarness(t)
	m := h.signedIn()
	h.srv.setDown(true)
	if err := m.SetStatus(context.Background(), api.StatusUpdate{Availability: api.Online}); !client.IsTransient(err) {
		t.Errorf("offline status change: %v, want a transient error", err)
	}
	if m.Me().Status.Availability != api.Offline {
		t.Error("a status change that never reached the server was applied")
	}
}

func TestRefreshPicksUpChangesMadeElsewhere(t *testing.T) {
	h := newHarness(t)
	m := h.signedIn()
	h.srv.edit(func(p *api.Profile) { p.DisplayName = "Renamed by admin" })
	changed := make(chan Change, 10)
	defer m.Subscribe(func(c Change) { changed <- c })()
	must(t, m.Refresh(context.Background()))
	if got := m.Me().Profile.DisplayName; got != "Renamed by admin" {
		t.Errorf("after Refresh: %q", got)
	}
	select {
	case c := <-changed:
		if c&MeChanged == 0 {
			t.Errorf("change %b lacks MeChanged", c)
		}
	case <-time.After(10 * time.Second):
		t.Error("no notification")
	}
	must(t, m.SignOut(context.Background()))
	if err := m.Refresh(context.Background()); !errors.Is(err, ErrSignedOut) {
		t.Errorf("Refresh signed out: %v", err)
	}
}

func TestCorruptOutboxIsSetAsideAtSignIn(t *testing.T) {
	h := newHarness(t)
	path := filepath.Join(h.dir, outboxName(h.srv.URL(), "u-agent1"))
	must(t, os.WriteFile(path, []byte("PSOB\x01 not a valid file"), 0o600))
	m := h.signedIn()
	if m.Me().Profile.DisplayName != "Agent One" {
		t.Errorf("Me after sign-in over a corrupt outbox: %+v", m.Me().Profile)
	}
	kept, _ := filepath.Glob(path + ".corrupt-*")
	if len(kept) != 1 {
		t.Errorf("corrupt file not kept aside: %v", kept)
	}
	must(t, m.UpdateProfile(api.ProfilePatch{FirstName: ptr("Fresh")}))
	waitSynced(t, m)
	if _, err := newStore(h.dir, h.srv.URL(), "u-agent1", nil).load(); err != nil {
		t.Errorf("new outbox unreadable: %v", err)
	}
}
