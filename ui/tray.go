package ui

import (
	"context"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"

	"github.com/phoneset/phoneset/api"
)

// presence keeps the status in the system tray menu (where the desktop has
// one) and tells the user, with a desktop notification, when the status was
// changed elsewhere: by an admin or on another device.
type presence struct {
	model StatusModel
	app   fyne.App
	show  func() // brings the window forward

	seen    int64        // last status version shown; UI goroutine only
	tick    *time.Timer  // refreshes the timer's minutes left; UI goroutine only
	cleared bool         // signed out: the tray shows no status
	ownBusy atomic.Int32 // own changes in flight
	ownVer  atomic.Int64 // version our last own change produced
}

func newPresence(m StatusModel, app fyne.App, show func()) *presence {
	p := &presence{model: m, app: app, show: show, seen: m.Me().Status.Version}
	p.updateTray()
	return p
}

// SetStatus is StatusModel.SetStatus, remembered as this device's own
// change so it raises no notification.
func (p *presence) SetStatus(ctx context.Context, u api.StatusUpdate) error {
	return p.own(func() error { return p.model.SetStatus(ctx, u) })
}

// ExtendStatus is StatusModel.ExtendStatus, remembered like SetStatus.
func (p *presence) ExtendStatus(ctx context.Context, minutes int) error {
	return p.own(func() error { return p.model.ExtendStatus(ctx, minutes) })
}

// own runs a change of this device's and remembers the version it made.
func (p *presence) own(change func() error) error {
	p.ownBusy.Add(1)
	defer p.ownBusy.Add(-1)
	err := change()
	if err == nil {
		p.ownVer.Store(p.model.Me().Status.Version)
	}
	return err
}

// Me is StatusModel.Me.
func (p *presence) Me() api.Me { return p.model.Me() }

// changed runs on the UI goroutine after the account changed.
func (p *presence) changed() {
	st := p.model.Me().Status
	if st.Version == p.seen {
		return
	}
	p.seen = st.Version
	p.updateTray()
	if p.ownBusy.Load() > 0 || st.Version == p.ownVer.Load() {
		return
	}
	body := lang.L("Your status is now {{.Status}}, set by {{.Who}}.", map[string]any{
		"Status": availabilityLabel(st.Availability), "Who": st.ChangedByName})
	p.app.SendNotification(fyne.NewNotification(lang.L("Status changed"), body))
}

func (p *presence) set(u api.StatusUpdate) {
	p.run(func(ctx context.Context) error { return p.SetStatus(ctx, u) })
}

// extend adds extendMinutes to the running timer.
func (p *presence) extend() {
	p.run(func(ctx context.Context) error { return p.ExtendStatus(ctx, extendMinutes) })
}

// run sends a status change off the UI goroutine; a failure is a desktop
// notification, as the tray and the keyboard have no page to show it on.
func (p *presence) run(change func(ctx context.Context) error) {
	async(func() (struct{}, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		return struct{}{}, change(ctx)
	}, func(_ struct{}, err error) {
		if err != nil {
			p.app.SendNotification(fyne.NewNotification(lang.L("Status not changed"), describe(err)))
		}
	})
}

// trayMenu lists the statuses with the current one checked.
func (p *presence) trayMenu() *fyne.Menu {
	me := p.model.Me()
	cur := me.Status
	item := func(label string, u api.StatusUpdate) *fyne.MenuItem {
		it := fyne.NewMenuItem(label, func() { p.set(u) })
		it.Checked = cur.Availability == u.Availability && cur.ReasonCode == u.ReasonCode
		return it
	}
	var reasons []*fyne.MenuItem
	for _, r := range api.ActiveReasonCodes(me.Org.ReasonCodes) {
		reasons = append(reasons, item(r.Label, api.StatusUpdate{Availability: api.Unavailable, ReasonCode: r.Code}))
	}
	unavailable := fyne.NewMenuItem(availabilityLabel(api.Unavailable), nil)
	unavailable.ChildMenu = fyne.NewMenu("", reasons...)
	unavailable.Checked = cur.Availability == api.Unavailable
	unavailable.Disabled = len(reasons) == 0 // Unavailable needs a reason
	items := []*fyne.MenuItem{
		item(availabilityLabel(api.Online), api.StatusUpdate{Availability: api.Online}),
		unavailable,
		item(availabilityLabel(api.Offline), api.StatusUpdate{Availability: api.Offline}),
	}
	if cur.Until != nil {
		// The minutes left: a tray menu is rebuilt each minute, not each
		// second.
		left := int((cur.Until.Sub(clock()) + time.Minute - 1) / time.Minute)
		ends := fyne.NewMenuItem(lang.L("{{.Left}} min left: until {{.Time}}, then {{.Then}}", map[string]any{
			"Left": max(left, 0), "Time": cur.Until.In(userZone(me)).Format("15:04"), "Then": availabilityLabel(cur.Then)}), nil)
		ends.Disabled = true
		items = append(items, fyne.NewMenuItemSeparator(), ends, fyne.NewMenuItem(extendLabel(), p.extend))
	}
	items = append(items, fyne.NewMenuItemSeparator(), fyne.NewMenuItem(lang.L("Show Phoneset"), p.show))
	return fyne.NewMenu("Phoneset", items...)
}

func (p *presence) updateTray() {
	if p.tick != nil {
		p.tick.Stop()
	}
	if p.model.Me().Status.Until != nil && !p.cleared {
		p.tick = time.AfterFunc(time.Minute, func() { fyne.Do(p.updateTray) })
	}
	if desk, ok := p.app.(desktop.App); ok {
		desk.SetSystemTrayMenu(p.trayMenu())
	}
}

// clearTray removes the status menu after sign-out.
func (p *presence) clearTray() {
	p.cleared = true
	if p.tick != nil {
		p.tick.Stop()
	}
	if desk, ok := p.app.(desktop.App); ok {
		desk.SetSystemTrayMenu(fyne.NewMenu("Phoneset", fyne.NewMenuItem(lang.L("Show Phoneset"), p.show)))
	}
}
