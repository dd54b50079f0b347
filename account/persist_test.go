package account

import (
	"encoding/json"
	"errors"
	"os"
	"sync"
	"syscall"
	"testing"

	"github.com/phoneset/phoneset/api"
)

// testDisk is the OS's file system with a disk the test controls: writes
// can be held until the test releases them, as on a disk that takes its
// time, and one step of writing the file can fail.
type testDisk struct {
	mu     sync.Mutex
	hold   chan struct{} // when set, a write waits until it is closed
	held   chan struct{} // told when a write starts waiting
	failOn string        // "create", "write" or "sync" fails with EIO
}

func (d *testDisk) create(name string) (OutboxFile, error) {
	d.mu.Lock()
	hold, held := d.hold, d.held
	d.mu.Unlock()
	if hold != nil {
		select {
		case held <- struct{}{}:
		default:
		}
		<-hold
	}
	if d.failing("create") {
		return nil, &os.PathError{Op: "open", Path: name, Err: syscall.EIO}
	}
	f, err := createFile(name)
	if err != nil {
		return nil, err
	}
	return testFile{f, d}, nil
}

func (d *testDisk) failing(step string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.failOn == step
}

func (d *testDisk) fail(step string) {
	d.mu.Lock()
	d.failOn = step
	d.mu.Unlock()
}

// holdWrites makes every write of the outbox wait until release is called.
func (d *testDisk) holdWrites() (release func()) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.hold, d.held = make(chan struct{}), make(chan struct{}, 1)
	hold := d.hold
	return func() {
		d.mu.Lock()
		d.hold = nil
		d.mu.Unlock()
		close(hold)
	}
}

type testFile struct {
	OutboxFile
	d *testDisk
}

func (f testFile) Write(p []byte) (int, error) {
	if f.d.failing("write") {
		return 0, &os.PathError{Op: "write", Path: "outbox", Err: syscall.EIO}
	}
	return f.OutboxFile.Write(p)
}

func (f testFile) Sync() error {
	if f.d.failing("sync") {
		return &os.PathError{Op: "sync", Path: "outbox", Err: syscall.EIO}
	}
	return f.OutboxFile.Sync()
}

// TestEditsDoNotWaitForTheDisk holds the outbox's writes: edits made
// meanwhile return and show at once, nothing unwritten reaches the server,
// and once the disk answers the edits are written and sent in order.
func TestEditsDoNotWaitForTheDisk(t *testing.T) {
	h := newHarness(t)
	h.disk = &testDisk{}
	m := h.signedIn()
	release := h.disk.holdWrites()
	must(t, m.UpdateProfile(api.ProfilePatch{DisplayName: ptr("One")}))
	<-h.disk.held // the persister is writing the first edit

	// Each of these would wait on the held write if it touched the disk.
	must(t, m.UpdateProfile(api.ProfilePatch{DisplayName: ptr("Two")}))
	must(t, m.UpdateProfile(api.ProfilePatch{FirstName: ptr("Ann")}))
	n := m.Me().Notifications
	n.EmailVoicemails = true
	must(t, m.SetNotifications(n))
	if me := m.Me(); me.Profile.DisplayName != "Two" || me.Profile.FirstName != "Ann" || !me.Notifications.EmailVoicemails {
		t.Errorf("edits not shown at once: %+v %+v", me.Profile, me.Notifications)
	}
	if s := m.Sync(); s.Pending != 4 || s.Kind != Pending {
		t.Errorf("sync state while writing %+v, want 4 pending", s)
	}
	// A round of the sync loop (idle until the write ends) sends nothing
	// that is not on disk.
	m.step()
	if got := h.srv.count("PATCH /v1/me/profile") + h.srv.count("PUT /v1/me/notifications"); got != 0 {
		t.Errorf("%d edits sent before they were on disk", got)
	}

	release()
	waitSynced(t, m)
	if p := h.srv.profile(); p.DisplayName != "Two" || p.FirstName != "Ann" {
		t.Errorf("server profile %+v", p)
	}
	if got := h.srv.patches; got != 3 {
		t.Errorf("%d profile writes, want 3 (One, Two, Ann in order)", got)
	}
	h.srv.mu.Lock()
	voicemails := h.srv.me.Notifications.EmailVoicemails
	h.srv.mu.Unlock()
	if !voicemails {
		t.Error("notifications not sent")
	}
}

// TestSendingWaitsForTheAcknowledgementOnDisk holds the write of the first
// entry's acknowledgement: the second entry must wait for it, so that after
// a crash the server is ahead of the file by the entry in flight at most.
// Otherwise settleHead would see the first entry's field holding neither
// its value nor its old one, and report a conflict with the user's own edit.
func TestSendingWaitsForTheAcknowledgementOnDisk(t *testing.T) {
	h := newHarness(t)
	h.disk = &testDisk{}
	m := h.signedIn()
	h.srv.setDown(true)
	must(t, m.UpdateProfile(api.ProfilePatch{LastName: ptr("First")}))
	must(t, m.UpdateProfile(api.ProfilePatch{LastName: ptr("Second")}))
	must(t, m.flush())
	release := h.disk.holdWrites()
	h.srv.setDown(false)
	m.kick()
	<-h.disk.held // the first acknowledgement is being written
	m.step()
	if got := h.srv.count("PATCH /v1/me/profile"); got != 1 {
		t.Errorf("%d entries sent while the first acknowledgement was not on disk, want 1", got)
	}
	release()
	waitSynced(t, m)
	if p := h.srv.profile(); p.LastName != "Second" || len(m.Conflicts()) != 0 {
		t.Errorf("server %+v, conflicts %+v", p, m.Conflicts())
	}
}

// TestFailedWriteRevertsTheEdit makes the write of one edit fail at each
// step: the edit shows at once, then reverts with the reason in the sync
// state (a restored conflict shows as one), the file stays as it was,
// nothing is sent, and the next edit is written and clears the error.
func TestFailedWriteRevertsTheEdit(t *testing.T) {
	tests := []struct {
		name     string
		step     string
		conflict bool // start with display_name in conflict: Mine here, Theirs on the server
		edit     func(m *Model) error
		shown    func(m *Model) bool // the edit, before it reverts
		want     SyncKind
	}{
		{name: "profile edit", step: "sync",
			edit:  func(m *Model) error { return m.UpdateProfile(api.ProfilePatch{LastName: ptr("Lost")}) },
			shown: func(m *Model) bool { return m.Me().Profile.LastName == "Lost" },
			want:  Error},
		{name: "notifications", step: "write",
			edit: func(m *Model) error {
				n := m.Me().Notifications
				n.EmailVoicemails = true
				return m.SetNotifications(n)
			},
			shown: func(m *Model) bool { return m.Me().Notifications.EmailVoicemails },
			want:  Error},
		{name: "editing a conflicted field", step: "create", conflict: true,
			edit:  func(m *Model) error { return m.UpdateProfile(api.ProfilePatch{DisplayName: ptr("Final")}) },
			shown: func(m *Model) bool { return m.Me().Profile.DisplayName == "Final" && len(m.Conflicts()) == 0 },
			want:  Conflicted},
		{name: "keeping mine", step: "sync", conflict: true,
			edit:  func(m *Model) error { return m.Resolve(KindProfile+".display_name", true) },
			shown: func(m *Model) bool { return m.Me().Profile.DisplayName == "Mine" && len(m.Conflicts()) == 0 },
			want:  Conflicted},
		{name: "taking theirs", step: "sync", conflict: true,
			edit:  func(m *Model) error { return m.Resolve(KindProfile+".display_name", false) },
			shown: func(m *Model) bool { return m.Me().Profile.DisplayName == "Theirs" && len(m.Conflicts()) == 0 },
			want:  Conflicted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.disk = &testDisk{}
			m := h.signedIn()
			if tt.conflict {
				h.srv.setDown(true)
				must(t, m.UpdateProfile(api.ProfilePatch{DisplayName: ptr("Mine")}))
				h.srv.edit(func(p *api.Profile) { p.DisplayName = "Theirs" })
				h.srv.setDown(false)
				m.kick()
				waitFor(t, "conflict", func() bool { return m.Sync().Kind == Conflicted })
			}
			must(t, m.flush())
			before, err := os.ReadFile(m.store.path)
			must(t, err)
			beforeMe, beforeConflicts := m.Me(), m.Conflicts()
			writes := h.srv.count("PATCH /v1/me/profile") + h.srv.count("PUT /v1/me/notifications")

			h.disk.fail(tt.step)
			release := h.disk.holdWrites()
			must(t, tt.edit(m))
			<-h.disk.held
			if !tt.shown(m) {
				t.Errorf("the edit did not show at once: %+v", m.Me())
			}
			release()
			if err := m.flush(); !errors.Is(err, syscall.EIO) {
				t.Fatalf("write: %v, want EIO", err)
			}
			if me := m.Me(); !sameJSON(me, beforeMe) {
				t.Errorf("not reverted:\n got %+v\nwant %+v", me, beforeMe)
			}
			if cs := m.Conflicts(); !sameJSON(cs, beforeConflicts) {
				t.Errorf("conflicts %+v, want %+v", cs, beforeConflicts)
			}
			if s := m.Sync(); s.Kind != tt.want || (s.Kind == Error && !errors.Is(s.Err, syscall.EIO)) {
				t.Errorf("sync state %+v, want %v", s, tt.want)
			}
			if after, _ := os.ReadFile(m.store.path); string(after) != string(before) {
				t.Error("the failed write changed the outbox file")
			}
			if got := h.srv.count("PATCH /v1/me/profile") + h.srv.count("PUT /v1/me/notifications"); got != writes {
				t.Errorf("a reverted edit reached the server (%d writes, was %d)", got, writes)
			}

			h.disk.fail("")
			must(t, m.UpdateProfile(api.ProfilePatch{FirstName: ptr("Next")}))
			must(t, m.flush())
			if s := m.Sync(); s.Kind == Error {
				t.Errorf("after a good write: %+v", s)
			}
			waitFor(t, "the next edit sent", func() bool { return h.srv.profile().FirstName == "Next" })
		})
	}
}

func sameJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
