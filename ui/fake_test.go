package ui

import (
	"cmp"
	"context"
	"testing"
	"time"

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
	fieldErrs  map[string]*api.Reason
	keyringErr error
	signedIn   bool

	signInErr error
	signIns   [][3]string // login, password, device
	totp      fakeTOTP
	updateErr error
	updates   []api.ProfilePatch
	signOuts  int
	statusErr error
	statuses  []api.StatusUpdate
	extends   []int
	notifs    []api.Notifications
	refreshes int
	conflicts []account.Conflict
	resolved  map[string]bool
	subs      map[int]func(account.Change)
	nextSub   int
}

func newFakeModel() *fakeModel {
	return &fakeModel{
		signedIn: true,
		subs:     map[int]func(account.Change){},
		me: api.Me{Profile: api.Profile{
			Version: 3, FirstName: "Bo", LastName: "Agent", DisplayName: "Bo Agent",
			Username: "agent1", Email: "agent1@demo.phoneset.test", Language: "en", TimeZone: "Europe/Stockholm",
			Mobile: "+46701234567", FixedNumber: "+46812345678",
			AdminInfo: []api.InfoField{{Label: "Department", Value: "Support"}},
			ExtraInfo: []api.InfoField{{Label: "Languages", Value: "Swedish, English"}},
		},
			Status: api.Status{Version: 1, Availability: api.Online, QueueEligible: true, ChangedByName: "Bo Agent",
				ChangedAt: time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)},
			Org: api.OrgSummary{MembersChangeEmail: true, ReasonCodes: []api.ReasonCode{
				{Code: "lunch", Label: "Lunch"}, {Code: "meeting", Label: "Meeting"}, {Code: "old", Label: "Old", Retired: true}}},
		},
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
func (f *fakeModel) FieldErrors() map[string]*api.Reason   { return f.fieldErrs }
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
	if p.Language != nil {
		f.me.Profile.Language = *p.Language
	}
	if p.HideMobile != nil {
		f.me.Profile.HideMobile = *p.HideMobile
	}
	if p.HideFixed != nil {
		f.me.Profile.HideFixed = *p.HideFixed
	}
	if p.ExtraInfo != nil {
		f.me.Profile.ExtraInfo = *p.ExtraInfo
	}
	return nil
}

func (f *fakeModel) SetStatus(_ context.Context, u api.StatusUpdate) error {
	if f.statusErr != nil {
		return f.statusErr
	}
	f.statuses = append(f.statuses, u)
	st := &f.me.Status
	st.Version++
	st.Availability, st.ReasonCode, st.QueueEligible = u.Availability, u.ReasonCode, u.Availability == api.Online
	st.Until, st.Then = nil, ""
	for _, rc := range f.me.Org.ReasonCodes {
		if rc.Code != u.ReasonCode {
			continue
		}
		minutes := rc.Minutes
		if u.Minutes != nil {
			minutes = *u.Minutes
		}
		if minutes > 0 { // as the server: a reason without a default goes Online
			st.Until, st.Then = new(clock().Add(time.Duration(minutes)*time.Minute)), cmp.Or(rc.Then, api.Online)
		}
	}
	return nil
}

func (f *fakeModel) ExtendStatus(_ context.Context, minutes int) error {
	f.extends = append(f.extends, minutes)
	st := &f.me.Status
	if st.Until == nil {
		return api.Invalid(map[string]*api.Reason{api.FieldMinutes: api.Because(api.ReasonNoTimer)})
	}
	st.Version++
	st.Until = new(st.Until.Add(time.Duration(minutes) * time.Minute))
	return nil
}

func (f *fakeModel) SetNotifications(n api.Notifications) error {
	f.notifs = append(f.notifs, n)
	f.me.Notifications = n
	return nil
}

func (f *fakeModel) Refresh(context.Context) error {
	f.refreshes++
	return nil
}

func (f *fakeModel) Conflicts() []account.Conflict { return f.conflicts }

func (f *fakeModel) Resolve(id string, keepLocal bool) error {
	for i, c := range f.conflicts {
		if c.ID == id {
			f.conflicts = append(f.conflicts[:i], f.conflicts[i+1:]...)
			if f.resolved == nil {
				f.resolved = map[string]bool{}
			}
			f.resolved[id] = keepLocal
			return nil
		}
	}
	return account.ErrNoConflict
}

func (f *fakeModel) UploadAvatar(context.Context, []byte) error  { return nil }
func (f *fakeModel) UploadCover(context.Context, []byte) error   { return nil }
func (f *fakeModel) RemoveAvatar(context.Context) error          { return nil }
func (f *fakeModel) RemoveCover(context.Context) error           { return nil }
func (f *fakeModel) ImportGravatar(context.Context) error        { return nil }
func (f *fakeModel) Avatar(context.Context, int) ([]byte, error) { return nil, api.ErrNotFound }
func (f *fakeModel) Cover(context.Context, int) ([]byte, error)  { return nil, api.ErrNotFound }
func (f *fakeModel) CompanyAvatar(context.Context, int) ([]byte, error) {
	return nil, api.ErrNotFound
}
func (f *fakeModel) CompanyCover(context.Context, int) ([]byte, error) { return nil, api.ErrNotFound }

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
	// Fyne stamps a new renderer's expiry with the clock it read at its
	// last paint. Built over a minute after one (the package under load),
	// a page's renderers are born expired, and the capture of its golden
	// image destroys them half-drawn. A paint now reads the clock anew.
	w := test.NewWindow(nil)
	w.Canvas().Capture()
	w.Close()
	if goldenLang != "en" {
		if err := UseLanguage(goldenLang); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { UseLanguage("en") })
	}
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

// fakeServer stands in for the online-only endpoints (*client.Client).
type fakeServer struct {
	plan     api.Plan
	key      api.APIKey
	password string // the password that proves the user
	stale    bool   // the session must re-authenticate before email or mobile changes
	sessions []api.Session
	err      error
	calls    []string
	totp     fakeTOTP
}

func (f *fakeServer) Plan(context.Context) (api.Plan, error) {
	f.calls = append(f.calls, "plan")
	return f.plan, f.err
}

func (f *fakeServer) APIKey(context.Context) (api.APIKey, error) {
	f.calls = append(f.calls, "apikey")
	return api.APIKey{Masked: f.key.Masked, CreatedAt: f.key.CreatedAt}, f.err
}

func (f *fakeServer) prove(call, password string) error {
	f.calls = append(f.calls, call)
	if password != f.password {
		return &api.Error{Status: 403, Code: api.CodeForbidden, Message: "wrong password"}
	}
	return nil
}

func (f *fakeServer) RevealAPIKey(_ context.Context, pw string) (api.APIKey, error) {
	if err := f.prove("reveal", pw); err != nil {
		return api.APIKey{}, err
	}
	return f.key, nil
}

func (f *fakeServer) RegenerateAPIKey(_ context.Context, pw string) (api.APIKey, error) {
	if err := f.prove("regenerate", pw); err != nil {
		return api.APIKey{}, err
	}
	f.key.Key, f.key.Masked = "psk_new_0123456789", "psk_new_••••6789"
	return f.key, nil
}

func (f *fakeServer) Sessions(context.Context) ([]api.Session, error) {
	f.calls = append(f.calls, "sessions")
	return f.sessions, f.err
}

func (f *fakeServer) RevokeSession(_ context.Context, id string) error {
	f.calls = append(f.calls, "revoke "+id)
	for i, s := range f.sessions {
		if s.ID == id {
			f.sessions = append(f.sessions[:i], f.sessions[i+1:]...)
			break
		}
	}
	return nil
}

func (f *fakeServer) RevokeOtherSessions(context.Context) error {
	f.calls = append(f.calls, "revoke others")
	var keep []api.Session
	for _, s := range f.sessions {
		if s.Current {
			keep = append(keep, s)
		}
	}
	f.sessions = keep
	return nil
}

func newFakeServer() *fakeServer {
	at := time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)
	return &fakeServer{
		password: "Phoneset-demo-1",
		plan: api.Plan{Name: "Unlimited", CycleStart: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Usage: []api.Usage{
			{Metric: "minutes", Used: 420, Limit: 1000}, {Metric: "messages", Used: 12, Limit: 0}, {Metric: "api_requests", Used: 5000, Limit: 2000}}},
		key: api.APIKey{Masked: "psk_••••••••abcd", Key: "psk_live_1234abcd", CreatedAt: at},
		sessions: []api.Session{
			{ID: "s1", Device: "Phoneset on laptop", IP: "127.0.0.1", Created: at, LastSeen: at, Current: true},
			{ID: "s2", Device: "Phoneset on desk", IP: "10.0.0.7", Created: at, LastSeen: at},
			{ID: "s3", Device: "Browser", IP: "10.0.0.9", Created: at, LastSeen: at},
		},
	}
}

var errReauthFake = api.Refused(403, api.CodeForbidden, api.Because(api.ReasonReauthRequired))

func (f *fakeServer) RequestEmailChange(_ context.Context, email string) error {
	f.calls = append(f.calls, "email "+email)
	if f.stale {
		return errReauthFake
	}
	return f.err
}

func (f *fakeServer) Reauthenticate(_ context.Context, pw string) error {
	if err := f.prove("reauth", pw); err != nil {
		return err
	}
	f.stale = false
	return nil
}

func (f *fakeServer) RequestMobileChange(_ context.Context, mobile string) error {
	f.calls = append(f.calls, "mobile "+mobile)
	return f.err
}

func (f *fakeServer) ConfirmMobile(_ context.Context, code string) (api.Profile, error) {
	f.calls = append(f.calls, "confirm "+code)
	if code != "123456" {
		return api.Profile{}, api.Invalid(map[string]*api.Reason{"code": api.Because(api.ReasonCodeExpired)})
	}
	return api.Profile{}, f.err
}

func (f *fakeServer) ChangePassword(_ context.Context, current, next string) error {
	if err := f.prove("change password", current); err != nil {
		return err
	}
	f.password = next
	return nil
}

func (f *fakeServer) DeleteAccount(_ context.Context, password string) error {
	return f.prove("delete", password)
}

func (f *fakeServer) RequestPasswordReset(_ context.Context, req api.PasswordResetRequest) error {
	f.calls = append(f.calls, "reset "+req.Login+" "+req.Channel)
	return f.err
}

func (f *fakeServer) ConfirmPasswordReset(_ context.Context, req api.PasswordResetConfirm) error {
	f.calls = append(f.calls, "confirm reset "+req.Token)
	if req.Token != "123456" {
		return api.Invalid(map[string]*api.Reason{"token": api.Because(api.ReasonTokenInvalid)})
	}
	f.password = req.Password
	return nil
}

func (f *fakeServer) services() Services {
	return Services{Plan: f, APIKey: f, Security: f, Verify: f, LoginStart: &fakeLoginStart{}, Audio: newLazyAudio(nil)}
}
