package server

import (
	"bufio"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server/store"
)

// maxAuditExport caps the rows of one CSV export; narrow the filters for
// more.
const maxAuditExport = 100_000

// auditFilter reads the audit log's query: user, action, resource, from
// and to (RFC 3339, or a date in the org's time zone, to inclusive),
// before and limit.
func (s *Server) auditFilter(r *http.Request, orgID string) (store.OrgAuditFilter, error) {
	v := r.URL.Query()
	f := store.OrgAuditFilter{OrgID: orgID, User: v.Get("user"), Action: v.Get("action"), Resource: v.Get("resource")}
	for name, val := range map[string]string{"user": f.User, "action": f.Action, "resource": f.Resource} {
		if len(val) > 200 {
			return f, badRequest("a filter is too long", map[string]*api.Reason{name: {Code: api.ReasonTooLong, Args: api.Args{"max": 200}}})
		}
	}
	var loc *time.Location
	when := func(name string, end bool) (time.Time, error) {
		val := v.Get(name)
		if val == "" {
			return time.Time{}, nil
		}
		if t, err := time.Parse(time.RFC3339, val); err == nil {
			return t, nil
		}
		if loc == nil {
			o, err := s.st.Q().OrgByID(r.Context(), orgID)
			if err != nil {
				return time.Time{}, err
			}
			if loc, err = time.LoadLocation(o.TimeZone); err != nil {
				loc = time.UTC
			}
		}
		t, err := time.ParseInLocation(time.DateOnly, val, loc)
		if err != nil {
			return time.Time{}, badRequest("dates must look like 2026-11-23 or 2026-11-23T08:00:00Z",
				map[string]*api.Reason{name: api.Because(api.ReasonNotADate)})
		}
		if end {
			t = t.AddDate(0, 0, 1)
		}
		return t, nil
	}
	var err error
	if f.From, err = when("from", false); err != nil {
		return f, err
	}
	if f.To, err = when("to", true); err != nil {
		return f, err
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return f, badRequest("the date range is empty", map[string]*api.Reason{"to": api.Because(api.ReasonEmptyRange)})
	}
	if val := v.Get("before"); val != "" {
		if f.BeforeID, err = strconv.ParseInt(val, 10, 64); err != nil || f.BeforeID < 0 {
			return f, badRequest("before must be an event ID", map[string]*api.Reason{"before": api.Because(api.ReasonNotAnID)})
		}
	}
	f.Limit = 100
	if val := v.Get("limit"); val != "" {
		if f.Limit, err = strconv.Atoi(val); err != nil || f.Limit < 1 || f.Limit > 500 {
			return f, badRequest("limit must be 1 to 500", map[string]*api.Reason{"limit": {Code: api.ReasonNumberRange, Args: api.Args{"min": 1, "max": 500}}})
		}
	}
	return f, nil
}

// wantsCSV is ?format=csv or an Accept header that names text/csv.
func wantsCSV(r *http.Request) bool {
	if r.URL.Query().Get("format") == "csv" {
		return true
	}
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && mt == "text/csv" {
			return true
		}
	}
	return false
}

// getAudit pages through the org's audit log, newest first, or exports
// every matching event as CSV.
func (s *Server) getAudit(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	f, err := s.auditFilter(r, a.OrgID)
	if err != nil {
		return err
	}
	if wantsCSV(r) {
		return s.exportAudit(w, r, a, f)
	}
	evs, err := s.st.Q().OrgAudit(r.Context(), f)
	if err != nil {
		return err
	}
	page := api.AuditPage{Events: evs}
	if len(evs) == f.Limit {
		page.NextBefore = evs[len(evs)-1].ID
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

var auditCSVHeader = []string{"id", "at", "actor_id", "actor", "ip", "action", "resource", "field", "old", "new"}

func (s *Server) exportAudit(w http.ResponseWriter, r *http.Request, a *adminCall, f store.OrgAuditFilter) error {
	ctx := r.Context()
	ev := s.orgEvent(a, "audit.export", a.orgRes("audit"))
	ev.New = r.URL.RawQuery
	if err := s.st.Q().Audit(ctx, a.OrgID, ev); err != nil {
		return err
	}
	// The first page is read before answering, so a failing database
	// still gets an error response rather than a truncated file.
	f.Limit = store.MaxAuditPage
	evs, err := s.st.Q().OrgAudit(ctx, f)
	if err != nil {
		return err
	}
	cw := s.startCSV(w, "audit-"+a.OrgID)
	cw.Write(auditCSVHeader...)
	rows := 0
	for len(evs) > 0 && rows < maxAuditExport {
		for _, e := range evs {
			cw.Write(itoa(e.ID), e.At.UTC().Format(time.RFC3339Nano), e.ActorID, e.Actor, e.IP, e.Action, e.Resource, e.Field, e.Old, e.New)
			rows++
		}
		if len(evs) < f.Limit {
			break
		}
		f.BeforeID = evs[len(evs)-1].ID
		if evs, err = s.st.Q().OrgAudit(ctx, f); err != nil {
			s.log.Error("audit export broke off", "org", a.OrgID, "rows", rows, "err", err)
			break
		}
	}
	if err := cw.Flush(); err != nil {
		s.log.Warn("audit export not delivered", "org", a.OrgID, "err", err)
	}
	return nil
}

// startCSV answers 200 with a CSV download named name and today's date.
func (s *Server) startCSV(w http.ResponseWriter, name string) *csvWriter {
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+name+`-`+s.now().UTC().Format("20060102")+`.csv"`)
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	return newCSVWriter(w)
}

// csvWriter writes CSV for spreadsheets: every field quoted and defused by
// cell, so no cell runs as a formula whichever of , ; or tab a spreadsheet
// splits on (Swedish Excel splits on ;).
type csvWriter struct{ w *bufio.Writer }

func newCSVWriter(w io.Writer) *csvWriter { return &csvWriter{bufio.NewWriter(w)} }

// Write writes one record.
func (c *csvWriter) Write(fields ...string) {
	for i, f := range fields {
		if i > 0 {
			c.w.WriteByte(',')
		}
		c.w.WriteByte('"')
		c.w.WriteString(strings.ReplaceAll(cell(f), `"`, `""`))
		c.w.WriteByte('"')
	}
	c.w.WriteByte('\n')
}

// Flush writes out what is buffered.
func (c *csvWriter) Flush() error { return c.w.Flush() }

// cellBreaks are the characters some spreadsheet starts a new cell or row
// after, even inside a quoted field: field separators and line ends.
const cellBreaks = ",;\t\r\n"

// cell defuses text a spreadsheet would run as a formula (CSV injection,
// OWASP): where a cell may start, at the beginning or after any of
// cellBreaks, and spaces or quotes later, a = + - @ tab or CR gets an
// apostrophe before it, so the cell is text.
func cell(v string) string {
	var b strings.Builder
	b.Grow(len(v) + 1)
	start := true
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case start && (c == ' ' || c == '"'):
			// a formula may still follow
		case start && strings.IndexByte("=+-@\t\r", c) >= 0:
			b.WriteByte('\'')
			start = false
		default:
			start = false
		}
		b.WriteByte(c)
		if strings.IndexByte(cellBreaks, c) >= 0 {
			start = true
		}
	}
	return b.String()
}
