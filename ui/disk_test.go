package ui

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"github.com/zalando/go-keyring"

	"github.com/phoneset/phoneset/account"
	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/api/client"
	"github.com/phoneset/phoneset/server"
	"github.com/phoneset/phoneset/server/servertest"
)

// slowDisk is the file system, but once held an fsync of the outbox takes
// 500 ms, and longer: until the test frees the disk.
type slowDisk struct {
	mu      sync.Mutex
	release chan struct{} // set while held
	syncing chan struct{} // told when an fsync starts waiting
	inSync  int           // fsyncs started and not returned
}

func (d *slowDisk) create(name string) (account.OutboxFile, error) {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	return slowFile{f, d}, err
}

func (d *slowDisk) hold() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.release, d.syncing = make(chan struct{}), make(chan struct{}, 1)
}

func (d *slowDisk) free() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.release != nil {
		close(d.release)
		d.release = nil
	}
}

// waiting reports whether an fsync has started and not returned.
func (d *slowDisk) waiting() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.inSync > 0
}

type slowFile struct {
	*os.File
	d *slowDisk
}

func (f slowFile) Sync() error {
	f.d.mu.Lock()
	release, syncing := f.d.release, f.d.syncing
	f.d.inSync++
	f.d.mu.Unlock()
	defer func() {
		f.d.mu.Lock()
		f.d.inSync--
		f.d.mu.Unlock()
	}()
	if release != nil {
		start := time.Now()
		select {
		case syncing <- struct{}{}:
		default:
		}
		<-release
		time.Sleep(500*time.Millisecond - time.Since(start))
	}
	return f.File.Sync()
}

// TestPagesDoNotWaitOnTheDisk drives the pages that edit the account
// against the real model and backend while the outbox's fsync is held: each
// tap must return with its edit shown while the first write is still in
// fsync, which it could not if a handler waited on the disk (a watchdog
// frees the disk after 10 s, so such a handler fails the test instead of
// hanging it), and the fastest of five taps must fit in a frame. Once the
// disk answers, the edits reach the server.
func TestPagesDoNotWaitOnTheDisk(t *testing.T) {
	setup(t)
	_, url, _ := servertest.New(t)
	c, err := client.New(url)
	if err != nil {
		t.Fatal(err)
	}
	keyring.MockInit() // the OS keyring, in memory
	disk := &slowDisk{}
	m, err := account.Open(account.Config{DataDir: t.TempDir(), Client: c, CreateFile: disk.create, PollInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { disk.free(); _ = m.Close() })
	if err := m.SignIn(context.Background(), "agent1", server.DemoPassword, "test"); err != nil {
		t.Fatal(err)
	}
	// A conflict to resolve: another device changes the first name while
	// this one's change waits for the disk.
	other, err := client.New(url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.SignIn(context.Background(), api.SignInRequest{Login: "agent1", Password: server.DemoPassword, Device: "other"}); err != nil {
		t.Fatal(err)
	}
	mine, theirs := "Mine", "Theirs"
	disk.hold()
	if err := m.UpdateProfile(api.ProfilePatch{FirstName: &mine}); err != nil {
		t.Fatal(err)
	}
	if _, err := other.UpdateProfile(context.Background(), m.Me().Profile.Version, api.ProfilePatch{FirstName: &theirs}); err != nil {
		t.Fatal(err)
	}
	disk.free()
	waitUntil(t, "a conflict", func() bool { return len(m.Conflicts()) == 1 })

	profile, notifications := NewProfilePage(m, c), NewNotificationsPage(m, nil)
	resolver := newResolver(m, func() {})
	show(t, profile.Content())
	show(t, notifications.Content())
	show(t, resolver.content)

	disk.hold()
	watchdog := time.AfterFunc(10*time.Second, disk.free)
	defer watchdog.Stop()
	missed := m.Me().Notifications.EmailMissedCalls
	profile.fields[2].entry.SetText("")
	test.Type(profile.fields[2].entry, "Slow Disk")
	const frame = time.Second / 60
	fastest := time.Hour
	taps := []struct {
		what  string
		tap   func()
		shown func(api.Me) bool
	}{
		{"save the profile", func() { test.Tap(profile.save) }, func(me api.Me) bool { return me.Profile.DisplayName == "Slow Disk" }},
		{"hide the mobile", func() { test.Tap(profile.contact.hideMobile) }, func(me api.Me) bool { return me.Profile.HideMobile }},
		{"add information", func() {
			profile.info.label.SetText("Desk")
			profile.info.value.SetText("4B")
			test.Tap(profile.info.add)
		}, func(me api.Me) bool { return len(me.Profile.ExtraInfo) == 1 }},
		{"choose the language", func() { profile.language.SetSelectedIndex(1) }, func(me api.Me) bool { return me.Profile.Language == api.Languages[1] }},
		{"email about voicemails", func() { test.Tap(notifications.voicemail) }, func(me api.Me) bool { return me.Notifications.EmailVoicemails }},
		{"keep mine", func() { test.Tap(findButton(resolver.content, lang.L("Keep mine"))) }, func(me api.Me) bool {
			return me.Profile.FirstName == "Mine" && len(m.Conflicts()) == 0
		}},
	}
	for i, tt := range taps {
		start := time.Now()
		tt.tap()
		took := time.Since(start)
		fastest = min(fastest, took)
		if i == 0 {
			<-disk.syncing // the first edit's write has reached fsync
		}
		if !disk.waiting() {
			t.Fatalf("%s: the disk answered before the tap returned", tt.what)
		}
		if !tt.shown(m.Me()) {
			t.Errorf("%s: not shown at once: %+v", tt.what, m.Me())
		}
		t.Logf("%s: %v", tt.what, took)
	}
	for range 5 {
		start := time.Now()
		test.Tap(notifications.missed)
		fastest = min(fastest, time.Since(start))
	}
	if !disk.waiting() {
		t.Fatal("the disk answered before the taps returned")
	}
	if fastest > frame {
		t.Errorf("the fastest tap took %v, more than a frame (%v)", fastest, frame)
	}

	disk.free()
	waitUntil(t, "synced", func() bool { return m.Sync().Kind == account.Synced })
	me, err := other.Me(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if p := me.Profile; p.DisplayName != "Slow Disk" || p.FirstName != "Mine" || !p.HideMobile || len(p.ExtraInfo) != 1 || p.Language != api.Languages[1] ||
		!me.Notifications.EmailVoicemails || me.Notifications.EmailMissedCalls == missed {
		t.Errorf("server holds %+v, %+v", p, me.Notifications)
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
