package ui

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/api"
)

// OrgProvisionModel imports and exports users and manages the tokens an
// identity provider provisions with (SCIM).
type OrgProvisionModel interface {
	CheckUserImport(ctx context.Context, file []byte, firstLine int) (api.ImportReport, error)
	ImportUsers(ctx context.Context, file []byte, firstLine int) (api.ImportReport, error)
	ExportUsersCSV(ctx context.Context) ([]byte, error)
	SCIMTokens(ctx context.Context) (api.SCIMTokens, error)
	CreateSCIMToken(ctx context.Context, name string) (api.SCIMTokenCreated, error)
	RevokeSCIMToken(ctx context.Context, id string) error
}

// addProvisionTab adds the "Import & SCIM" tab to the Organisation page
// when its model offers what the tab needs (*client.Client does).
func (p *OrgPage) addProvisionTab() {
	m, ok := p.model.(OrgProvisionModel)
	if !ok {
		return
	}
	t := newOrgProvisionTab(m)
	p.all = append(p.all, t)
	p.tabs.Append(container.NewTabItem(lang.L("Import & SCIM"), t.content))
}

// orgProvisionTab checks a CSV file of people line by line, exports the
// user list, and creates and revokes SCIM tokens.
type orgProvisionTab struct {
	model OrgProvisionModel

	choose, export *widget.Button
	progress       *widget.ProgressBarInfinite
	status         *widget.Label
	problems       *widget.Table
	report         api.ImportReport
	file           []byte // the file that checked clean
	invite         *widget.Button
	bar            *widget.ProgressBar

	scimNote *widget.Label
	tokens   *fyne.Container
	create   *widget.Button
	tabProblem
	content fyne.CanvasObject
}

func newOrgProvisionTab(m OrgProvisionModel) *orgProvisionTab {
	t := &orgProvisionTab{model: m}
	t.problem = problemLabel()
	t.choose = widget.NewButtonWithIcon(lang.L("Check a CSV file…"), theme.FolderOpenIcon(), t.chooseFile)
	t.export = widget.NewButtonWithIcon(lang.L("Export users (CSV)…"), theme.DownloadIcon(), t.chooseExport)
	t.progress = widget.NewProgressBarInfinite()
	t.progress.Stop()
	t.progress.Hide()
	t.status = widget.NewLabel("")
	t.status.Wrapping = fyne.TextWrapWord
	t.problems = widget.NewTable(func() (int, int) { return len(t.report.Problems) + 1, 3 },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(id widget.TableCellID, o fyne.CanvasObject) { o.(*widget.Label).SetText(t.cell(id)) })
	t.problems.SetColumnWidth(0, 60)
	t.problems.SetColumnWidth(1, 140)
	t.problems.SetColumnWidth(2, 560)
	t.problems.Hide()
	t.invite = widget.NewButtonWithIcon("", theme.MailSendIcon(), t.confirmImport)
	t.invite.Importance = widget.HighImportance
	t.invite.Hide()
	t.bar = widget.NewProgressBar()
	t.bar.Hide()
	// The explanations are wrapping labels: a card's subtitle never wraps,
	// and one this long made the whole window wider than a laptop screen.
	importCard := widget.NewCard(lang.L("Import people"), "", container.NewVBox(
		explain(lang.L("A CSV file with a header line: email (required), first_name, last_name, display_name, license and a column for each structure category. Every line is checked first; nothing changes until you invite the people it lists.")),
		container.NewHBox(t.choose, t.export), t.progress, t.status, container.NewHBox(t.invite), t.bar))

	t.scimNote = explain("")
	t.tokens = container.NewVBox()
	t.create = widget.NewButtonWithIcon(lang.L("Create token…"), theme.ContentAddIcon(), func() {
		askName(t.content, lang.L("New SCIM token"), "", t.CreateToken)
	})
	scimCard := widget.NewCard(lang.L("Provisioning (SCIM)"), "", container.NewVBox(
		explain(lang.L("Your identity provider (Entra ID, Okta…) adds, updates and deactivates people with a token. Each token is shown once; revoke it to stop the provider at once.")),
		t.scimNote, t.tokens, container.NewHBox(t.create)))
	t.content = container.NewBorder(container.NewVBox(t.problem, importCard), scimCard, nil, nil, t.problems)
	return t
}

func (t *orgProvisionTab) load() { orgLoad(t.problem, t.model.SCIMTokens, t.showTokens) }

func (t *orgProvisionTab) usersChanged() {}

// cell is one cell of the problems table; row 0 is its header.
func (t *orgProvisionTab) cell(id widget.TableCellID) string {
	if id.Row == 0 {
		return []string{lang.L("Line"), lang.L("Column"), lang.L("Problem")}[id.Col]
	}
	p := t.report.Problems[id.Row-1]
	switch id.Col {
	case 0:
		return fmt.Sprint(p.Line)
	case 1:
		return p.Column
	}
	return capitalise(reasonText(p.Reason))
}

func (t *orgProvisionTab) chooseFile() {
	w := windowFor(t.content)
	if w == nil {
		return
	}
	d := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil || rc == nil {
			return
		}
		t.CheckFrom(rc)
	}, w)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".csv", ".txt"}))
	d.Show()
}

// CheckFrom reads a CSV file from r, closes it, and has the server check
// it; the problems fill the table.
func (t *orgProvisionTab) CheckFrom(r io.ReadCloser) {
	t.choose.Disable()
	t.progress.Show()
	t.progress.Start()
	t.status.SetText(lang.L("Checking…"))
	t.problems.Hide()
	t.invite.Hide()
	t.bar.Hide()
	done := func() {
		t.choose.Enable()
		t.progress.Stop()
		t.progress.Hide()
	}
	var data []byte
	orgCall(t.problem, func(ctx context.Context) (api.ImportReport, error) {
		var err error
		data, err = io.ReadAll(io.LimitReader(r, 9<<20))
		if cerr := r.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return api.ImportReport{}, err
		}
		return t.model.CheckUserImport(ctx, data, 1)
	}, func(rep api.ImportReport) {
		done()
		t.problem.Hide()
		t.file = data
		t.showReport(rep)
	}, func() {
		done()
		t.status.SetText("")
	})
}

func (t *orgProvisionTab) showReport(rep api.ImportReport) {
	t.report = rep
	if len(rep.Problems) == 0 {
		t.status.SetText(lang.LocalizePlural("{{.Count}} person, no problems found.", rep.Rows, map[string]any{"Count": rep.Rows}))
		t.problems.Hide()
		if rep.Rows > 0 {
			t.invite.SetText(lang.LocalizePlural("Invite {{.Count}} person…", rep.Rows, map[string]any{"Count": rep.Rows}))
			t.invite.Show()
		}
		return
	}
	t.status.SetText(lang.LocalizePlural("{{.Count}} person; fix these problems and check the file again:", rep.Rows, map[string]any{"Count": rep.Rows}))
	t.problems.Refresh()
	t.problems.Show()
}

func (t *orgProvisionTab) confirmImport() {
	w := windowFor(t.content)
	if w == nil {
		return
	}
	n := t.report.Rows
	dialog.ShowConfirm(lang.L("Invite people"),
		lang.LocalizePlural("Invite {{.Count}} person by email? Each gets a link to choose a username and password, valid for 7 days.", n, map[string]any{"Count": n}),
		func(ok bool) {
			if ok {
				t.Import()
			}
		}, w)
}

// importBatchSize is how many people one import request invites.
const importBatchSize = 100

// Import invites the people of the file that checked clean, a part at a
// time so the progress bar moves. A refused part stops it; the parts
// before stay invited, and the status says how many.
func (t *orgProvisionTab) Import() {
	batches, err := importBatches(t.file, importBatchSize)
	if err != nil {
		t.problem.SetText(describe(err))
		t.problem.Show()
		return
	}
	total := t.report.Rows
	t.invite.Hide()
	t.choose.Disable()
	t.bar.SetValue(0)
	t.bar.Show()
	var next func(i, done int)
	next = func(i, done int) {
		if i == len(batches) {
			t.choose.Enable()
			t.file = nil
			t.status.SetText(lang.LocalizePlural("Invited {{.Count}} person.", done, map[string]any{"Count": done}))
			return
		}
		b := batches[i]
		orgCall(t.problem, func(ctx context.Context) (api.ImportReport, error) {
			return t.model.ImportUsers(ctx, b.data, b.firstLine)
		}, func(rep api.ImportReport) {
			t.problem.Hide()
			done += rep.Created
			t.bar.SetValue(float64(done) / float64(max(total, 1)))
			next(i+1, done)
		}, func() {
			t.choose.Enable()
			t.status.SetText(lang.L("Invited {{.Done}} of {{.Total}}; check the file again for the rest.", map[string]any{"Done": done, "Total": total}))
		})
	}
	next(0, 0)
}

// importBatch is a part of an import file: its header and some rows.
type importBatch struct {
	data      []byte
	firstLine int // where the part's header would be in the file
	rows      int
}

// importBatches cuts a CSV file into parts of at most size rows, each
// with the header, so a large import runs as several short requests.
// firstLine puts each part's header on the line before its first row, so
// the server numbers lines as the file does.
func importBatches(file []byte, size int) ([]importBatch, error) {
	file = bytes.TrimPrefix(file, []byte("\uFEFF"))
	r := csv.NewReader(bytes.NewReader(file))
	head, _, _ := bytes.Cut(file, []byte("\n"))
	if bytes.Count(head, []byte(";")) > bytes.Count(head, []byte(",")) {
		r.Comma = ';' // as the server reads it (Excel in Swedish)
	}
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, err
	}
	var out []importBatch
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Comma = r.Comma
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].rows == size {
			line, _ := r.FieldPos(0)
			out = append(out, importBatch{firstLine: line - 1})
			buf.Reset()
			w.Write(header)
		}
		w.Write(rec)
		w.Flush()
		b := &out[len(out)-1]
		b.rows++
		b.data = bytes.Clone(buf.Bytes())
	}
	return out, nil
}

func (t *orgProvisionTab) chooseExport() { chooseSave(t.content, "users.csv", t.ExportTo) }

// ExportTo writes the user list as CSV to w and closes it.
func (t *orgProvisionTab) ExportTo(w io.WriteCloser) {
	exportCSV(t.problem, t.status, w, t.model.ExportUsersCSV)
}

func (t *orgProvisionTab) showTokens(ts api.SCIMTokens) {
	t.create.Enable()
	if !ts.Available {
		t.scimNote.SetText(lang.L("This server does not offer SCIM: provisioning needs the Phoneset server (phoneset-server)."))
		t.create.Disable()
	} else {
		t.scimNote.SetText(lang.L("Endpoint: {{.Path}} on this server, with a token as bearer.", map[string]any{"Path": ts.Path}))
	}
	rows := make([]fyne.CanvasObject, 0, len(ts.Tokens))
	for _, tok := range ts.Tokens {
		used := lang.L("never used")
		if tok.LastUsedAt != nil {
			used = lang.L("last used {{.When}}", map[string]any{"When": tok.LastUsedAt.Local().Format("2006-01-02 15:04")})
		}
		info := widget.NewLabel(lang.L("by {{.Who}}, {{.When}}; {{.Used}}", map[string]any{
			"Who": tok.CreatedBy, "When": tok.CreatedAt.Local().Format("2006-01-02"), "Used": used}))
		revoke := widget.NewButton(lang.L("Revoke"), func() { t.confirmRevoke(tok) })
		rows = append(rows, container.NewBorder(nil, nil, bold(tok.Name), revoke, info))
	}
	if len(rows) == 0 {
		rows = append(rows, widget.NewLabel(lang.L("No tokens.")))
	}
	t.tokens.Objects = rows
	t.tokens.Refresh()
}

func (t *orgProvisionTab) confirmRevoke(tok api.SCIMToken) {
	w := windowFor(t.content)
	if w == nil {
		return
	}
	dialog.ShowConfirm(lang.L("Revoke token"), lang.L("Revoke {{.Name}}? The identity provider using it is refused at once.", map[string]any{"Name": tok.Name}),
		func(ok bool) {
			if ok {
				t.Revoke(tok.ID)
			}
		}, w)
}

// Revoke ends a token and shows the list as it is then.
func (t *orgProvisionTab) Revoke(id string) {
	orgRun(t.problem, func(ctx context.Context) (api.SCIMTokens, error) {
		if err := t.model.RevokeSCIMToken(ctx, id); err != nil {
			return api.SCIMTokens{}, err
		}
		return t.model.SCIMTokens(ctx)
	}, t.showTokens, t.load)
}

// CreateToken makes a token and shows its secret, once.
func (t *orgProvisionTab) CreateToken(name string) {
	orgRun(t.problem, func(ctx context.Context) (api.SCIMTokenCreated, error) {
		return t.model.CreateSCIMToken(ctx, name)
	}, func(c api.SCIMTokenCreated) {
		t.showSecret(c.Secret)
		t.load()
	}, t.load)
}

// showSecret shows a new token's secret with a Copy button; closing the
// dialog loses it for good.
func (t *orgProvisionTab) showSecret(secret string) {
	w := windowFor(t.content)
	if w == nil {
		return
	}
	e := widget.NewEntry()
	e.SetText(secret)
	copyBtn := widget.NewButtonWithIcon(lang.L("Copy"), theme.ContentCopyIcon(), func() {
		fyne.CurrentApp().Clipboard().SetContent(secret)
	})
	body := container.NewVBox(explain(lang.L("Give this token to your identity provider now: it is not shown again.")),
		container.NewBorder(nil, nil, nil, copyBtn, e))
	d := dialog.NewCustom(lang.L("New SCIM token"), lang.L("Done"), body, w)
	d.Resize(fyne.NewSize(560, 200))
	d.Show()
}
