package ui

import (
	"context"
	"errors"
	"io"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/api"
)

// OrgAuditModel reads and exports the audit log.
type OrgAuditModel interface {
	AuditLog(ctx context.Context, q api.AuditQuery) (api.AuditPage, error)
	ExportAuditCSV(ctx context.Context, q api.AuditQuery) ([]byte, error)
}

// auditPageSize is how many events a page of the log holds.
const auditPageSize = 50

// orgAuditTab shows who changed what, when and from where, filtered by
// user, action, resource and dates; an event expands to its details.
type orgAuditTab struct {
	model    OrgAuditModel
	users    func() []api.OrgUser
	zone     zoneFunc
	query    api.AuditQuery
	next     int64
	pageSize int
	userIDs  []string // by index of user's options; "" is anyone

	user     *widget.Select
	action   *widget.Entry
	resource *widget.Entry
	from, to *widget.Entry
	apply    *widget.Button
	export   *widget.Button
	events   *widget.Accordion
	more     *widget.Button
	status   *widget.Label
	tabProblem
	content fyne.CanvasObject
}

func newOrgAuditTab(m OrgAuditModel, users func() []api.OrgUser, zone zoneFunc) *orgAuditTab {
	t := &orgAuditTab{model: m, users: users, zone: zone, pageSize: auditPageSize}
	t.user = widget.NewSelect(nil, nil)
	t.action, t.resource = widget.NewEntry(), widget.NewEntry()
	t.action.SetPlaceHolder(lang.L("e.g. profile.update, or org for every org change"))
	t.resource.SetPlaceHolder(lang.L("e.g. org/…/cost-centers"))
	t.from, t.to = widget.NewEntry(), widget.NewEntry()
	for _, e := range []*widget.Entry{t.from, t.to} {
		e.SetPlaceHolder("YYYY-MM-DD")
		e.Validator = func(s string) error {
			if _, ok := t.date(s); !ok {
				return errors.New(lang.L("Enter a date like 2026-11-23"))
			}
			return nil
		}
		e.OnSubmitted = func(string) { t.Apply() }
	}
	t.action.OnSubmitted = func(string) { t.Apply() }
	t.resource.OnSubmitted = func(string) { t.Apply() }
	t.apply = widget.NewButtonWithIcon(lang.L("Apply filters"), theme.SearchIcon(), t.Apply)
	t.export = widget.NewButtonWithIcon(lang.L("Export CSV…"), theme.DownloadIcon(), t.chooseExport)
	t.events = widget.NewAccordion()
	t.more = widget.NewButton(lang.L("Older events"), t.More)
	t.more.Hide()
	t.status = widget.NewLabel("")
	t.problem = problemLabel()
	filters := widget.NewForm(
		widget.NewFormItem(lang.L("User"), t.user),
		widget.NewFormItem(lang.L("Action"), t.action),
		widget.NewFormItem(lang.L("Resource"), t.resource),
		widget.NewFormItem(lang.L("From"), t.from),
		widget.NewFormItem(lang.L("To"), t.to),
	)
	t.content = container.NewVScroll(container.NewVBox(
		t.problem,
		widget.NewCard(lang.L("Audit log"), lang.L("Every change by users and admins: who, when, from where, what, old and new."),
			container.NewVBox(filters, container.NewHBox(t.status, layout.NewSpacer(), t.export, t.apply))),
		t.events,
		container.NewHBox(layout.NewSpacer(), t.more, layout.NewSpacer()),
	))
	t.usersChanged()
	return t
}

// date reads a date filter in the organisation's time zone; "" is none.
func (t *orgAuditTab) date(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, true
	}
	d, err := time.ParseInLocation(time.DateOnly, s, t.zone())
	return d, err == nil
}

func (t *orgAuditTab) usersChanged() {
	users := t.users()
	opts := []string{lang.L("Anyone")}
	t.userIDs = []string{""}
	for _, u := range users {
		opts = append(opts, userLabel(u))
		t.userIDs = append(t.userIDs, u.ID)
	}
	sel := max(t.user.SelectedIndex(), 0)
	t.user.SetOptions(opts)
	t.user.SetSelectedIndex(min(sel, len(opts)-1))
}

func (t *orgAuditTab) load() { t.Apply() }

// filters reads the query the fields ask for; ok is false while a date is
// not one.
func (t *orgAuditTab) filters() (api.AuditQuery, bool) {
	q := api.AuditQuery{Action: t.action.Text, Resource: t.resource.Text, Limit: t.pageSize}
	if i := t.user.SelectedIndex(); i > 0 && i < len(t.userIDs) {
		q.User = t.userIDs[i]
	}
	from, ok1 := t.date(t.from.Text)
	to, ok2 := t.date(t.to.Text)
	q.From = from
	if !to.IsZero() {
		q.To = to.AddDate(0, 0, 1) // through the end of that day
	}
	return q, ok1 && ok2
}

// Apply shows the newest events matching the filters.
func (t *orgAuditTab) Apply() {
	q, ok := t.filters()
	if !ok {
		return
	}
	t.query = q
	orgLoad(t.problem, func(ctx context.Context) (api.AuditPage, error) {
		return t.model.AuditLog(ctx, q)
	}, func(p api.AuditPage) {
		t.events.Items = nil
		t.append(p)
	})
}

// More appends the next older page.
func (t *orgAuditTab) More() {
	q := t.query
	q.Before = t.next
	orgLoad(t.problem, func(ctx context.Context) (api.AuditPage, error) {
		return t.model.AuditLog(ctx, q)
	}, t.append)
}

func (t *orgAuditTab) append(p api.AuditPage) {
	for _, ev := range p.Events {
		t.events.Append(widget.NewAccordionItem(t.title(ev), t.detail(ev)))
	}
	t.events.Refresh()
	t.next = p.NextBefore
	t.more.Hidden = p.NextBefore == 0
	t.more.Refresh()
	if len(t.events.Items) == 0 {
		t.status.SetText(lang.L("No events match."))
	} else {
		t.status.SetText(lang.L("Events shown: {{.Count}}", map[string]any{"Count": len(t.events.Items)}))
	}
}

func (t *orgAuditTab) title(ev api.AuditEvent) string {
	s := t.zone.stamp(ev.At) + " · " + ev.Actor + " · " + ev.Action
	if ev.Field != "" {
		s += " · " + ev.Field
	}
	return s
}

// detail is everything an event records.
func (t *orgAuditTab) detail(ev api.AuditEvent) fyne.CanvasObject {
	shown := func(v string) string {
		if v == "" {
			return lang.L("(empty)")
		}
		return v
	}
	f := widget.NewForm(
		widget.NewFormItem(lang.L("When"), widget.NewLabel(ev.At.In(t.zone()).Format("2006-01-02 15:04:05 MST"))),
		widget.NewFormItem(lang.L("Who"), widget.NewLabel(ev.Actor+" ("+ev.ActorID+")")),
		widget.NewFormItem(lang.L("From"), widget.NewLabel(shown(ev.IP))),
		widget.NewFormItem(lang.L("Action"), widget.NewLabel(ev.Action)),
		widget.NewFormItem(lang.L("Resource"), widget.NewLabel(ev.Resource)),
	)
	if ev.Field != "" {
		f.Append(lang.L("Field"), widget.NewLabel(ev.Field))
	}
	if ev.Old != "" || ev.New != "" {
		old, nw := widget.NewLabel(shown(ev.Old)), widget.NewLabel(shown(ev.New))
		old.Wrapping, nw.Wrapping = fyne.TextWrapWord, fyne.TextWrapWord
		f.Append(lang.L("Old"), old)
		f.Append(lang.L("New"), nw)
	}
	return f
}

func (t *orgAuditTab) chooseExport() { chooseSave(t.content, "audit-log.csv", t.ExportTo) }

// chooseSave asks where to save a file, suggesting name, and hands the
// file to write.
func chooseSave(obj fyne.CanvasObject, name string, write func(io.WriteCloser)) {
	w := windowFor(obj)
	if w == nil {
		return
	}
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil || wc == nil {
			return
		}
		write(wc)
	}, w)
	d.SetFileName(name)
	d.Show()
}

// ExportTo writes every event matching the filters as CSV to w and
// closes it.
func (t *orgAuditTab) ExportTo(w io.WriteCloser) {
	q, ok := t.filters()
	if !ok {
		w.Close()
		return
	}
	exportCSV(t.problem, t.status, w, func(ctx context.Context) ([]byte, error) { return t.model.ExportAuditCSV(ctx, q) })
}

// exportCSV writes what fetch downloads to w, closes it, and says how
// much in status.
func exportCSV(problem, status *widget.Label, w io.WriteCloser, fetch func(ctx context.Context) ([]byte, error)) {
	orgRun(problem, func(ctx context.Context) (int, error) {
		data, err := fetch(ctx)
		if err != nil {
			w.Close()
			return 0, err
		}
		n, err := w.Write(data)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		return n, err
	}, func(n int) {
		status.SetText(lang.L("Exported {{.Size}} KB.", map[string]any{"Size": (n + 1023) / 1024}))
	}, nil)
}
