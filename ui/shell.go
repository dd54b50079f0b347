package ui

import (
	"context"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/account"
	"github.com/phoneset/phoneset/api"
)

// SyncModel reports sync progress and changes to the account.
type SyncModel interface {
	Sync() account.SyncState
	// Subscribe calls fn from a background goroutine after every change.
	Subscribe(fn func(account.Change)) (cancel func())
}

// ShellModel is what the signed-in shell needs.
type ShellModel interface {
	ProfileModel
	PhotoModel
	StatusModel
	NotificationsModel
	ConflictModel
	SyncModel
	SignOut(ctx context.Context) error
	SignedIn() bool
	// ApplyStatus takes a status the server pushed, unless it is older
	// than the one the model has.
	ApplyStatus(s api.Status)
	// KeyringProblem is non-nil when the session could not be stored in the
	// OS keyring and lives in memory only.
	KeyringProblem() error
}

// Services are the online-only parts of the account, each a small interface
// that the HTTP client (package api/client) satisfies.
type Services struct {
	Plan     PlanModel
	APIKey   APIKeyModel
	Security SecurityServices
	Verify   VerifyModel
	// Audio is the computer's audio for the Devices page, opened when the
	// page is first shown.
	Audio        *lazyAudio
	DevicesPrefs PrefsStore
	// Org runs the organisation; its page shows to holders of "account".
	Org OrgModel
	// DemoInbox, when set, adds the demo backend's inbox to the navigation.
	DemoInbox func() []DemoMessage
	// LoginStart is this computer's start-at-sign-in setting (nil: not offered).
	LoginStart LoginStartModel
	// Live pushes status changes made elsewhere (nil: none).
	Live LiveModel
	// Supervisor runs a supervisor's agents; its page shows to holders of
	// "supervisor".
	Supervisor SupervisorModel
}

// page is one entry of the navigation.
type page interface {
	Content() fyne.CanvasObject
	Focus(fyne.Canvas)
}

// refresher is a page showing the account model: it re-reads it after every
// change.
type refresher interface{ Refresh() }

// tabbed is a page in tabs, which the Go menu's Next tab and Previous tab
// (Ctrl+Page Down, Ctrl+Page Up) switch: tab headers take no keyboard focus.
type tabbed interface{ SwitchTab(step int) }

// loader is a page showing data fetched from the server: it loads each time
// it is shown, not on every model change.
type loader interface{ Load() }

type navItem struct {
	id    string // stable name, whatever the language
	title string
	icon  fyne.Resource
	build func() page
}

// Shell is the signed-in window content: navigation, the current page, the
// sync badge and sign-out.
type Shell struct {
	model     ShellModel
	onSignOut func()
	setTitle  func(string)

	items   []navItem
	pages   map[int]page
	current int
	nav     *widget.List
	stack   *fyne.Container
	badge   *SyncBadge
	title   *widget.Label
	cancel  func()
	// stopLive ends the push of status changes.
	stopLive func()
	content  fyne.CanvasObject
}

// NewShell builds the shell. setTitle receives the window title (it names
// who is signed in); onSignOut runs on the UI goroutine after the session
// ended.
func NewShell(m ShellModel, svc Services, setTitle func(string), onSignOut func()) *Shell {
	s := &Shell{model: m, onSignOut: onSignOut, setTitle: setTitle, pages: map[int]page{}, current: -1}
	zone := zoneFunc(func() *time.Location { return userZone(m.Me()) })
	s.items = []navItem{
		{"profile", lang.L("Profile"), theme.AccountIcon(), func() page { return NewProfilePage(m, svc.Verify) }},
		{"photo", lang.L("Photo"), theme.MediaPhotoIcon(), func() page { return NewPhotoPage(m) }},
		{"status", lang.L("Status"), theme.RadioButtonCheckedIcon(), func() page { return NewStatusPage(m) }},
		{"security", lang.L("Security"), theme.VisibilityOffIcon(), func() page { return NewSecurityPage(m.Me, svc.Security, s.SignOut) }},
		{"devices", lang.L("Devices"), theme.VolumeUpIcon(), func() page { return devicesPage(svc) }},
		{"notifications", lang.L("Notifications"), theme.MailComposeIcon(), func() page { return NewNotificationsPage(m, svc.LoginStart) }},
		{"plan", lang.L("Plan & usage"), theme.InfoIcon(), func() page { return NewPlanPage(svc.Plan, zone) }},
		{"apikey", lang.L("API key"), theme.SettingsIcon(), func() page { return NewAPIKeyPage(svc.APIKey, zone) }},
	}
	if svc.Org != nil && m.Me().User.Can(api.PermAccount) {
		s.items = append(s.items, navItem{"org", lang.L("Organisation"), theme.HomeIcon(), func() page { return NewOrgPage(svc.Org) }})
	}
	if svc.Supervisor != nil && m.Me().User.Can(api.PermSupervisor) {
		s.items = append(s.items, navItem{"supervisor", lang.L("Supervisor"), theme.GridIcon(), func() page { return NewSupervisorPage(svc.Supervisor, m.Me) }})
	}
	if svc.DemoInbox != nil {
		s.items = append(s.items, navItem{"inbox", lang.L("Demo inbox"), theme.MailAttachmentIcon(), func() page { return NewInboxPage(svc.DemoInbox, zone) }})
	}
	s.stack = container.NewStack()
	// The template holds the widest title, so the list asks for room for
	// every title in the language shown.
	widest := ""
	for _, it := range s.items {
		if fyne.MeasureText(it.title, theme.TextSize(), fyne.TextStyle{}).Width > fyne.MeasureText(widest, theme.TextSize(), fyne.TextStyle{}).Width {
			widest = it.title
		}
	}
	s.nav = widget.NewList(
		func() int { return len(s.items) },
		func() fyne.CanvasObject {
			return container.NewHBox(widget.NewIcon(nil), widget.NewLabel(widest))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			row := o.(*fyne.Container).Objects
			row[0].(*widget.Icon).SetResource(s.items[id].icon)
			row[1].(*widget.Label).SetText(s.items[id].title)
		})
	s.nav.OnSelected = s.Show
	s.badge = NewSyncBadge(m.Sync())
	s.badge.OnTapped = s.ShowConflicts
	s.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	signOut := widget.NewButtonWithIcon(lang.L("Sign out"), theme.LogoutIcon(), s.SignOut)

	top := container.NewVBox(container.NewBorder(nil, nil, s.title, container.NewHBox(s.badge, signOut)))
	if err := m.KeyringProblem(); err != nil {
		warn := widget.NewLabel(lang.L("Your system keyring isn't available, so Phoneset can't remember this sign-in. You'll need to sign in again next time."))
		warn.Wrapping = fyne.TextWrapWord
		warn.Importance = widget.WarningImportance
		top.Add(warn)
	}
	top.Add(widget.NewSeparator())
	split := container.NewHSplit(s.nav, s.stack)
	split.Offset = 0.22
	s.content = container.NewBorder(top, nil, nil, nil, split)

	s.cancel = m.Subscribe(func(c account.Change) { fyne.Do(func() { s.changed(c) }) })
	if svc.Live != nil {
		s.stopLive = s.watchLive(svc.Live)
	}
	s.refresh()
	s.nav.Select(0)
	return s
}

// Content is the shell's canvas object.
func (s *Shell) Content() fyne.CanvasObject { return s.content }

// Show switches to navigation entry i, building its page on first use.
func (s *Shell) Show(i int) {
	if i == s.current {
		return
	}
	p, ok := s.pages[i]
	if !ok {
		p = s.items[i].build()
		s.pages[i] = p
	}
	s.current = i
	if l, ok := p.(loader); ok {
		l.Load()
	}
	s.stack.Objects = []fyne.CanvasObject{p.Content()}
	s.stack.Refresh()
	if c := fyne.CurrentApp().Driver().CanvasForObject(s.stack); c != nil {
		p.Focus(c)
	}
}

// Current is the page on show.
func (s *Shell) Current() page { return s.pages[s.current] }

func (s *Shell) changed(c account.Change) {
	if s.cancel == nil {
		return // queued before Close: this shell is gone
	}
	if c&account.ConflictsChanged != 0 && len(s.model.Conflicts()) > 0 {
		defer s.ShowConflicts()
	}
	if c&account.SessionChanged != 0 && !s.model.SignedIn() {
		// The server ended the session (revoked, or the password changed
		// elsewhere): back to sign-in.
		s.Close()
		s.onSignOut()
		return
	}
	s.refresh()
}

// ShowConflicts opens the resolver when there is something to resolve.
func (s *Shell) ShowConflicts() {
	if len(s.model.Conflicts()) == 0 {
		return
	}
	if w := windowFor(s.content); w != nil {
		showResolver(s.model, w)
	}
}

func (s *Shell) refresh() {
	s.badge.SetState(s.model.Sync())
	name := s.model.Me().Profile.DisplayName
	s.title.SetText(name)
	s.setTitle(windowTitle(name))
	for _, p := range s.pages {
		if r, ok := p.(refresher); ok {
			r.Refresh()
		}
	}
}

// SignOut ends the session on the server and locally.
func (s *Shell) SignOut() {
	async(func() (struct{}, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return struct{}{}, s.model.SignOut(ctx)
	}, func(struct{}, error) {
		// Signing out clears the local session even when the server is
		// unreachable, so the user is signed out either way.
		s.Close()
		s.onSignOut()
	})
}

// NavMenu is the "Go" menu: every page, with Ctrl+1… (Cmd on macOS) as its
// shortcut. Window menu shortcuts work even while a text field has focus.
func (s *Shell) NavMenu() *fyne.Menu {
	items := make([]*fyne.MenuItem, len(s.items))
	for i, it := range s.items {
		items[i] = fyne.NewMenuItem(it.title, func() { s.nav.Select(i) })
		items[i].Icon = it.icon
		if i < 10 {
			// Ctrl+1 … Ctrl+9, then Ctrl+0 for the tenth, like browser tabs.
			key := fyne.KeyName(strconv.Itoa((i + 1) % 10))
			items[i].Shortcut = &desktop.CustomShortcut{KeyName: key, Modifier: fyne.KeyModifierShortcutDefault}
		}
	}
	switchTab := func(step int) {
		if t, ok := s.Current().(tabbed); ok {
			t.SwitchTab(step)
		}
	}
	next := fyne.NewMenuItem(lang.L("Next tab"), func() { switchTab(1) })
	next.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyPageDown, Modifier: fyne.KeyModifierControl}
	prev := fyne.NewMenuItem(lang.L("Previous tab"), func() { switchTab(-1) })
	prev.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyPageUp, Modifier: fyne.KeyModifierControl}
	items = append(items, fyne.NewMenuItemSeparator(), next, prev)
	return fyne.NewMenu(lang.L("Go"), items...)
}

// Drop opens dropped files on the photo page.
func (s *Shell) Drop(uris []fyne.URI) {
	for i, it := range s.items {
		if it.id == "photo" {
			s.nav.Select(i)
			s.pages[i].(*PhotoPage).Drop(uris)
			return
		}
	}
}

// Close stops listening to the model and ends what pages run (the level
// meter, device tests).
func (s *Shell) Close() {
	if s.cancel != nil {
		s.cancel()
		s.cancel = nil
	}
	if s.stopLive != nil {
		s.stopLive()
		s.stopLive = nil
	}
	for _, p := range s.pages {
		if c, ok := p.(interface{ Close() }); ok {
			c.Close()
		}
	}
}

// messagePage stands in for a page that can't be shown, saying why.
type messagePage struct{ content fyne.CanvasObject }

func newMessagePage(msg string) *messagePage {
	l := widget.NewLabel(msg)
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.WarningImportance
	return &messagePage{content: container.NewPadded(l)}
}

func (p *messagePage) Content() fyne.CanvasObject { return p.content }
func (p *messagePage) Focus(fyne.Canvas)          {}

// windowTitle names the signed-in user or the step (signing in), so the
// window list (and the end-to-end test) can tell where the app is.
func windowTitle(name string) string {
	if name == "" {
		return "Phoneset"
	}
	return "Phoneset — " + name
}
