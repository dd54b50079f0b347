package ui

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/internal/away"
)

// fixClock stops the countdowns' clock at 10:00 UTC (11:00 in the fake
// user's Stockholm).
func fixClock(t *testing.T) time.Time {
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	clock = func() time.Time { return at }
	t.Cleanup(func() { clock = time.Now })
	return at
}

func timedFake() *fakeModel {
	m := newFakeModel()
	m.me.Org.ReasonCodes[0].Minutes, m.me.Org.ReasonCodes[0].Then = 15, api.Offline
	return m
}

func TestStatusPageTimer(t *testing.T) {
	setup(t)
	fixClock(t)
	m := timedFake()
	p := NewStatusPage(m)
	defer p.Close()
	w := show(t, p.Content())
	if p.timed.card.Visible() || p.timed.hint.Visible() {
		t.Fatal("a timer shown while none runs")
	}
	p.choice.SetSelected(lang.L("Unavailable"))
	p.reason.SetSelected("Lunch")
	if !p.timed.hint.Visible() || p.timed.hint.Text != lang.L("Ends after {{.Minutes}} min; then you are {{.Then}}.", map[string]any{"Minutes": 15, "Then": lang.L("Offline")}) {
		t.Fatalf("hint %q", p.timed.hint.Text)
	}
	p.reason.SetSelected("Meeting") // no timer
	if p.timed.hint.Visible() {
		t.Fatal("a hint for a reason without a timer")
	}
	p.reason.SetSelected("Lunch")
	test.Tap(p.apply)
	if !p.timed.card.Visible() || p.timed.left.Text != "15:00" {
		t.Fatalf("countdown %q visible %v", p.timed.left.Text, p.timed.card.Visible())
	}
	assertGolden(t, "status_timer.xml", w.Canvas())

	test.Tap(p.timed.extend)
	if !slices.Equal(m.extends, []int{extendMinutes}) || p.timed.left.Text != "20:00" {
		t.Fatalf("extend sent %v, shows %q", m.extends, p.timed.left.Text)
	}
	p.choice.SetSelected(lang.L("Online"))
	test.Tap(p.apply)
	if p.timed.card.Visible() {
		t.Fatal("the timer stays after going Online")
	}
}

// TestStatusPageDuration: a timed Unavailable status takes the reason's
// default duration or one the agent picks; the hint, what is sent and the
// countdown follow the pick.
func TestStatusPageDuration(t *testing.T) {
	setup(t)
	fixClock(t)
	for _, tt := range []struct {
		name, reason string
		pick         int    // minutes picked; 0 leaves the first option
		first        string // the first option: the default
		want         *int   // minutes sent
		hint, left   string // "": no hint, no countdown
	}{
		{"default", "Lunch", 0, "15 min (default)", nil, "Ends after 15 min; then you are Offline.", "15:00"},
		{"shorter", "Lunch", 5, "15 min (default)", new(5), "Ends after 5 min; then you are Offline.", "5:00"},
		{"longer", "Lunch", 120, "15 min (default)", new(120), "Ends after 120 min; then you are Offline.", "2:00:00"},
		{"no default", "Meeting", 0, "No timer", nil, "", ""},
		{"no default, picked", "Meeting", 20, "No timer", new(20), "Ends after 20 min; then you are Online.", "20:00"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := timedFake()
			p := NewStatusPage(m)
			defer p.Close()
			show(t, p.Content())
			if !p.duration.Disabled() {
				t.Fatal("a duration offered while Online")
			}
			p.choice.SetSelected(lang.L("Unavailable"))
			p.reason.SetSelected(tt.reason)
			if p.duration.Disabled() || p.duration.Selected != tt.first {
				t.Fatalf("duration %q (disabled %v), want %q", p.duration.Selected, p.duration.Disabled(), tt.first)
			}
			if n := slices.Index(p.duration.Options, "15 min"); tt.reason == "Lunch" && n >= 0 {
				t.Errorf("the default offered twice: %q", p.duration.Options)
			}
			if tt.pick != 0 {
				p.duration.SetSelected(fmt.Sprint(tt.pick, " min"))
			}
			if got := p.timed.hint.Text; p.timed.hint.Visible() != (tt.hint != "") || (tt.hint != "" && got != tt.hint) {
				t.Errorf("hint %q (visible %v), want %q", got, p.timed.hint.Visible(), tt.hint)
			}
			test.Tap(p.apply)
			if len(m.statuses) != 1 || !equalMinutes(m.statuses[0].Minutes, tt.want) || m.statuses[0].ReasonCode == "" {
				t.Fatalf("sent %+v, want minutes %v", m.statuses, tt.want)
			}
			if p.timed.card.Visible() != (tt.left != "") || p.timed.left.Text != tt.left && tt.left != "" {
				t.Errorf("countdown %q (visible %v), want %q", p.timed.left.Text, p.timed.card.Visible(), tt.left)
			}
			// Set: the choice is the default again, and nothing to apply
			// until another duration restarts the timer.
			if p.duration.Selected != tt.first || !p.apply.Disabled() {
				t.Errorf("after setting: duration %q, apply disabled %v", p.duration.Selected, p.apply.Disabled())
			}
			p.duration.SetSelected("30 min")
			if p.apply.Disabled() {
				t.Fatal("a new duration for the current status cannot be applied")
			}
			test.Tap(p.apply)
			if len(m.statuses) != 2 || !equalMinutes(m.statuses[1].Minutes, new(30)) || p.timed.left.Text != "30:00" {
				t.Errorf("restart sent %+v, shows %q", m.statuses, p.timed.left.Text)
			}
		})
	}
}

func equalMinutes(a, b *int) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func TestCountdown(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{{0, "0:00"}, {-time.Minute, "0:00"}, {59*time.Second + 600*time.Millisecond, "1:00"}, {15 * time.Minute, "15:00"},
		{time.Hour + 2*time.Minute + 3*time.Second, "1:02:03"}} {
		if got := countdown(tt.d); got != tt.want {
			t.Errorf("countdown(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestStatusShortcuts(t *testing.T) {
	setup(t)
	m := timedFake()
	m.me.Org.Presence = api.Presence{AwayReasonCode: "meeting"}
	p := newPresence(m, fyne.CurrentApp(), func() {})
	menu := p.statusMenu()
	want := []fyne.Shortcut{onlineShortcut, unavailableShortcut, offlineShortcut, nil, extendShortcut}
	for i, it := range menu.Items {
		if it.Shortcut != want[i] {
			t.Errorf("item %d %q: shortcut %v", i, it.Label, it.Shortcut)
		}
	}
	menu.Items[1].Action()
	menu.Items[2].Action()
	menu.Items[0].Action()
	wantSent := []api.StatusUpdate{{Availability: api.Unavailable, ReasonCode: "meeting"}, {Availability: api.Offline}, {Availability: api.Online}}
	if !slices.Equal(m.statuses, wantSent) {
		t.Fatalf("sent %+v", m.statuses)
	}
	// Extend without a timer: the server's refusal becomes a notification.
	test.AssertNotificationSent(t, fyne.NewNotification(lang.L("Status not changed"), describe(api.Invalid(map[string]*api.Reason{api.FieldMinutes: api.Because(api.ReasonNoTimer)}))), menu.Items[4].Action)
}

func TestTrayShowsTimer(t *testing.T) {
	setup(t)
	fixClock(t)
	m := timedFake()
	p := newPresence(m, fyne.CurrentApp(), func() {})
	if err := p.SetStatus(context.Background(), api.StatusUpdate{Availability: api.Unavailable, ReasonCode: "lunch"}); err != nil {
		t.Fatal(err)
	}
	items := p.trayMenu().Items
	var labels []string
	for _, it := range items {
		labels = append(labels, it.Label)
	}
	if !slices.Contains(labels, "15 min left: until 11:15, then Offline") || !slices.Contains(labels, extendLabel()) {
		t.Fatalf("tray %q", labels)
	}
}

// TestBackOnlineTakesOneKey: the question after unlocking is answered with
// Enter.
func TestBackOnlineTakesOneKey(t *testing.T) {
	setup(t)
	m := newFakeModel()
	m.me.Status = api.Status{Version: 2, Availability: api.Unavailable, ReasonCode: "lunch"}
	p := newPresence(m, fyne.CurrentApp(), func() {})
	w := test.NewWindow(nil)
	w.Resize(fyne.NewSize(600, 400))
	defer w.Close()
	askBackOnline(p, w)
	test.TypeOnCanvas(w.Canvas(), "") // nothing typed yet
	w.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if !slices.Equal(m.statuses, []api.StatusUpdate{{Availability: api.Online}}) {
		t.Fatalf("sent %+v", m.statuses)
	}
}

// chanWatcher is a session watcher the test drives.
type chanWatcher struct{ ev chan away.Event }

func (w chanWatcher) Events() <-chan away.Event    { return w.ev }
func (w chanWatcher) Idle() (time.Duration, error) { return 0, away.ErrUnsupported }
func (w chanWatcher) Close() error                 { return nil }

// TestAwayOnLock: the app's wiring sets an Online agent Unavailable with the
// organisation's reason on lock and asks on unlock.
func TestAwayOnLock(t *testing.T) {
	setup(t)
	m := newFakeModel()
	m.me.Org.Presence = api.Presence{LockAway: true, AwayReasonCode: "meeting"}
	p := newPresence(m, fyne.CurrentApp(), func() {})
	w := test.NewWindow(nil)
	defer w.Close()
	wt := chanWatcher{ev: make(chan away.Event)}
	stop := followAway(func() (away.Watcher, error) { return wt, nil }, p, w)
	wt.ev <- away.Locked
	wt.ev <- away.Unlocked // Follow handled the lock before it takes this
	deadline := time.Now().Add(5 * time.Second)
	for w.Canvas().Overlays().Top() == nil && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	if !slices.Equal(m.statuses, []api.StatusUpdate{{Availability: api.Unavailable, ReasonCode: "meeting"}}) {
		t.Fatalf("sent %+v", m.statuses)
	}
	if w.Canvas().Overlays().Top() == nil {
		t.Fatal("no Back Online? question after unlock")
	}
}
