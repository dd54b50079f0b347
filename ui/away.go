package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/internal/away"
)

// awayAgent is the signed-in agent as internal/away sees it: status changes
// go through presence (this device's own), the question to the window.
type awayAgent struct {
	ctx context.Context // ends at sign-out
	p   *presence
	ask func() // shows "Back Online?" on the UI goroutine
}

func (a awayAgent) Status() (api.Availability, string) {
	st := a.p.Me().Status
	return st.Availability, st.ReasonCode
}

func (a awayAgent) Policy() (api.Presence, []api.ReasonCode) {
	org := a.p.Me().Org
	return org.Presence, org.ReasonCodes
}

// SetStatus sends at once and waits: Follow's goroutine is its own.
func (a awayAgent) SetStatus(u api.StatusUpdate) {
	ctx, cancel := context.WithTimeout(a.ctx, 15*time.Second)
	defer cancel()
	if err := a.p.SetStatus(ctx, u); err != nil && a.ctx.Err() == nil {
		fyne.Do(func() {
			a.p.app.SendNotification(fyne.NewNotification(lang.L("Status not changed"), describe(err)))
		})
	}
}

func (a awayAgent) AskBackOnline() { fyne.Do(a.ask) }

// followAway starts internal/away on the watcher that watch makes (nil: the
// platform has none) and returns its stop.
func followAway(watch func() (away.Watcher, error), p *presence, w fyne.Window) func() {
	if watch == nil {
		return func() {}
	}
	wt, err := watch()
	if err != nil {
		fyne.LogError("away on lock: no session watcher", err)
		return func() {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	agent := awayAgent{ctx: ctx, p: p, ask: func() { askBackOnline(p, w) }}
	done := make(chan struct{})
	go func() {
		defer close(done)
		away.Follow(ctx, wt, agent, away.IdlePoll)
	}()
	return func() {
		cancel()
		wt.Close()
		<-done
	}
}

// enterButton is a button Return and Enter tap too, so a dialog's one
// answer takes one key.
type enterButton struct{ widget.Button }

func newEnterButton(label string, tapped func()) *enterButton {
	b := &enterButton{}
	b.ExtendBaseWidget(b)
	b.Text, b.OnTapped, b.Importance = label, tapped, widget.HighImportance
	return b
}

func (b *enterButton) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter {
		b.Tapped(nil)
		return
	}
	b.Button.TypedKey(ev)
}

// askBackOnline asks, after the session was unlocked, whether to be Online
// again; Enter says yes. The window comes forward to ask.
func askBackOnline(p *presence, w fyne.Window) *dialog.CustomDialog {
	msg := widget.NewLabel(lang.L("You were set Unavailable while you were away. Queue calls don't reach you."))
	msg.Wrapping = fyne.TextWrapWord
	var d *dialog.CustomDialog
	yes := newEnterButton(lang.L("Back Online"), func() {
		d.Hide()
		p.set(api.StatusUpdate{Availability: api.Online})
	})
	no := widget.NewButton(lang.L("Not now"), func() { d.Hide() })
	d = dialog.NewCustomWithoutButtons(lang.L("Back Online?"), container.NewVBox(msg, container.NewHBox(layout.NewSpacer(), no, yes)), w)
	d.Resize(fyne.NewSize(420, 0))
	p.show()
	d.Show()
	w.Canvas().Focus(yes)
	return d
}
