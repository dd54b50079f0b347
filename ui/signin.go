package ui

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/assets"
)

// SignInModel is what the sign-in page needs from the account.
type SignInModel interface {
	SignIn(ctx context.Context, login, password, device string) error
	SecondFactorModel
}

// signInTimeout bounds one sign-in attempt, keyring write included.
const signInTimeout = 30 * time.Second

// SignInPage asks for credentials. Hint, when set, is shown under the form
// (the embedded demo says which accounts to use).
type SignInPage struct {
	model    SignInModel
	reset    ResetModel
	device   string
	onSignIn func()
	// OnTitle, when set, is told the name of a step shown after the first,
	// and the first's again on the way back.
	OnTitle func(step string)

	login     *widget.Entry
	password  *passwordEntry
	submit    *widget.Button
	problem   *widget.Label
	busy      *widget.Activity
	main      fyne.CanvasObject // the sign-in form
	resetting *resetForm        // the "forgot password" form, while shown
	second    *secondStep       // the second factor's step, while shown
	content   *fyne.Container   // shows main or the reset form
}

// NewSignInPage builds the page; onSignIn runs on the UI goroutine after a
// successful sign-in.
func NewSignInPage(m SignInModel, reset ResetModel, device, hint string, onSignIn func()) *SignInPage {
	p := &SignInPage{model: m, reset: reset, device: device, onSignIn: onSignIn}
	p.login = widget.NewEntry()
	p.login.SetPlaceHolder(lang.L("Username or email"))
	p.password = newPasswordEntry()
	p.password.SetPlaceHolder(lang.L("Password"))
	p.login.OnSubmitted = func(string) { p.focusPassword() }
	p.password.OnSubmitted = func(string) { p.SignIn() }
	p.submit = widget.NewButtonWithIcon(lang.L("Sign in"), theme.LoginIcon(), p.SignIn)
	p.submit.Importance = widget.HighImportance
	p.problem = problemLabel()
	p.busy = widget.NewActivity()
	p.busy.Hide()

	title := widget.NewLabelWithStyle(lang.L("Sign in to Phoneset"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	form := container.NewVBox(
		title,
		widget.NewForm(
			widget.NewFormItem(lang.L("Username"), p.login),
			widget.NewFormItem(lang.L("Password"), p.password),
		),
		container.NewStack(p.submit, p.busy),
		widget.NewButton(lang.L("Forgot password?"), p.Forgot),
		p.problem,
	)
	logo := canvas.NewImageFromResource(logoResource)
	logo.FillMode = canvas.ImageFillContain
	// The GPU draws the 192-px logo at 96 px: a 2×2 average at scale 1,
	// pixel for pixel on HiDPI screens. Smooth scaling would resample it
	// on the CPU with Catmull-Rom at each start (~5 ms and ~1.7 MB of
	// buffers before the first frame, 1 MB of the RSS bench-ui measures).
	logo.ScaleMode = canvas.ImageScaleFastest
	logo.SetMinSize(fyne.NewSquareSize(96))
	form.Objects = append([]fyne.CanvasObject{logo}, form.Objects...)
	p.addSSO(form, hint)
	p.addInvite(form)
	if hint != "" {
		h := widget.NewLabel(hint)
		h.Wrapping = fyne.TextWrapWord
		form.Add(widget.NewCard("", lang.L("Demo organisation"), h))
	}
	p.main = container.NewCenter(container.NewGridWrap(fyne.NewSize(420, form.MinSize().Height), form))
	p.content = container.NewStack(p.main)
	return p
}

// Forgot swaps the form for "forgot password"; it swaps back when done or
// on "Back to sign in".
func (p *SignInPage) Forgot() {
	f := newResetForm(p.reset, p.login.Text, func() {
		p.back()
		p.showProblem(lang.L("Password changed. Sign in with your new password."))
		p.problem.Importance = widget.SuccessImportance
		p.problem.Refresh()
	})
	p.resetting = f
	title := widget.NewLabelWithStyle(lang.L("Forgot password"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	box := container.NewVBox(title, f.content, widget.NewButton(lang.L("Back to sign in"), p.back))
	p.content.Objects = []fyne.CanvasObject{container.NewCenter(container.NewGridWrap(fyne.NewSize(420, box.MinSize().Height), box))}
	p.content.Refresh()
}

// back shows the sign-in form again, and names it in the title again
// when a step renamed it.
func (p *SignInPage) back() {
	p.resetting, p.second = nil, nil
	p.content.Objects = []fyne.CanvasObject{p.main}
	p.content.Refresh()
	if p.OnTitle != nil {
		p.OnTitle(lang.L("Sign in"))
	}
}

// Content is the page's canvas object.
func (p *SignInPage) Content() fyne.CanvasObject { return p.content }

// Focus puts the cursor in the first empty field.
func (p *SignInPage) Focus(c fyne.Canvas) {
	if p.login.Text == "" {
		c.Focus(p.login)
		return
	}
	c.Focus(p.password)
}

func (p *SignInPage) focusPassword() {
	if c := fyne.CurrentApp().Driver().CanvasForObject(p.password); c != nil {
		c.Focus(p.password)
	}
}

// SignIn submits the form.
func (p *SignInPage) SignIn() {
	login := strings.TrimSpace(p.login.Text)
	if login == "" || p.password.Text == "" {
		p.showProblem(lang.L("Enter your username and password."))
		return
	}
	p.setBusy(true)
	password := p.password.Text
	async(func() (struct{}, error) {
		ctx, cancel := context.WithTimeout(context.Background(), signInTimeout)
		defer cancel()
		return struct{}{}, p.model.SignIn(ctx, login, password, p.device)
	}, func(_ struct{}, err error) {
		p.setBusy(false)
		if challenge, enrol, ok := api.ChallengeOf(err); ok {
			p.secondFactor(challenge, enrol)
			return
		}
		if err != nil {
			p.showProblem(describe(err))
			return
		}
		p.password.SetText("")
		p.problem.Hide()
		p.onSignIn()
	})
}

func (p *SignInPage) setBusy(busy bool) {
	if busy {
		p.submit.Disable()
		p.busy.Show()
		p.busy.Start()
		return
	}
	p.busy.Stop()
	p.busy.Hide()
	p.submit.Enable()
}

func (p *SignInPage) showProblem(msg string) {
	p.problem.Importance = widget.DangerImportance
	p.problem.SetText(msg)
	p.problem.Show()
}

// logoResource is the app icon sized for the sign-in page.
var logoResource = fyne.NewStaticResource("logo.png", assets.Logo)
