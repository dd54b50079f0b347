package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"

	"github.com/phoneset/phoneset/account"
	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/assets"
)

// fakeModel stands in for account.Model: it records what pages ask of it
// and lets tests say what it answers.
type fakeModel struct {
	me         api.Me
	sync       account.SyncState
	fieldErrs  map[string]string
	keyringErr error
	signedIn   bool

	signInErr error
	signIns   [][3]string // login, password, device
	updateErr error
	updates   []api.ProfilePatch
	signOuts  int
	subs      map[int]func(account.Change)
	nextSub   int
}

func newFakeModel() *fakeModel {
	return &fakeModel{
		signedIn: true,
		subs:     map[int]func(account.Change){},
		me: api.Me{Profile: api.Profile{
			Version: 3, FirstName: "Bo", LastName: "Agent", DisplayName: "Bo Agent",
			Username: "agent1", Email: "agent1@demo.phoneset.test",
		}},
	}
}

func (f *fakeModel) SignIn(_ context.Context, login, password, device string) error {
	f.signIns = append(f.signIns, [3]string{login, password, device})
	if f.signInErr == nil {
		f.signedIn = true
	}
	return f.signInErr
}

func (f *fakeModel) Restore(context.Context) (bool, error) { return f.signedIn, nil }
func (f *fakeModel) Me() api.Me                            { return f.me }
func (f *fakeModel) FieldErrors() map[string]string        { return f.fieldErrs }
func (f *fakeModel) Sync() account.SyncState               { return f.sync }
func (f *fakeModel) KeyringProblem() error                 { return f.keyringErr }
func (f *fakeModel) SignedIn() bool                        { return f.signedIn }

func (f *fakeModel) SignOut(context.Context) error {
	f.signOuts++
	f.signedIn = false
	return nil
}

func (f *fakeModel) UpdateProfile(p api.ProfilePatch) error {
	if f.updateErr != nil {
		return f.updateErr
	}
	f.updates = append(f.updates, p)
	if p.DisplayName != nil {
		f.me.Profile.DisplayName = *p.DisplayName
	}
	if p.FirstName != nil {
		f.me.Profile.FirstName = *p.FirstName
	}
	if p.LastName != nil {
		f.me.Profile.LastName = *p.LastName
	}
	return nil
}

func (f *fakeModel) Subscribe(fn func(account.Change)) func() {
	id := f.nextSub
	f.nextSub++
	f.subs[id] = fn
	return func() { delete(f.subs, id) }
}

// emit delivers a change the way the model does: from another goroutine.
func (f *fakeModel) emit(c account.Change) {
	done := make(chan struct{})
	go func() {
		for _, fn := range f.subs {
			fn(c)
		}
		close(done)
	}()
	<-done
}

// setup gives each test a fresh test app and runs async work inline, so
// interactions are deterministic.
func setup(t *testing.T) {
	t.Helper()
	test.NewTempApp(t)
	inline := goAsync
	goAsync = func(f func()) { f() }
	t.Cleanup(func() { goAsync = inline })
}

// show puts content in a test window of a fixed size.
func show(t *testing.T, content fyne.CanvasObject) fyne.Window {
	t.Helper()
	w := test.NewWindow(content)
	w.Resize(fyne.NewSize(900, 600))
	t.Cleanup(w.Close)
	return w
}

// loadTranslations installs the app's translations into the test app, for
// tests that check plural forms.
func loadTranslations(t *testing.T) {
	t.Helper()
	if err := lang.AddTranslationsFS(assets.Translations, "translations"); err != nil {
		t.Fatal(err)
	}
}
