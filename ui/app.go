package ui

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/account"
	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/internal/away"
	"github.com/phoneset/phoneset/internal/machineconf"
)

// Model is everything the app's pages need, as one value for wiring.
type Model interface {
	SignInModel
	ShellModel
	// Restore resumes the session kept in the keyring, if any.
	Restore(ctx context.Context) (bool, error)
}

// Server is what the pages reach on the backend directly, because it is not
// kept in the account model: each part is the small interface a page
// declares. cmd/phoneset wires in the HTTP client.
type Server interface {
	ResetModel
	PlanModel
	APIKeyModel
	SecurityServices
	VerifyModel
	OrgModel
	LiveModel
	SupervisorModel
}

// Options are the facts about this installation the UI shows.
type Options struct {
	Device string        // this computer's name, listed in the user's sessions
	Demo   *DemoAccounts // the embedded demo organisation, if that is the backend

	// DemoInbox lists what the embedded demo backend sent (nil otherwise).
	DemoInbox func() []DemoMessage

	// OpenAudio opens the computer's audio (nil: there is none). It is
	// called once, off the UI goroutine, when the Devices page or the
	// diagnostics first need it; the system should be opened with what
	// AudioPrefs loads.
	OpenAudio  func() (DevicesModel, error)
	AudioPrefs PrefsStore

	// BackendReady waits until the built-in backend answers and returns
	// nil, or returns why it never will (nil: a server elsewhere). The
	// window does not wait for it; should it fail, the window says why in
	// place of a sign-in that could not work.
	BackendReady func(context.Context) error

	// Server is the backend in use (the demo's loopback URL for the
	// built-in one) and where it was chosen, for Help → About.
	Server machineconf.Server
	// RecentErrors returns the last warnings and errors logged, redacted,
	// for Copy diagnostics (nil: none kept).
	RecentErrors func() []string

	LoginStart LoginStartModel // nil when the platform's setting can't be found

	// Away watches the desktop session for away on lock and idle
	// (internal/away.New); nil watches nothing.
	Away func() (away.Watcher, error)
}

// DemoAccounts are the demo organisation's sign-ins, shown on the sign-in
// page so a first run needs no set-up.
type DemoAccounts struct {
	Admin    string
	Agents   []string
	Password string
}

func (d *DemoAccounts) hint() string {
	if d == nil {
		return ""
	}
	return lang.L("Sign in as {{.Admin}} (organisation admin) or as an agent: {{.Agents}}. The password is {{.Password}}.",
		map[string]any{"Admin": d.Admin, "Agents": strings.Join(d.Agents, ", "), "Password": d.Password})
}

// Show fills w with the app: it resumes a stored session or asks to sign in.
func Show(w fyne.Window, m Model, srv Server, opts Options) {
	a := &windowApp{w: w, m: m, srv: srv, opts: opts, audio: newLazyAudio(opts.OpenAudio)}
	// Until the user's setting is known, the system's language if shipped.
	a.setLanguage(systemLanguage())
	// A plain label while the stored session is tried (a few milliseconds
	// without one): an animated widget.Activity here cost the first start
	// 130 ms compiling and drawing its circle shader (bench-ui, pprof).
	w.SetContent(container.NewCenter(widget.NewLabel(lang.L("Signing in…"))))
	async(func() (bool, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		return m.Restore(ctx)
	}, func(ok bool, _ error) {
		// A session that can't be restored (revoked, keyring locked, server
		// down) just means signing in again.
		if ok {
			a.showShell()
			return
		}
		a.showSignIn()
	})
	if opts.BackendReady != nil {
		async(func() (bool, error) {
			return false, opts.BackendReady(context.Background())
		}, func(_ bool, err error) {
			if err != nil {
				a.showBackendFailed(err)
			}
		})
	}
}

type windowApp struct {
	w     fyne.Window
	m     Model
	srv   Server
	opts  Options
	audio *lazyAudio

	language string // the language the UI speaks now
	stop     func() // ends the signed-in session's subscriptions
	failed   bool   // the built-in backend did not start: no page replaces the error
}

// withPresence routes status changes through presence, so this device's own
// changes raise no "changed elsewhere" notification.
type withPresence struct {
	Model
	p *presence
}

func (w withPresence) SetStatus(ctx context.Context, u api.StatusUpdate) error {
	return w.p.SetStatus(ctx, u)
}

func (w withPresence) ExtendStatus(ctx context.Context, minutes int) error {
	return w.p.ExtendStatus(ctx, minutes)
}

func (a *windowApp) showSignIn() {
	if a.failed {
		return
	}
	if a.stop != nil {
		a.stop()
		a.stop = nil
	}
	a.w.SetMainMenu(fyne.NewMainMenu(a.fileMenu(nil), viewMenu(fyne.CurrentApp()), a.helpMenu()))
	p := NewSignInPage(a.m, a.srv, a.opts.Device, a.opts.Demo.hint(), a.showShell)
	p.OnTitle = func(step string) { a.w.SetTitle(windowTitle(step)) }
	a.w.SetContent(p.Content())
	p.Focus(a.w.Canvas())
	// The title changes last: it tells the user (and the end-to-end test)
	// that the page is ready for typing.
	a.w.SetTitle(windowTitle(lang.L("Sign in")))
}

func (a *windowApp) showShell() {
	if a.failed {
		return
	}
	if a.stop != nil {
		a.stop()
	}
	a.followLanguage()
	app := fyne.CurrentApp()
	pres := newPresence(a.m, app, func() { a.w.Show(); a.w.RequestFocus() })
	// As on the sign-in page, the title is set once the page has focus.
	title, ready := "", false
	setTitle := func(t string) {
		if title = t; ready {
			a.w.SetTitle(t)
		}
	}
	svc := Services{Plan: a.srv, APIKey: a.srv, Security: a.srv, Verify: a.srv, Org: a.srv,
		Audio: a.audio, DevicesPrefs: a.opts.AudioPrefs,
		DemoInbox: a.opts.DemoInbox, LoginStart: a.opts.LoginStart, Live: a.srv, Supervisor: a.srv}
	s := NewShell(withPresence{a.m, pres}, svc, setTitle, a.showSignIn)
	// A change queued for the UI before this shell ended (the sign-out's
	// own, whose empty profile has no language) must not build it again
	// over the sign-in page.
	live := true
	cancel := a.m.Subscribe(func(account.Change) {
		fyne.Do(func() {
			if !live {
				return
			}
			pres.changed()
			if a.m.Me().Profile.Language != a.language {
				a.showShell() // rebuild every page in the new language
			}
		})
	})
	a.w.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) { s.Drop(uris) })
	a.w.SetMainMenu(fyne.NewMainMenu(a.fileMenu(s.SignOut), viewMenu(app), s.NavMenu(), pres.statusMenu(), a.helpMenu()))
	stopAway := followAway(a.opts.Away, pres, a.w)
	a.stop = func() {
		live = false
		stopAway()
		cancel()
		s.Close()
		pres.clearTray()
		a.w.SetOnDropped(nil)
	}
	a.w.SetContent(s.Content())
	if p := s.Current(); p != nil {
		p.Focus(a.w.Canvas())
	}
	ready = true
	a.w.SetTitle(title)
}

// showBackendFailed replaces whatever is on show with why the built-in
// backend did not start; Help stays for About and Copy diagnostics.
func (a *windowApp) showBackendFailed(err error) {
	if a.stop != nil {
		a.stop()
		a.stop = nil
	}
	a.failed = true
	a.w.SetMainMenu(fyne.NewMainMenu(a.fileMenu(nil), a.helpMenu()))
	content, quit := startErrorContent(err, lang.L("Phoneset's built-in server could not open its data. Start Phoneset with --server to use another server, or ask your IT department."), a.w.Close)
	a.w.SetContent(content)
	a.w.Canvas().Focus(quit) // Space closes
	a.w.SetTitle(windowTitle(lang.L("Can't start")))
}

// fileMenu has Sign out while signed in (signOut non-nil); Fyne adds Quit.
func (a *windowApp) fileMenu(signOut func()) *fyne.Menu {
	m := fyne.NewMenu(lang.L("File"))
	if signOut != nil {
		m.Items = append(m.Items, fyne.NewMenuItem(lang.L("Sign out"), signOut))
	}
	return m
}

// followLanguage switches the UI to the user's language setting.
func (a *windowApp) followLanguage() {
	if want := a.m.Me().Profile.Language; want != "" && want != a.language {
		a.setLanguage(want)
	}
}

func (a *windowApp) setLanguage(code string) {
	if err := UseLanguage(code); err != nil {
		fyne.LogError("language "+code, err)
		return
	}
	a.language = code
}
