package server

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server/store"
)

// maxImportBody bounds an import file: 10 000 rows of long lines.
const maxImportBody = 8 << 20

// importRow is one person of an import file, checked.
type importRow struct {
	line                 int
	email, emailNorm     string
	first, last, display string
	license              string
	options              map[string]string // category ID → option ID
	bad                  bool              // has a problem
}

// importBook is what a file is checked against: the org's structure and
// licenses.
type importBook struct {
	categories map[string]api.Category // by normalised name
	licenses   map[string]api.LicenseCount
}

func (s *Server) importBook(ctx context.Context, q store.Q, orgID string) (*importBook, error) {
	cats, err := q.Categories(ctx, orgID)
	if err != nil {
		return nil, err
	}
	lic, err := s.licensesView(ctx, q, orgID)
	if err != nil {
		return nil, err
	}
	b := &importBook{categories: map[string]api.Category{}, licenses: map[string]api.LicenseCount{}}
	for _, c := range cats {
		b.categories[store.NormName(c.Name)] = c
	}
	for _, l := range lic.Licenses {
		b.licenses[l.SKU] = l
	}
	return b, nil
}

// importColumn is what a header cell names: a known column or a
// structure category.
type importColumn struct {
	name     string // as the header has it
	known    string // one of api.ImportColumns, or ""
	category *api.Category
}

// problems collects an import's problems.
type problems []api.ImportProblem

func (p *problems) add(line int, column string, why *api.Reason) {
	*p = append(*p, api.ImportProblem{Line: line, Column: column, Reason: why})
}

// parseImport reads a CSV file of people and checks every row on its own
// and against the others: the columns, addresses, names, licenses and
// options, and addresses given twice in any case. firstLine is the line
// number of the file's first line (1 unless the app sends a file in
// parts). Comma- and semicolon-separated files (Excel's in Swedish) are
// both read, with or without a byte order mark.
func parseImport(body []byte, firstLine int, book *importBook) ([]importRow, problems) {
	var probs problems
	body = bytes.TrimPrefix(body, []byte("\uFEFF"))
	if !utf8.Valid(body) {
		probs.add(firstLine, "", api.Because(api.ReasonInvalidUTF8))
		return nil, probs
	}
	r := csv.NewReader(bytes.NewReader(body))
	head, _, _ := bytes.Cut(body, []byte("\n"))
	if bytes.Count(head, []byte(";")) > bytes.Count(head, []byte(",")) {
		r.Comma = ';'
	}
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		probs.add(firstLine, "", api.Because(api.ReasonRequired))
		return nil, probs
	}
	cols := make([]importColumn, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		cols[i].name = h
		key := strings.ToLower(h)
		switch {
		case seen[key]:
			probs.add(firstLine, h, api.Because(api.ReasonDuplicateName))
		case slices.Contains(api.ImportColumns, key):
			cols[i].known = key
		default:
			if c, ok := book.categories[store.NormName(h)]; ok {
				cols[i].category = &c
			} else {
				probs.add(firstLine, h, api.Because(api.ReasonUnknownField))
			}
		}
		seen[key] = true
	}
	if !seen[api.FieldEmail] {
		probs.add(firstLine, api.FieldEmail, api.Because(api.ReasonRequired))
	}
	if len(probs) > 0 {
		return nil, probs
	}
	var rows []importRow
	first := map[string]int{} // normalised address → its first line
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			line := firstLine
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine + firstLine - 1
			}
			probs.add(line, "", api.Because(api.ReasonCSVQuotes))
			break // the rest cannot be read reliably
		}
		line, _ := r.FieldPos(0)
		line += firstLine - 1
		if strings.TrimSpace(strings.Join(rec, "")) == "" {
			continue
		}
		if len(rows) == api.MaxImportRows {
			probs.add(line, "", &api.Reason{Code: api.ReasonTooMany, Args: api.Args{"max": api.MaxImportRows}})
			break
		}
		row := importRow{line: line, options: map[string]string{}}
		bad := func(column string, why *api.Reason) {
			probs.add(line, column, why)
			row.bad = true
		}
		if len(rec) > len(cols) {
			bad("", &api.Reason{Code: api.ReasonTooMany, Args: api.Args{"max": len(cols)}})
		}
		for i, v := range rec[:min(len(rec), len(cols))] {
			c := cols[i]
			v = strings.TrimSpace(v)
			switch {
			case c.category != nil:
				if v == "" {
					continue
				}
				j := slices.IndexFunc(c.category.Options, func(o api.CategoryOption) bool { return store.NormName(o.Name) == store.NormName(v) })
				if j < 0 {
					bad(c.name, &api.Reason{Code: api.ReasonNotAnOption, Args: api.Args{"value": v}})
					continue
				}
				row.options[c.category.ID] = c.category.Options[j].ID
			case c.known == api.FieldEmail:
				row.email = v
			case c.known == api.FieldFirstName:
				row.first = v
			case c.known == api.FieldLastName:
				row.last = v
			case c.known == api.FieldDisplayName:
				row.display = v
			case c.known == "license":
				row.license = v
			}
		}
		if why := api.ValidateEmail(row.email); row.email == "" {
			bad(api.FieldEmail, api.Because(api.ReasonRequired))
		} else if why != nil {
			bad(api.FieldEmail, why)
		} else {
			row.emailNorm = store.NormEmail(row.email)
			if l, dup := first[row.emailNorm]; dup {
				bad(api.FieldEmail, &api.Reason{Code: api.ReasonDuplicate, Args: api.Args{"value": row.email, "line": l}})
			} else {
				first[row.emailNorm] = line
			}
		}
		for _, f := range []struct{ col, v string }{{api.FieldFirstName, row.first}, {api.FieldLastName, row.last}} {
			if f.v != "" {
				if why := api.ValidateName(f.v); why != nil {
					bad(f.col, why)
				}
			}
		}
		if row.display != "" {
			if why := api.ValidateDisplayName(row.display); why != nil {
				bad(api.FieldDisplayName, why)
			}
		} else if row.display = strings.TrimSpace(row.first + " " + row.last); row.display == "" {
			row.display, _, _ = strings.Cut(row.email, "@") // an invitation needs a name to greet
		}
		if row.license != "" {
			if _, ok := book.licenses[row.license]; !ok {
				bad("license", &api.Reason{Code: api.ReasonNotOnPriceList, Args: api.Args{"value": row.license}})
			}
		}
		rows = append(rows, row)
	}
	return rows, probs
}

// checkImport checks a file as parseImport does and against the
// database: addresses someone already has, and licenses beyond those
// free.
func (s *Server) checkImport(ctx context.Context, q store.Q, orgID string, body []byte, firstLine int) ([]importRow, api.ImportReport, error) {
	book, err := s.importBook(ctx, q, orgID)
	if err != nil {
		return nil, api.ImportReport{}, err
	}
	rows, probs := parseImport(body, firstLine, book)
	var norms []string
	for _, r := range rows {
		if r.emailNorm != "" {
			norms = append(norms, r.emailNorm)
		}
	}
	taken, err := q.TakenEmails(ctx, norms, s.now())
	if err != nil {
		return nil, api.ImportReport{}, err
	}
	wanted := map[string]int64{}
	for i := range rows {
		r := &rows[i]
		if r.emailNorm != "" && taken[r.emailNorm] {
			probs.add(r.line, api.FieldEmail, &api.Reason{Code: api.ReasonTaken, Args: api.Args{"value": r.email}})
			r.bad = true
		}
		if l, ok := book.licenses[r.license]; ok {
			wanted[r.license]++
			if wanted[r.license] > l.Unassigned {
				probs.add(r.line, "license", &api.Reason{Code: api.ReasonAllAssigned, Args: api.Args{"product": l.Name}})
				r.bad = true
			}
		}
	}
	slices.SortStableFunc(probs, func(a, b api.ImportProblem) int { return a.Line - b.Line })
	return rows, api.ImportReport{Rows: len(rows), Problems: append([]api.ImportProblem{}, probs...)}, nil
}

// readImport reads an import request's CSV body and its first_line.
func readImport(w http.ResponseWriter, r *http.Request) ([]byte, int, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "text/csv" {
		return nil, 0, &api.Error{Status: http.StatusUnsupportedMediaType, Code: api.CodeUnsupportedMedia, Message: "send the file as text/csv"}
	}
	firstLine := 1
	if v := r.URL.Query().Get("first_line"); v != "" {
		if firstLine, err = strconv.Atoi(v); err != nil || firstLine < 1 || firstLine > 1_000_000 {
			return nil, 0, badRequest("first_line must be a line number", map[string]*api.Reason{"first_line": {Code: api.ReasonNumberRange, Args: api.Args{"min": 1, "max": 1_000_000}}})
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxImportBody))
	if err != nil {
		return nil, 0, err
	}
	if bytes.IndexByte(body, 0) >= 0 {
		return nil, 0, errNUL
	}
	return body, firstLine, nil
}

// checkImportFile is the dry run: every problem of the file, by line.
// Nothing is written, so it is not audited.
func (s *Server) checkImportFile(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	body, firstLine, err := readImport(w, r)
	if err != nil {
		return err
	}
	_, rep, err := s.checkImport(r.Context(), s.st.Q(), a.OrgID, body, firstLine)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

// maxImportBatch is the most people one import request invites: the app
// sends a larger file in parts, so no request runs long and its progress
// bar moves.
const maxImportBatch = 200

// importUsers invites everyone in a file (or part of one) that checks
// clean, in one transaction: a file with any problem is refused whole,
// so nothing is written but what the admin saw checked. The invitations
// are mailed once they are stored.
func (s *Server) importUsers(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	body, firstLine, err := readImport(w, r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	type invited struct {
		inv   *store.Invitation
		token string
	}
	var sent []invited
	var rep api.ImportReport
	err = s.orgTx(ctx, a, func(q store.Q) error {
		rows, checked, err := s.checkImport(ctx, q, a.OrgID, body, firstLine)
		if err != nil {
			return err
		}
		rep = checked
		switch {
		case len(rep.Problems) > 0:
			return &api.Error{Status: http.StatusUnprocessableEntity, Code: api.CodeInvalid,
				Message: "the file has problems; check it and fix them first", Fields: map[string]*api.Reason{"file": api.Because(api.ReasonRefused)}}
		case len(rows) > maxImportBatch:
			return badRequest("send at most 200 people at a time", map[string]*api.Reason{"file": {Code: api.ReasonTooMany, Args: api.Args{"max": maxImportBatch}}})
		}
		for _, row := range rows {
			inv, token, err := s.invite(ctx, q, a.principal, a.OrgID, api.InvitationRequest{Email: row.email, DisplayName: row.display,
				License: row.license, Options: row.options}, false)
			if err != nil {
				return err
			}
			sent = append(sent, invited{inv, token})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, iv := range sent {
		if err := s.sendInvitation(ctx, s.publicURL(r), iv.inv, iv.token); err != nil {
			s.log.Warn("import invitation not sent", "org", a.OrgID, "invitation", iv.inv.ID, "err", err)
		}
	}
	rep.Created = len(sent)
	writeJSON(w, http.StatusCreated, rep)
	return nil
}

var usersCSVHeader = []string{"id", "username", "display_name", "email", "admin", "owner", "licenses", "cost_center"}

// exportUsers writes the org's users as CSV, one column per structure
// category, defused as the audit log's export is. Exports are audited.
func (s *Server) exportUsers(w http.ResponseWriter, r *http.Request, a *adminCall, users []api.OrgUser) error {
	ctx := r.Context()
	q := s.st.Q()
	cats, err := q.Categories(ctx, a.OrgID)
	if err != nil {
		return err
	}
	ccs, err := q.CostCenters(ctx, a.OrgID)
	if err != nil {
		return err
	}
	ev := s.orgEvent(a, "users.export", a.orgRes("users"))
	ev.New = r.URL.RawQuery
	if err := q.Audit(ctx, a.OrgID, ev); err != nil {
		return err
	}
	ccName := map[string]string{}
	for _, c := range ccs {
		ccName[c.ID] = c.Name
	}
	optName := map[string]string{}
	header := slices.Clone(usersCSVHeader)
	for _, c := range cats {
		header = append(header, c.Name)
		for _, o := range c.Options {
			optName[o.ID] = o.Name
		}
	}
	cw := s.startCSV(w, "users-"+a.OrgID)
	cw.Write(header...)
	for _, u := range users {
		rec := []string{u.ID, u.Username, u.DisplayName, u.Email, strconv.FormatBool(u.Admin), strconv.FormatBool(u.Owner),
			strings.Join(u.Licenses, " "), ccName[u.CostCenter]}
		for _, c := range cats {
			rec = append(rec, optName[u.Options[c.ID]])
		}
		cw.Write(rec...)
	}
	if err := cw.Flush(); err != nil {
		s.log.Warn("users export not delivered", "org", a.OrgID, "err", err)
	}
	return nil
}
