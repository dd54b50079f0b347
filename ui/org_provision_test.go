package ui

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/api"
)

// fakeProvision is the organisation with import, export and SCIM.
type fakeProvision struct {
	*fakeOrg
	checked   []string
	imported  []string // first_line and rows of each part
	failAt    int      // the part the server refuses, 1-based; 0 for none
	available bool
	tokens    []api.SCIMToken
}

func (f *fakeProvision) CheckUserImport(_ context.Context, file []byte, firstLine int) (api.ImportReport, error) {
	f.checked = append(f.checked, string(file))
	rep := api.ImportReport{Rows: strings.Count(string(file), "\n") - 1, Problems: []api.ImportProblem{}}
	if strings.Contains(string(file), "bad") {
		rep.Problems = append(rep.Problems, api.ImportProblem{Line: 3, Column: "email", Reason: api.Because(api.ReasonEmailFormat)},
			api.ImportProblem{Line: 4, Column: "Office", Reason: &api.Reason{Code: api.ReasonNotAnOption, Args: api.Args{"value": "Oslo"}}})
	}
	return rep, nil
}

func (f *fakeProvision) ImportUsers(_ context.Context, file []byte, firstLine int) (api.ImportReport, error) {
	if len(f.imported)+1 == f.failAt {
		return api.ImportReport{}, &api.Error{Status: 409, Code: api.CodeConflict}
	}
	n := strings.Count(string(file), "\n") - 1
	f.imported = append(f.imported, fmt.Sprint(firstLine, ":", n))
	return api.ImportReport{Rows: n, Created: n}, nil
}

func (f *fakeProvision) ExportUsersCSV(context.Context) ([]byte, error) {
	return []byte(`"id","username"` + "\n"), nil
}

func (f *fakeProvision) SCIMTokens(context.Context) (api.SCIMTokens, error) {
	return api.SCIMTokens{Available: f.available, Path: "/scim/v2", Tokens: append([]api.SCIMToken{}, f.tokens...)}, nil
}

func (f *fakeProvision) CreateSCIMToken(_ context.Context, name string) (api.SCIMTokenCreated, error) {
	tok := api.SCIMToken{ID: "sct_" + name, Name: name, CreatedBy: "Ada Admin", CreatedAt: time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)}
	f.tokens = append(f.tokens, tok)
	return api.SCIMTokenCreated{Token: tok, Secret: "pst_secret"}, nil
}

func (f *fakeProvision) RevokeSCIMToken(_ context.Context, id string) error {
	for i, t := range f.tokens {
		if t.ID == id {
			f.tokens = append(f.tokens[:i], f.tokens[i+1:]...)
			return nil
		}
	}
	return &api.Error{Status: 404, Code: api.CodeNotFound}
}

func provisionTab(t *testing.T, available bool) (*orgProvisionTab, *fakeProvision, fyne.Window) {
	t.Helper()
	setup(t)
	loadTranslations(t)
	f := &fakeProvision{fakeOrg: newFakeOrg(), available: available}
	p := NewOrgPage(f)
	w := test.NewWindow(p.Content())
	w.Resize(fyne.NewSize(1000, 1000))
	t.Cleanup(w.Close)
	p.Load()
	last := p.tabs.Items[len(p.tabs.Items)-1]
	if last.Text != "Import & SCIM" {
		t.Fatalf("last tab %q", last.Text)
	}
	p.tabs.Select(last)
	return p.all[len(p.all)-1].(*orgProvisionTab), f, w
}

func TestOrgProvisionTabOnlyWithItsModel(t *testing.T) {
	p, _, _ := orgPage(t)
	for _, it := range p.tabs.Items {
		if it.Text == "Import & SCIM" {
			t.Fatal("the tab shows for a model without import and SCIM")
		}
	}
}

// TestOrgImportCheck shows each problem of a file by line and column.
func TestOrgImportCheck(t *testing.T) {
	tab, f, _ := provisionTab(t, true)
	tab.CheckFrom(io.NopCloser(strings.NewReader("email,Office\nok@example.com,Malmö\nbad\nx@example.com,Oslo\n")))
	if len(f.checked) != 1 || !tab.problems.Visible() || tab.progress.Visible() || tab.choose.Disabled() {
		t.Fatalf("checked %d, table %v, progress %v", len(f.checked), tab.problems.Visible(), tab.progress.Visible())
	}
	if tab.status.Text != "3 people; fix these problems and check the file again:" {
		t.Errorf("status %q", tab.status.Text)
	}
	var rows []string
	for r := 0; r <= len(tab.report.Problems); r++ {
		var cells []string
		for c := range 3 {
			cells = append(cells, tab.cell(widget.TableCellID{Row: r, Col: c}))
		}
		rows = append(rows, strings.Join(cells, " | "))
	}
	want := "Line | Column | Problem\n3 | email | Must be an email address like name@example.com\n4 | Office | Has \"Oslo\", which is not an option of this category"
	if got := strings.Join(rows, "\n"); got != want {
		t.Errorf("table\n%s\nwant\n%s", got, want)
	}
	tab.CheckFrom(io.NopCloser(strings.NewReader("email\nok@example.com\n")))
	if tab.problems.Visible() || tab.status.Text != "1 person, no problems found." {
		t.Errorf("clean file: table %v, status %q", tab.problems.Visible(), tab.status.Text)
	}
	var out closeBuffer
	tab.ExportTo(&out)
	if out.String() != "\"id\",\"username\"\n" || !out.closed || tab.status.Text != "Exported 1 KB." {
		t.Errorf("export wrote %q, closed %v, status %q", out.String(), out.closed, tab.status.Text)
	}
}

// TestOrgSCIMTokens creates a token, shows its secret once, lists it and
// revokes it.
func TestOrgSCIMTokens(t *testing.T) {
	tab, f, w := provisionTab(t, true)
	if !strings.Contains(tab.scimNote.Text, "/scim/v2") || tab.create.Disabled() || len(tab.tokens.Objects) != 1 {
		t.Fatalf("note %q, create disabled %v, rows %d", tab.scimNote.Text, tab.create.Disabled(), len(tab.tokens.Objects))
	}
	tab.CreateToken("Entra ID")
	if len(f.tokens) != 1 || len(tab.tokens.Objects) != 1 || !strings.Contains(renderedText(w.Canvas().Overlays().Top()), "pst_secret") {
		t.Fatalf("after create: %d tokens, secret shown %v", len(f.tokens), w.Canvas().Overlays().Top() != nil)
	}
	w.Canvas().Overlays().Remove(w.Canvas().Overlays().Top())
	if strings.Contains(renderedText(tab.content), "pst_secret") {
		t.Error("the secret stays on the page")
	}
	tab.Revoke("sct_Entra ID")
	if len(f.tokens) != 0 || tab.problem.Visible() {
		t.Errorf("after revoke: %d tokens, problem %q", len(f.tokens), tab.problem.Text)
	}
	// A second revoke of the same token is refused and shown.
	tab.Revoke("sct_Entra ID")
	if !tab.problem.Visible() {
		t.Error("a refused revoke shows nothing")
	}
}

func TestOrgSCIMUnavailable(t *testing.T) {
	tab, _, _ := provisionTab(t, false)
	if !tab.create.Disabled() || !strings.Contains(tab.scimNote.Text, "does not offer SCIM") {
		t.Errorf("create disabled %v, note %q", tab.create.Disabled(), tab.scimNote.Text)
	}
}

// renderedText is every text and entry under o, joined.
func renderedText(o fyne.CanvasObject) string {
	var b strings.Builder
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Entry:
			b.WriteString(x.Text + "\n")
		case *widget.Label:
			b.WriteString(x.Text + "\n")
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c)
			}
		}
	}
	if o != nil {
		walk(o)
	}
	return b.String()
}

// TestOrgImportInvites invites a clean file a part at a time, with the
// progress bar following; a refused part stops it and says how far it got.
func TestOrgImportInvites(t *testing.T) {
	tab, f, _ := provisionTab(t, true)
	var b strings.Builder
	b.WriteString("email;Office\n")
	for i := range 250 {
		fmt.Fprintf(&b, "p%d@example.com;Malmö\n", i)
	}
	tab.CheckFrom(io.NopCloser(strings.NewReader(b.String())))
	if !tab.invite.Visible() || tab.invite.Text != "Invite 250 people…" {
		t.Fatalf("invite %v %q", tab.invite.Visible(), tab.invite.Text)
	}
	tab.Import()
	if strings.Join(f.imported, " ") != "1:100 101:100 201:50" || tab.bar.Value != 1 || tab.status.Text != "Invited 250 people." || tab.invite.Visible() {
		t.Errorf("parts %v, bar %v, status %q", f.imported, tab.bar.Value, tab.status.Text)
	}
	f.imported, f.failAt = nil, 2
	tab.CheckFrom(io.NopCloser(strings.NewReader(b.String())))
	tab.Import()
	if len(f.imported) != 1 || tab.status.Text != "Invited 100 of 250; check the file again for the rest." || !tab.problem.Visible() || tab.choose.Disabled() {
		t.Errorf("refused part: parts %v, status %q, problem %v", f.imported, tab.status.Text, tab.problem.Visible())
	}
}

func TestImportBatchesKeepLines(t *testing.T) {
	file := "\uFEFFemail,first_name\na@example.com,A\n\"b@example.com\",\"Two\nlines\"\nc@example.com,C\n"
	bs, err := importBatches([]byte(file), 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 2 || bs[0].firstLine != 1 || bs[1].firstLine != 4 || bs[1].rows != 1 ||
		string(bs[1].data) != "email,first_name\nc@example.com,C\n" {
		t.Errorf("batches %+v", bs)
	}
}
