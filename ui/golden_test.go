package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/api"
)

// goldenLang is the language tests render in. TestGoldensInSwedish runs
// every golden test again in Swedish; those goldens live in testdata/sv/.
var goldenLang = "en"

// goldenName is where name's golden is kept for the language under test.
func goldenName(name string) string {
	if goldenLang == "en" {
		return name
	}
	return goldenLang + "/" + name
}

// assertGolden compares c with its golden markup in the language under test.
func assertGolden(t *testing.T, name string, c fyne.Canvas) {
	t.Helper()
	test.AssertRendersToMarkup(t, goldenName(name), c)
}

// goldenTests are the tests that render goldens, by name.
var goldenTests = []struct {
	name string
	run  func(*testing.T)
}{
	{"resolver", TestResolver},
	{"devices", TestDevicesPageRenders},
	{"inbox", TestInboxPage},
	{"org", TestOrgPageTabs},
	{"status", TestStatusPage},
	{"status_timer", TestStatusPageTimer},
	{"supervisor", TestSupervisorPage},
	{"notifications", TestNotificationsPage},
	{"plan", TestPlanPage},
	{"apikey", TestAPIKeyPage},
	{"security", TestSessionsCard},
	{"security_checklist", TestPasswordChecklistRenders},
	{"photo", TestPhotoPageRenders},
	{"photo_editor", TestPhotoEditorRenders},
	{"profile", TestProfilePageRenders},
	{"profile_code", TestContactMobileVerification},
	{"theme", TestPagesRenderInLightAndDark},
	{"shell", TestShellRenders},
	{"shell_nokeyring", TestShellWarnsWithoutKeyring},
	{"signin", TestSignInPageRenders},
	{"signin_forgot", TestSignInForgotPassword},
	{"signin_sso", TestSignInSSORenders},
	{"signin_invite", TestSignInInviteRenders},
	{"org_sso", TestOrgSSOTab},
	{"signin_totp", TestSignInSecondFactorRenders},
	{"signin_enrol", TestSignInEnrol},
	{"security_totp", TestSecondFactorCard},
	{"org_secondfactor", TestOrgSecondFactorTab},
	{"about", TestAboutRenders},
}

// TestGoldensInSwedish renders every page again in Swedish. Each golden
// test calls setup, which switches the language when goldenLang says so.
func TestGoldensInSwedish(t *testing.T) {
	goldenLang = "sv"
	t.Cleanup(func() { goldenLang = "en" })
	for _, g := range goldenTests {
		t.Run(g.name, g.run)
	}
}

// TestEveryGoldenHasASwedishTwin keeps the Swedish goldens complete: a new
// golden test must join goldenTests.
func TestEveryGoldenHasASwedishTwin(t *testing.T) {
	files, err := filepath.Glob("testdata/*.*")
	if err != nil || len(files) == 0 {
		t.Fatalf("no goldens: %v", err)
	}
	for _, f := range files {
		if _, err := os.Stat(filepath.Join("testdata", "sv", filepath.Base(f))); err != nil {
			t.Errorf("%s has no Swedish twin in testdata/sv (add its test to goldenTests)", f)
		}
	}
}

// TestNoTextClipped walks the sign-in page (and its "forgot password" and
// invitation forms) and every page of an admin's shell, each Organisation tab too (with
// every optional tab a server may offer), at the app's window size in both
// languages, and fails when any text does not fit the space it got or a
// page needs a wider window: a window grows to its widest tab.
func TestNoTextClipped(t *testing.T) {
	for _, code := range api.Languages {
		t.Run(code, func(t *testing.T) {
			setup(t)
			if err := UseLanguage(code); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { UseLanguage("en") })
			appSize := fyne.NewSize(1024, 680)
			demo := &DemoAccounts{Admin: "admin", Agents: []string{"agent1", "agent2"}, Password: "Phoneset-demo-1"}
			in := NewSignInPage(newFakeModel(), newFakeServer(), "laptop", demo.hint(), func() {})
			w := show(t, in.Content())
			w.Resize(appSize)
			assertNotClipped(t, code+"/signin", w.Canvas())
			in.Forgot()
			assertNotClipped(t, code+"/signin/forgot", w.Canvas())
			invited := &fakeInviteModel{fakeModel: newFakeModel()}
			in = NewSignInPage(invited, newFakeServer(), "laptop", "", func() {})
			w.SetContent(in.Content())
			in.acceptInvitation(invited)
			assertNotClipped(t, code+"/signin/invitation", w.Canvas())

			m := newFakeModel()
			m.me.User.Permissions = []string{api.PermAccount, api.PermSupervisor}
			svc := newFakeServer().services()
			svc.Org = everyOrgTab{&fakeProvision{fakeOrg: newFakeOrg(), available: true}, &fakeSSO{}}
			svc.Supervisor = newFakeSupervisor()
			s := NewShell(m, svc, func(string) {}, func() {})
			w = show(t, s.Content())
			w.Resize(appSize)
			for i, it := range s.items {
				s.Show(i)
				var tabs *container.AppTabs
				walkVisible(w.Canvas().Content(), func(o fyne.CanvasObject) {
					if at, ok := o.(*container.AppTabs); ok && tabs == nil {
						tabs = at
					}
				})
				if tabs == nil {
					assertNotClipped(t, code+"/"+it.id, w.Canvas())
					continue
				}
				for j := range tabs.Items {
					tabs.SelectIndex(j)
					assertNotClipped(t, code+"/"+it.id+"/"+tabs.Items[j].Text, w.Canvas())
				}
				if min := w.Canvas().Content().MinSize(); min.Width > appSize.Width {
					t.Errorf("%s/%s needs a window %.0f wide, wider than %.0f", code, it.id, min.Width, appSize.Width)
				}
			}
		})
	}
}

// everyOrgTab is an organisation whose model offers every optional tab.
type everyOrgTab struct {
	*fakeProvision
	*fakeSSO
}

// assertNotClipped fails for every visible text in c that sticks out of a
// widget around it or is cut short: a label, button, tab or card title too
// narrow for its words. Entries scroll their text and horizontal scrollers
// show the rest on demand, so neither bounds what is inside.
func assertNotClipped(t *testing.T, view string, c fyne.Canvas) {
	t.Helper()
	var found []string
	var walk func(o fyne.CanvasObject, at fyne.Position, bounds []box)
	walk = func(o fyne.CanvasObject, at fyne.Position, bounds []box) {
		if o == nil || !o.Visible() {
			return
		}
		at = at.Add(o.Position())
		switch v := o.(type) {
		case *widget.Entry, *widget.SelectEntry:
			return
		case *canvas.Text:
			if v.Text == "" || v.Size().IsZero() { // Form hint texts are never laid out in tests
				return
			}
			width := fyne.MeasureText(v.Text, v.TextSize, v.TextStyle).Width
			left := at.X
			switch v.Alignment {
			case fyne.TextAlignCenter:
				left += (v.Size().Width - width) / 2
			case fyne.TextAlignTrailing:
				left += v.Size().Width - width
			}
			if width > v.Size().Width+1 {
				found = append(found, fmt.Sprintf("%q needs %.0f px, has %.0f", v.Text, width, v.Size().Width))
				return
			}
			for _, b := range bounds {
				if left < b.left-1 || left+width > b.right+1 {
					found = append(found, fmt.Sprintf("%q (x %.0f–%.0f) sticks out of its %s (x %.0f–%.0f)", v.Text, left, left+width, b.what, b.left, b.right))
					return
				}
			}
			return
		case *widget.Label:
			if v.Truncation != fyne.TextTruncateOff && v.Wrapping == fyne.TextWrapOff {
				need := fyne.MeasureText(v.Text, theme.TextSize(), v.TextStyle).Width + 2*theme.InnerPadding()
				if need > v.Size().Width+1 {
					found = append(found, fmt.Sprintf("%q is truncated: needs %.0f px, has %.0f", v.Text, need, v.Size().Width))
				}
			}
		case *container.Scroll:
			if v.Direction == container.ScrollBoth || v.Direction == container.ScrollHorizontalOnly {
				bounds = nil
			}
		}
		var children []fyne.CanvasObject
		switch v := o.(type) {
		case *fyne.Container:
			children = v.Objects
		case fyne.Widget:
			bounds = append(slices.Clip(bounds), box{fmt.Sprintf("%T", v), at.X, at.X + v.Size().Width})
			children = test.WidgetRenderer(v).Objects()
		}
		for _, ch := range children {
			walk(ch, at, bounds)
		}
	}
	walk(c.Content(), fyne.Position{}, nil)
	for _, o := range c.Overlays().List() {
		walk(o, fyne.Position{}, nil)
	}
	if len(found) > 0 {
		t.Errorf("%s: clipped text:\n  %s", view, strings.Join(found, "\n  "))
	}
}

// box is the horizontal extent of a widget that text must stay inside.
type box struct {
	what        string
	left, right float32
}
