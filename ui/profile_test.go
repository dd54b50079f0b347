package ui

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/phoneset/phoneset/api"
)

func TestProfilePageRenders(t *testing.T) {
	setup(t)
	p := NewProfilePage(newFakeModel(), newFakeServer())
	w := show(t, p.Content())
	assertGolden(t, "profile.xml", w.Canvas())
}

func TestProfileShowsModel(t *testing.T) {
	setup(t)
	p := NewProfilePage(newFakeModel(), newFakeServer())
	want := map[string]string{"first_name": "Bo", "last_name": "Agent", "display_name": "Bo Agent",
		"username": "agent1", "time_zone": "Europe/Stockholm"}
	for _, f := range p.fields {
		if f.entry.Text != want[f.key] {
			t.Errorf("%s = %q, want %q", f.key, f.entry.Text, want[f.key])
		}
	}
	if p.contact.email.Text != "agent1@demo.phoneset.test" || p.language.Selected != "English" {
		t.Errorf("email %q, language %q", p.contact.email.Text, p.language.Selected)
	}
	if p.contact.mobile.Text != "+46 70 123 45 67" || p.contact.fixed.Text != "+46 8 123 456 78" {
		t.Errorf("numbers shown as %q / %q", p.contact.mobile.Text, p.contact.fixed.Text)
	}
	if !p.save.Disabled() || !p.revert.Disabled() {
		t.Error("Save and Revert enabled with nothing changed")
	}
}

func TestProfileSaveSendsOnlyChangedFields(t *testing.T) {
	setup(t)
	m := newFakeModel()
	p := NewProfilePage(m, newFakeServer())
	show(t, p.Content())
	name := p.fields[2].entry
	name.SetText("")
	test.Type(name, "Bo Renamed")
	if p.save.Disabled() {
		t.Fatal("Save disabled after an edit")
	}
	test.Tap(p.save)
	if len(m.updates) != 1 {
		t.Fatalf("UpdateProfile called %d times", len(m.updates))
	}
	u := m.updates[0]
	if u.DisplayName == nil || *u.DisplayName != "Bo Renamed" || u.FirstName != nil || u.LastName != nil {
		t.Fatalf("patch = %+v, want only display_name", u)
	}
	if !p.save.Disabled() || p.fields[2].dirty() {
		t.Error("page still dirty after save")
	}
}

func TestProfileRefusesInvalidInput(t *testing.T) {
	tests := []struct {
		name  string
		field int
		text  string
	}{
		{"empty display name", 2, ""},
		{"control character", 0, "Bo\x07"},
		{"too long", 1, strings.Repeat("x", 65)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setup(t)
			m := newFakeModel()
			p := NewProfilePage(m, newFakeServer())
			show(t, p.Content())
			p.fields[tt.field].entry.SetText(tt.text)
			if !p.save.Disabled() {
				t.Error("Save enabled with an invalid field")
			}
			p.Save() // Return in a field calls Save even while the button is off
			if len(m.updates) != 0 {
				t.Fatalf("invalid value sent: %+v", m.updates)
			}
			if !p.problem.Visible() {
				t.Error("no message for the invalid field")
			}
		})
	}
}

func TestProfileRefreshKeepsTyping(t *testing.T) {
	setup(t)
	m := newFakeModel()
	p := NewProfilePage(m, newFakeServer())
	show(t, p.Content())
	p.fields[0].entry.SetText("Typing")
	m.me.Profile.FirstName = "FromServer"
	m.me.Profile.LastName = "Changed"
	p.Refresh()
	if got := p.fields[0].entry.Text; got != "Typing" {
		t.Errorf("refresh overwrote a field being edited: %q", got)
	}
	if got := p.fields[1].entry.Text; got != "Changed" {
		t.Errorf("untouched field not refreshed: %q", got)
	}
	test.Tap(p.revert)
	if got := p.fields[0].entry.Text; got != "FromServer" {
		t.Errorf("revert = %q, want the server's value", got)
	}
}

// The server's reasons show in the user's language, each field named as
// the page names it; a field no page names shows its reason alone.
func TestProfileShowsServerFieldErrors(t *testing.T) {
	setup(t)
	t.Cleanup(func() { UseLanguage("en") })
	tests := []struct {
		lang string
		want string
	}{
		{"en", "Display name: must be at most 64 characters\nIs taken\nUsername: must be 3 to 32 characters"},
		{"sv", "Användarnamn: måste vara 3 till 32 tecken\nVisningsnamn: får vara högst 64 tecken\nÄr upptaget"},
	}
	for _, tt := range tests {
		if err := UseLanguage(tt.lang); err != nil {
			t.Fatal(err)
		}
		m := newFakeModel()
		// As decoded from JSON: numbers are float64.
		m.fieldErrs = map[string]*api.Reason{
			"display_name": {Code: api.ReasonTooLong, Args: api.Args{"max": 64.0}},
			"username":     api.ValidateUsername("x"),
			"unknown":      api.Because(api.ReasonTaken),
		}
		p := NewProfilePage(m, newFakeServer())
		show(t, p.Content())
		if !p.problem.Visible() || p.problem.Text != tt.want {
			t.Errorf("%s: problem = %q (visible %v), want %q", tt.lang, p.problem.Text, p.problem.Visible(), tt.want)
		}
	}
}

func TestProfileSubmitOnEnter(t *testing.T) {
	setup(t)
	m := newFakeModel()
	p := NewProfilePage(m, newFakeServer())
	w := show(t, p.Content())
	p.Focus(w.Canvas())
	test.Type(p.fields[2].entry, "!")
	p.fields[2].entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	typed := p.fields[2].entry.Text
	if typed == "Bo Agent" || len(m.updates) != 1 || *m.updates[0].DisplayName != typed {
		t.Fatalf("Return did not save: %+v", m.updates)
	}
}

func TestProfileLanguageSavesAtOnce(t *testing.T) {
	setup(t)
	m := newFakeModel()
	p := NewProfilePage(m, newFakeServer())
	show(t, p.Content())
	p.language.SetSelected("Svenska")
	if len(m.updates) != 1 || m.updates[0].Language == nil || *m.updates[0].Language != "sv" {
		t.Fatalf("language patch = %+v", m.updates)
	}
	p.Refresh()
	if len(m.updates) != 1 {
		t.Fatal("refreshing re-sent the language")
	}
}

// Each field is checked before sending with the server's own rule and
// shows the server's reason. Names that would display as something else
// are refused; real names in any script are not.
func TestProfileFieldRules(t *testing.T) {
	tests := []struct {
		field int
		text  string
		code  string // "" when valid
	}{
		{4, "America/New_York", ""},
		{4, "Mars/Base", api.ReasonTimeZone},
		{3, "bo.agent", ""},
		{3, "bo agent", api.ReasonUsernameChars},
		{2, "محمد بن سلمان", ""},
		{0, "דוד", ""},
		{1, "Nguyễn", ""},
		{2, "मोहनदास गांधी", ""},
		{2, "Bo\u202etnegA", api.ReasonBidiControl},
		{0, "B\u200bo", api.ReasonInvisibleChar},
		{1, "Ａgent", api.ReasonNotNormalized},
		{2, "Bo\ue000", api.ReasonNameChars},
	}
	for _, tt := range tests {
		setup(t)
		m := newFakeModel()
		p := NewProfilePage(m, newFakeServer())
		show(t, p.Content())
		p.fields[tt.field].entry.SetText(tt.text)
		if p.save.Disabled() != (tt.code != "") {
			t.Errorf("%s=%q: save enabled %v, want %v", p.fields[tt.field].key, tt.text, !p.save.Disabled(), tt.code == "")
		}
		p.Save()
		if sent := len(m.updates) == 1; sent != (tt.code == "") {
			t.Errorf("%q: sent %v, want %v", tt.text, sent, tt.code == "")
		}
		if tt.code != "" && !strings.Contains(p.problem.Text, reasonText(api.Because(tt.code))) {
			t.Errorf("%q: problem %q, want the %s reason", tt.text, p.problem.Text, tt.code)
		}
	}
}

func TestContactEmailChange(t *testing.T) {
	setup(t)
	m := newFakeModel()
	srv := newFakeServer()
	p := NewProfilePage(m, srv)
	show(t, p.Content())
	c := p.contact
	test.Type(c.newEmail, "not-an-email")
	if !c.sendLink.Disabled() {
		t.Fatal("Send link enabled for an invalid address")
	}
	c.newEmail.SetText("bo@example.com")
	test.Tap(c.sendLink)
	if len(srv.calls) != 1 || srv.calls[0] != "email bo@example.com" || m.refreshes != 1 {
		t.Fatalf("calls %v, refreshes %d", srv.calls, m.refreshes)
	}
	m.me.Profile.PendingEmail = "bo@example.com"
	p.Refresh()
	if !c.emailPending.Visible() || !strings.Contains(c.emailPending.Text, "bo@example.com") {
		t.Errorf("pending email note = %q", c.emailPending.Text)
	}

	// When the organisation owns emails, the field is off and says why.
	m.me.Org.MembersChangeEmail = false
	p.Refresh()
	if !c.newEmail.Disabled() || !c.emailNote.Visible() {
		t.Error("email change offered although the organisation manages emails")
	}
}

// TestContactAsksPasswordWhenStale: a session signed in long ago must
// re-enter the password before starting an email change.
func TestContactAsksPasswordWhenStale(t *testing.T) {
	setup(t)
	m := newFakeModel()
	srv := newFakeServer()
	srv.stale = true
	p := NewProfilePage(m, srv)
	show(t, p.Content())
	c := p.contact
	c.newEmail.SetText("bo@example.com")
	test.Tap(c.sendLink)
	if c.reauth == nil || m.refreshes != 0 {
		t.Fatalf("no password asked for; calls %v", srv.calls)
	}
	c.reauthPassword.SetText("wrong")
	c.reauth.Submit()
	if !c.problem.Visible() || m.refreshes != 0 || !slices.Equal(srv.calls, []string{"email bo@example.com", "reauth"}) {
		t.Fatalf("wrong password: problem %q, calls %v", c.problem.Text, srv.calls)
	}
	c.reauth = nil
	test.Tap(c.sendLink)
	c.reauthPassword.SetText(srv.password)
	c.reauth.Submit()
	want := []string{"email bo@example.com", "reauth", "email bo@example.com", "reauth", "email bo@example.com"}
	if !slices.Equal(srv.calls, want) || m.refreshes != 1 || c.newEmail.Text != "" {
		t.Fatalf("calls %v, want %v; refreshes %d", srv.calls, want, m.refreshes)
	}
}

func TestContactMobileVerification(t *testing.T) {
	setup(t)
	m := newFakeModel()
	srv := newFakeServer()
	p := NewProfilePage(m, srv)
	w := show(t, p.Content())
	c := p.contact
	if c.codeBox.Visible() {
		t.Fatal("code entry shown with nothing pending")
	}
	c.newMobile.SetText("070-123 45 67")
	if !c.sendCode.Disabled() {
		t.Fatal("Send code enabled for a number without country code")
	}
	c.newMobile.SetText("+44 7911 123456")
	test.Tap(c.sendCode)
	if srv.calls[0] != "mobile +447911123456" {
		t.Fatalf("calls = %v, want the E.164 form sent", srv.calls)
	}
	m.me.Profile.PendingMobile = "+447911123456"
	p.Refresh()
	if !c.codeBox.Visible() {
		t.Fatal("code entry hidden while a code is pending")
	}
	assertGolden(t, "profile_code.xml", w.Canvas())
	test.Type(c.code, "000000")
	test.Tap(c.confirm)
	if !c.problem.Visible() || !strings.Contains(c.problem.Text, reasonText(api.Because(api.ReasonCodeExpired))) {
		t.Errorf("wrong code message = %q", c.problem.Text)
	}
	c.code.SetText("123456")
	test.Tap(c.confirm)
	if c.problem.Visible() || c.code.Text != "" {
		t.Errorf("right code: problem %q, code left %q", c.problem.Text, c.code.Text)
	}
}

func TestContactHideNumbers(t *testing.T) {
	setup(t)
	m := newFakeModel()
	p := NewProfilePage(m, newFakeServer())
	show(t, p.Content())
	c := p.contact
	if c.voipNote.Visible() {
		t.Fatal("Mobile VoIP note shown with numbers visible")
	}
	test.Tap(c.hideMobile)
	test.Tap(c.hideFixed)
	if len(m.updates) != 2 || !*m.updates[1].HideMobile || !*m.updates[1].HideFixed {
		t.Fatalf("hide patches = %+v", m.updates)
	}
	if !c.voipNote.Visible() {
		t.Error("both numbers hidden but no Mobile VoIP note")
	}
}

func TestInfoCard(t *testing.T) {
	setup(t)
	m := newFakeModel()
	p := NewProfilePage(m, newFakeServer())
	show(t, p.Content())
	c := p.info
	if len(c.admin.Items) != 1 || len(c.own.Objects) != 1 {
		t.Fatalf("admin %d / own %d lines", len(c.admin.Items), len(c.own.Objects))
	}
	if !c.add.Disabled() {
		t.Fatal("Add enabled with no label")
	}
	test.Type(c.label, "Shift")
	test.Type(c.value, "Mornings")
	test.Tap(c.add)
	if got := m.me.Profile.ExtraInfo; len(got) != 2 || got[1] != (api.InfoField{Label: "Shift", Value: "Mornings"}) {
		t.Fatalf("extra info = %+v", got)
	}
	if len(c.own.Objects) != 2 || c.label.Text != "" {
		t.Error("list not refreshed or form not cleared")
	}
	c.Remove(0)
	if got := m.me.Profile.ExtraInfo; len(got) != 1 || got[0].Label != "Shift" {
		t.Fatalf("after remove = %+v", got)
	}
	if len(m.me.Profile.AdminInfo) != 1 {
		t.Fatal("admin info touched")
	}
}
