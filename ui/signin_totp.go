package ui

import (
	"context"
	"errors"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"
	"github.com/pquerna/otp"

	"github.com/phoneset/phoneset/api"
)

// SecondFactorModel finishes a sign-in that needs a second factor.
// *account.Model satisfies it.
type SecondFactorModel interface {
	SignInSecondFactor(ctx context.Context, challenge, code string, remember bool) ([]string, error)
	EnrolAtSignIn(ctx context.Context, challenge string) (api.TOTPEnrolment, error)
}

// secondStep is the sign-in page's step after the password: the code from
// the authenticator app, after setting one up when the organisation
// requires it and the account has none.
type secondStep struct {
	page      *SignInPage
	challenge string
	code      *widget.Entry
	remember  *widget.Check
	verify    *widget.Button
	problem   *widget.Label
	enrolment *fyne.Container // the QR code and key while enrolling
	box       *fyne.Container
}

// secondFactor shows the second step for a challenge from SignIn.
func (p *SignInPage) secondFactor(challenge string, enrol bool) {
	s := &secondStep{page: p, challenge: challenge}
	s.code = widget.NewEntry()
	s.code.OnSubmitted = func(string) { s.Verify() }
	s.remember = widget.NewCheck(lang.L("Remember this computer for 30 days"), nil)
	s.verify = widget.NewButton(lang.L("Verify"), s.Verify)
	s.verify.Importance = widget.HighImportance
	s.problem = problemLabel()
	s.enrolment = container.NewVBox()

	title, intro := lang.L("Two-factor sign-in"), lang.L("Enter the six-digit code from your authenticator app, or one of your recovery codes.")
	if enrol {
		title = lang.L("Set up two-factor sign-in")
		intro = lang.L("Your organisation requires two-factor sign-in. Add Phoneset to an authenticator app, then enter the code it shows.")
	}
	s.box = container.NewVBox(
		widget.NewLabelWithStyle(title, fyne.TextAlignCenter, fyne.TextStyle{Bold: true}),
		explain(intro),
		s.enrolment,
		widget.NewForm(widget.NewFormItem(lang.L("Code"), s.code)),
		s.remember,
		s.verify,
		widget.NewButton(lang.L("Back to sign in"), p.back),
		s.problem,
	)
	p.second = s
	s.show()
	if enrol {
		s.verify.Disable()
		async(func() (api.TOTPEnrolment, error) {
			ctx, cancel := context.WithTimeout(context.Background(), signInTimeout)
			defer cancel()
			return p.model.EnrolAtSignIn(ctx, challenge)
		}, func(en api.TOTPEnrolment, err error) {
			if err != nil {
				s.fail(err)
				return
			}
			s.enrolment.Objects = []fyne.CanvasObject{enrolmentView(en)}
			s.enrolment.Refresh()
			s.verify.Enable()
			s.show()
			s.ready(title)
		})
		return
	}
	s.ready(title)
}

// show puts the step on the page in a column as tall as it needs.
func (s *secondStep) show() {
	s.page.content.Objects = []fyne.CanvasObject{column(s.box)}
	s.page.content.Refresh()
}

// column centres box at the sign-in page's width, as tall as it is at
// that width: a wrapping label is one line tall until it has a width, and
// the lines it wraps to would spill over what comes below.
func column(box *fyne.Container) fyne.CanvasObject {
	box.Resize(fyne.NewSize(420, box.MinSize().Height))
	return container.NewCenter(container.NewGridWrap(fyne.NewSize(420, box.MinSize().Height), box))
}

// ready puts the cursor in the code field and names the step in the title,
// which says (to people and the end-to-end test) that it takes typing.
func (s *secondStep) ready(title string) {
	// The page is on the canvas already; the new step may not be mapped yet.
	if c := fyne.CurrentApp().Driver().CanvasForObject(s.page.content); c != nil {
		c.Focus(s.code)
	}
	if s.page.OnTitle != nil {
		s.page.OnTitle(title)
	}
}

// Verify sends the code.
func (s *secondStep) Verify() {
	code := strings.TrimSpace(s.code.Text)
	if code == "" {
		s.showProblem(lang.L("Enter the code from your authenticator app."))
		return
	}
	s.verify.Disable()
	remember := s.remember.Checked
	async(func() ([]string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), signInTimeout)
		defer cancel()
		return s.page.model.SignInSecondFactor(ctx, s.challenge, code, remember)
	}, func(codes []string, err error) {
		s.verify.Enable()
		if err != nil {
			s.fail(err)
			return
		}
		s.page.password.SetText("")
		s.page.second = nil
		if len(codes) == 0 {
			s.page.onSignIn()
			return
		}
		s.page.content.Objects = []fyne.CanvasObject{recoveryCodesView(codes, s.page.onSignIn)}
		s.page.content.Refresh()
	})
}

// fail shows why the code was refused; a challenge that ran out (401)
// means starting again with the password.
func (s *secondStep) fail(err error) {
	if errors.Is(err, api.ErrUnauthorized) {
		s.page.back()
		s.page.showProblem(lang.L("Signing in took too long. Enter your password again."))
		return
	}
	s.code.SetText("")
	s.showProblem(describe(err))
}

func (s *secondStep) showProblem(msg string) {
	s.problem.SetText(msg)
	s.problem.Show()
}

// qrQuietZone is about four modules of a 200-pixel code (a TOTP URI
// with issuer and account makes 33-41 modules).
const qrQuietZone = 24

// enrolmentView shows a new secret as a QR code for an authenticator app
// and as a key to type in.
func enrolmentView(en api.TOTPEnrolment) fyne.CanvasObject {
	var qr fyne.CanvasObject = widget.NewLabel("")
	if key, err := otp.NewKeyFromURL(en.URI); err == nil {
		if img, err := key.Image(200, 200); err == nil {
			i := canvas.NewImageFromImage(img)
			i.FillMode = canvas.ImageFillContain
			i.ScaleMode = canvas.ImageScalePixels
			i.SetMinSize(fyne.NewSquareSize(200))
			// A quiet zone of about four modules, white in the dark theme
			// too: phone cameras need it to find the code.
			qr = container.NewStack(canvas.NewRectangle(color.White),
				container.New(layout.NewCustomPaddedLayout(qrQuietZone, qrQuietZone, qrQuietZone, qrQuietZone), i))
		}
	}
	key := widget.NewLabelWithStyle(groupKey(en.Secret), fyne.TextAlignCenter, fyne.TextStyle{Monospace: true})
	key.Selectable = true
	return container.NewVBox(
		explain(lang.L("Scan this QR code with an authenticator app, or type in the key below it.")),
		container.NewCenter(qr),
		key,
	)
}

// groupKey splits a base32 key into groups of four for typing.
func groupKey(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// recoveryCodesView shows new recovery codes once, with a way to copy
// them; done runs on Continue.
func recoveryCodesView(codes []string, done func()) fyne.CanvasObject {
	list := widget.NewLabelWithStyle(strings.Join(codes, "\n"), fyne.TextAlignCenter, fyne.TextStyle{Monospace: true})
	list.Selectable = true
	cont := widget.NewButton(lang.L("Continue"), done)
	cont.Importance = widget.HighImportance
	box := container.NewVBox(
		widget.NewLabelWithStyle(lang.L("Your recovery codes"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true}),
		explain(lang.L("Keep these codes somewhere safe. Each one signs you in once instead of a code, if you lose your phone. They are not shown again.")),
		list,
		widget.NewButton(lang.L("Copy codes"), func() { fyne.CurrentApp().Clipboard().SetContent(strings.Join(codes, "\n")) }),
		cont,
	)
	return column(box)
}
