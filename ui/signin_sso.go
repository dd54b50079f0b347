package ui

import (
	"context"
	"errors"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/account"
	"github.com/phoneset/phoneset/api"
)

// SSOSignInModel signs in through the organisation's identity provider in
// the system browser (account.Model does). The sign-in page offers "Sign
// in with your company" only when its model can.
type SSOSignInModel interface {
	SignInSSO(ctx context.Context, email, device string, b account.Browser) error
}

// ssoTimeout bounds a sign-in in the browser: long enough to type a
// password and approve a second factor at the provider.
const ssoTimeout = 5 * time.Minute

// BrowserEnv names a command that opens sign-in pages instead of the
// system browser, with the URL as its last argument (for tests, or a
// kiosk's own browser). Never an embedded web view: the provider's page
// runs in a browser the app cannot read.
const BrowserEnv = "PHONESET_BROWSER"

// openBrowser shows u in the browser BrowserEnv names, else the system's.
func openBrowser(u string) error {
	if cmd := strings.Fields(os.Getenv(BrowserEnv)); len(cmd) > 0 {
		c := exec.Command(cmd[0], append(cmd[1:], u)...)
		if err := c.Start(); err != nil {
			return err
		}
		go c.Wait()
		return nil
	}
	parsed, err := url.Parse(u)
	if err != nil {
		return err
	}
	var openErr error
	fyne.DoAndWait(func() { openErr = fyne.CurrentApp().OpenURL(parsed) })
	return openErr
}

// ssoPage is the browser's page after the sign-in, in the app's language.
func ssoPage() account.SSOPage {
	return account.SSOPage{Lang: speaking,
		Done: lang.L("Signed in"), DoneText: lang.L("You can close this tab and return to Phoneset."),
		Failed:       lang.L("Sign-in failed"),
		FailedText:   lang.L("Your company's sign-in did not sign you in to Phoneset. Close this tab and try again in Phoneset, or ask your IT department."),
		ProviderSaid: lang.L("Your company's sign-in answered:")}
}

// ssoForm asks for the work address and waits for the browser.
type ssoForm struct {
	email    *widget.Entry
	start    *widget.Button
	cancel   *widget.Button
	waiting  *fyne.Container
	problem  *widget.Label
	content  fyne.CanvasObject
	stop     context.CancelFunc // ends the sign-in under way
	open     func(string) error
	onSignIn func()
}

// addSSO puts "Sign in with your company" under the password form when
// the model can; not for the embedded demo (hint set), whose backend has no
// single sign-on.
func (p *SignInPage) addSSO(form *fyne.Container, hint string) {
	m, ok := p.model.(SSOSignInModel)
	if !ok || hint != "" {
		return
	}
	b := widget.NewButton(lang.L("Sign in with your company"), func() { p.signInSSO(m) })
	i := slices.Index(form.Objects, fyne.CanvasObject(p.problem))
	form.Objects = slices.Insert(form.Objects, i, fyne.CanvasObject(b))
}

// signInSSO swaps the form for the company sign-in; "Back to sign in"
// swaps back.
func (p *SignInPage) signInSSO(m SSOSignInModel) *ssoForm {
	f := &ssoForm{open: openBrowser, onSignIn: p.onSignIn}
	back := func() {
		f.Cancel()
		p.back()
	}
	f.email = widget.NewEntry()
	f.email.SetPlaceHolder(lang.L("name@company.com"))
	if strings.Contains(p.login.Text, "@") {
		f.email.SetText(strings.TrimSpace(p.login.Text))
	}
	f.email.OnSubmitted = func(string) { f.Start(m, p.device) }
	f.start = widget.NewButton(lang.L("Continue in browser"), func() { f.Start(m, p.device) })
	f.start.Importance = widget.HighImportance
	f.cancel = widget.NewButton(lang.L("Cancel"), f.Cancel)
	busy := widget.NewActivity()
	busy.Start()
	f.waiting = container.NewHBox(busy, widget.NewLabel(lang.L("Finish signing in in your browser…")), f.cancel)
	f.waiting.Hide()
	f.problem = problemLabel()
	note := widget.NewLabel(lang.L("Your browser opens your company's sign-in page. Phoneset continues when you are signed in there."))
	note.Wrapping = fyne.TextWrapWord
	title := widget.NewLabelWithStyle(lang.L("Sign in with your company"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	box := container.NewVBox(title, note,
		widget.NewForm(widget.NewFormItem(lang.L("Work email"), f.email)),
		f.start, f.waiting, f.problem, widget.NewButton(lang.L("Back to sign in"), back))
	f.content = container.NewCenter(container.NewGridWrap(fyne.NewSize(420, box.MinSize().Height+40), box))
	p.content.Objects = []fyne.CanvasObject{f.content}
	p.content.Refresh()
	if c := fyne.CurrentApp().Driver().CanvasForObject(p.content); c != nil {
		c.Focus(f.email)
	}
	if p.OnTitle != nil {
		p.OnTitle(lang.L("Sign in with your company"))
	}
	return f
}

// Start opens the browser at the organisation's provider and waits for
// the sign-in to come back.
func (f *ssoForm) Start(m SSOSignInModel, device string) {
	email := strings.TrimSpace(f.email.Text)
	if api.ValidateEmail(email) != nil {
		f.show(lang.L("Enter your work email address."))
		return
	}
	ctx, stop := context.WithTimeout(context.Background(), ssoTimeout)
	f.stop = stop
	f.problem.Hide()
	f.start.Disable()
	f.waiting.Show()
	async(func() (struct{}, error) {
		defer stop()
		return struct{}{}, m.SignInSSO(ctx, email, device, account.Browser{Open: f.open, Page: ssoPage()})
	}, func(_ struct{}, err error) {
		f.stop = nil
		f.start.Enable()
		f.waiting.Hide()
		switch {
		case err == nil:
			f.onSignIn()
		case errors.Is(err, context.Canceled):
		case errors.Is(err, context.DeadlineExceeded):
			f.show(lang.L("The sign-in with your company took too long. Try again."))
		case errors.Is(err, account.ErrSSOCancelled):
			f.show(lang.L("The sign-in with your company was cancelled."))
		default:
			f.show(describe(err))
		}
	})
}

// Cancel stops waiting for the browser.
func (f *ssoForm) Cancel() {
	if f.stop != nil {
		f.stop()
	}
}

func (f *ssoForm) show(msg string) {
	f.problem.SetText(msg)
	f.problem.Show()
}
