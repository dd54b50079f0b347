package ui

import (
	"context"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"

	"github.com/phoneset/phoneset/api"
)

// fakeTOTP is the two-factor side of the fakes: the state the server would
// keep, the right code, and what was asked.
type fakeTOTP struct {
	status   api.SecondFactorStatus
	org      api.OrgSecondFactor
	err      error // the next call fails with it, once
	calls    []string
	remember []bool
}

const (
	fakeChallenge = "psc_fake"
	fakeCode      = "123456"
	fakeURI       = "otpauth://totp/Phoneset:bo@demo.test?issuer=Phoneset&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
)

var fakeCodes = []string{"abcd-efgh-ijkl-mnop", "qrst-uvwx-yz23-4567"}

func (f *fakeTOTP) call(name string) error {
	f.calls = append(f.calls, name)
	err := f.err
	f.err = nil
	return err
}

func (f *fakeTOTP) check(code string) error {
	if code != fakeCode && !slices.Contains(fakeCodes, code) {
		return api.Invalid(map[string]*api.Reason{api.FieldCode: api.Because(api.ReasonWrongTOTP)})
	}
	return nil
}

func (f *fakeModel) SignInSecondFactor(_ context.Context, challenge, code string, remember bool) ([]string, error) {
	if err := f.totp.call("second factor " + challenge); err != nil {
		return nil, err
	}
	if err := f.totp.check(code); err != nil {
		return nil, err
	}
	f.totp.remember = append(f.totp.remember, remember)
	f.signedIn = true
	if slices.Contains(f.totp.calls, "enrol "+challenge) {
		return fakeCodes, nil
	}
	return nil, nil
}

func (f *fakeModel) EnrolAtSignIn(_ context.Context, challenge string) (api.TOTPEnrolment, error) {
	return api.TOTPEnrolment{Secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", URI: fakeURI}, f.totp.call("enrol " + challenge)
}

func (f *fakeServer) SecondFactor(context.Context) (api.SecondFactorStatus, error) {
	return f.totp.status, f.totp.call("status")
}

func (f *fakeServer) StartEnrolment(_ context.Context, password string) (api.TOTPEnrolment, error) {
	if err := f.prove("start enrolment", password); err != nil {
		return api.TOTPEnrolment{}, err
	}
	return api.TOTPEnrolment{Secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", URI: fakeURI}, f.totp.call("start")
}

func (f *fakeServer) ConfirmEnrolment(_ context.Context, code string) ([]string, error) {
	if err := f.totp.check(code); err != nil {
		return nil, err
	}
	f.totp.status = api.SecondFactorStatus{Enabled: true, RecoveryCodesLeft: len(fakeCodes)}
	return fakeCodes, f.totp.call("confirm")
}

func (f *fakeServer) DisableSecondFactor(_ context.Context, password, code string) error {
	if err := f.prove("disable", password); err != nil {
		return err
	}
	if err := f.totp.check(code); err != nil {
		return err
	}
	f.totp.status = api.SecondFactorStatus{}
	return f.totp.call("disable")
}

func (f *fakeServer) NewRecoveryCodes(_ context.Context, password string) ([]string, error) {
	if err := f.prove("new codes", password); err != nil {
		return nil, err
	}
	return fakeCodes, f.totp.call("new codes")
}

func (f *fakeOrg) OrgSecondFactor(context.Context) (api.OrgSecondFactor, error) {
	if f.totp.org.Members == nil {
		f.totp.org = api.OrgSecondFactor{Policy: api.SecondFactorOptional, Version: 1, Members: []api.MemberSecondFactor{
			{ID: "u_admin", DisplayName: "Ada Admin", Admin: true, Enabled: true},
			{ID: "u_bo", DisplayName: "Bo Agent", Enabled: true},
			{ID: "u_cy", DisplayName: "Cy Agent"},
		}}
	}
	return f.totp.org, f.totp.call("org")
}

func (f *fakeOrg) SetSecondFactorPolicy(_ context.Context, version int64, policy string) (api.OrgSecondFactor, error) {
	if err := f.totp.call("policy " + policy); err != nil {
		return api.OrgSecondFactor{}, err
	}
	if version != f.totp.org.Version {
		return api.OrgSecondFactor{}, api.ErrStale
	}
	f.totp.org.Policy, f.totp.org.Version = policy, version+1
	return f.totp.org, nil
}

func (f *fakeOrg) ResetSecondFactor(_ context.Context, userID, password string) error {
	if err := f.totp.call("reset " + userID + " " + password); err != nil {
		return err
	}
	for i := range f.totp.org.Members {
		if f.totp.org.Members[i].ID == userID {
			f.totp.org.Members[i].Enabled = false
		}
	}
	return nil
}

func challengeErr(enrol bool) error {
	return &api.Error{Status: 401, Code: api.CodeSecondFactorRequired,
		Reason: &api.Reason{Code: api.ReasonSecondFactor, Args: api.Args{"challenge": fakeChallenge, "enrol": enrol}}}
}

// signInToSecondStep types the password into a sign-in page whose model
// answers with a challenge.
func signInToSecondStep(t *testing.T, enrol bool) (*SignInPage, *fakeModel, fyne.Window, *bool, *string) {
	t.Helper()
	setup(t)
	m := newFakeModel()
	m.signInErr = challengeErr(enrol)
	done, title := false, ""
	p := NewSignInPage(m, newFakeServer(), "laptop", "", func() { done = true })
	p.OnTitle = func(s string) { title = s }
	w := show(t, p.Content())
	test.Type(p.login, "agent1")
	test.Type(p.password, "Phoneset-demo-1")
	test.Tap(p.submit)
	if p.second == nil {
		t.Fatal("no second step after a challenge")
	}
	return p, m, w, &done, &title
}

func TestSignInSecondFactorRenders(t *testing.T) {
	p, _, w, _, title := signInToSecondStep(t, false)
	assertGolden(t, "signin_totp.xml", w.Canvas())
	if *title != "Two-factor sign-in" && goldenLang == "en" {
		t.Errorf("title %q", *title)
	}
	if c := w.Canvas().Focused(); c != p.second.code {
		t.Errorf("focus on %v, not the code", c)
	}
}

func TestSignInSecondFactor(t *testing.T) {
	for _, tt := range []struct {
		name     string
		code     string
		remember bool
		err      error
		done     bool
		problem  string
		back     bool // on the password form again
	}{
		{"the code", fakeCode, false, nil, true, "", false},
		{"remembered", " " + fakeCode + " ", true, nil, true, "", false},
		{"a recovery code", fakeCodes[1], false, nil, true, "", false},
		{"a wrong code", "654321", false, nil, false, "Code: is wrong, has expired or was already used; wait for the next code", false},
		{"no code", "", false, nil, false, "Enter the code from your authenticator app.", false},
		{"locked", fakeCode, false, &api.Error{Status: 429, Code: api.CodeRateLimited}, false, "Too many attempts. Try again in 1 seconds.", false},
		{"the challenge ran out", fakeCode, false, api.ErrUnauthorized, false, "Signing in took too long. Enter your password again.", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, m, _, done, _ := signInToSecondStep(t, false)
			s := p.second
			m.totp.err = tt.err
			test.Type(s.code, tt.code)
			if tt.remember {
				test.Tap(s.remember)
			}
			test.Tap(s.verify)
			if *done != tt.done {
				t.Errorf("signed in %v, want %v", *done, tt.done)
			}
			if tt.done && (len(m.totp.remember) != 1 || m.totp.remember[0] != tt.remember) {
				t.Errorf("remember sent %v", m.totp.remember)
			}
			problem := s.problem
			if tt.back {
				problem = p.problem
				if p.second != nil || p.content.Objects[0] != p.main {
					t.Error("still on the second step")
				}
			}
			if got := problem.Text; problem.Visible() != (tt.problem != "") || (tt.problem != "" && got != tt.problem) {
				t.Errorf("problem %q (visible %v), want %q", got, problem.Visible(), tt.problem)
			}
		})
	}
}

// TestSignInEnrol: an organisation's policy walks the user through
// enrolment: QR code and key, the first code, then the recovery codes.
func TestSignInEnrol(t *testing.T) {
	p, m, w, done, _ := signInToSecondStep(t, true)
	assertGolden(t, "signin_totp_enrol.xml", w.Canvas())
	if !slices.Contains(m.totp.calls, "enrol "+fakeChallenge) {
		t.Fatalf("calls %v", m.totp.calls)
	}
	test.Type(p.second.code, fakeCode)
	test.Tap(p.second.verify)
	if *done {
		t.Fatal("signed in before the recovery codes were shown")
	}
	assertGolden(t, "signin_recovery.xml", w.Canvas())
	test.Tap(findButton(w.Canvas().Content(), lang.L("Continue")))
	if !*done {
		t.Fatal("Continue did not finish signing in")
	}
}

func TestSecondFactorCard(t *testing.T) {
	setup(t)
	srv := newFakeServer()
	srv.password = "Phoneset-demo-1"
	c := newSecondFactorCard(srv)
	w := show(t, c.content)
	c.load()
	if c.action.Text != lang.L("Set up…") || !c.codesBtn.Disabled() || !c.code.Disabled() {
		t.Fatalf("off: action %q", c.action.Text)
	}
	// The secret needs the password.
	test.Type(c.password, "guess")
	test.Tap(c.action)
	if !c.problem.Visible() || len(c.extra.Objects) != 0 {
		t.Fatal("a wrong password showed a secret")
	}
	c.password.SetText("")
	test.Type(c.password, "Phoneset-demo-1")
	test.Tap(c.action)
	if len(c.extra.Objects) != 1 || c.action.Text != lang.L("Turn on") || c.password.Text != "" {
		t.Fatalf("no enrolment shown: %q", c.action.Text)
	}
	assertGolden(t, "security_totp_enrol.xml", w.Canvas())
	test.Type(c.code, fakeCode)
	test.Tap(c.action)
	if !srv.totp.status.Enabled || c.action.Text != lang.L("Turn off") || !strings.Contains(c.state.Text, "2") {
		t.Fatalf("not on: %q %q", c.action.Text, c.state.Text)
	}
	// Off needs both the password and a code.
	test.Type(c.code, fakeCode)
	test.Tap(c.action)
	if !srv.totp.status.Enabled || !c.problem.Visible() {
		t.Fatal("turned off without the password")
	}
	c.code.SetText("")
	test.Type(c.password, "Phoneset-demo-1")
	test.Type(c.code, fakeCode)
	test.Tap(c.action)
	if srv.totp.status.Enabled || c.action.Text != lang.L("Set up…") {
		t.Fatalf("still on: %v", srv.totp.calls)
	}
	// Required by the organisation: no way to turn it off.
	srv.totp.status = api.SecondFactorStatus{Enabled: true, Required: true, RecoveryCodesLeft: 7}
	c.load()
	if c.action.Visible() || c.codesBtn.Disabled() {
		t.Error("a required second factor offers Turn off")
	}
}

func TestOrgSecondFactorTab(t *testing.T) {
	p, f, w := orgPage(t)
	p.tabs.SelectIndex(len(p.tabs.Items) - 1)
	assertGolden(t, "org_secondfactor.xml", w.Canvas())
	tab := p.all[len(p.all)-1].(*orgSecondFactorTab)
	if !tab.save.Disabled() {
		t.Fatal("Save enabled before a change")
	}
	tab.policy.SetSelected(policyLabels()[1])
	test.Tap(tab.save)
	if f.totp.org.Policy != api.SecondFactorAdmins || f.totp.org.Version != 2 || !tab.save.Disabled() {
		t.Fatalf("policy %+v", f.totp.org)
	}
	// Someone else changed it meanwhile: the refusal shows, and the tab
	// reloads what the server has.
	f.totp.org.Version = 5
	tab.state.Version = 2
	tab.policy.SetSelected(policyLabels()[2])
	test.Tap(tab.save)
	if !tab.problem.Visible() || tab.chosen() != api.SecondFactorAdmins {
		t.Fatalf("stale save: problem %v, shows %q", tab.problem.Visible(), tab.chosen())
	}
	tab.Reset("u_bo", "Phoneset-demo-1")
	if f.totp.org.Members[1].Enabled || !slices.Contains(f.totp.calls, "reset u_bo Phoneset-demo-1") {
		t.Errorf("reset: %v", f.totp.calls)
	}
}

// TestRecoveryCodesOutlastTheReload: the new recovery codes stay on the
// Security page until Continue, also when the state reload answers after
// they were put up (as it does off the test's synchronous async), and
// Continue puts them away for good.
func TestRecoveryCodesOutlastTheReload(t *testing.T) {
	setup(t)
	srv := newFakeServer()
	srv.password = "Phoneset-demo-1"
	c := newSecondFactorCard(srv)
	show(t, c.content)
	c.load()
	test.Type(c.password, "Phoneset-demo-1")
	test.Tap(c.action)
	test.Type(c.code, fakeCode)
	var held []func()
	goAsync = func(fn func()) { held = append(held, fn) }
	test.Tap(c.action)
	for len(held) > 0 {
		fn := held[0]
		held = held[1:]
		fn()
	}
	if len(c.extra.Objects) != 1 || !strings.Contains(test.RenderObjectToMarkup(c.content), fakeCodes[0]) {
		t.Fatal("the recovery codes went away with the reload")
	}
	if !strings.Contains(c.state.Text, "2") {
		t.Errorf("state %q, want the codes left", c.state.Text)
	}
	test.Tap(findButton(c.extra, lang.L("Continue")))
	c.load()
	for len(held) > 0 {
		fn := held[0]
		held = held[1:]
		fn()
	}
	if len(c.extra.Objects) != 0 {
		t.Error("the recovery codes came back after Continue")
	}
}
