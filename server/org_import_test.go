package server_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"

	"github.com/phoneset/phoneset/api"
)

func checkImport(t *testing.T, e *env, tok, file string) api.ImportReport {
	t.Helper()
	r := e.do(req{method: "POST", path: "/v1/org/users/import/check", token: tok, body: []byte(file), ctype: "text/csv"})
	wantStatus(t, r, 200)
	var rep api.ImportReport
	r.decode(t, &rep)
	return rep
}

// problemList is a report's problems as "line column reason", in order.
func problemList(rep api.ImportReport) string {
	var out []string
	for _, p := range rep.Problems {
		out = append(out, fmt.Sprintf("%d %s %s", p.Line, p.Column, p.Reason.Code))
	}
	return strings.Join(out, "; ")
}

// TestImportCheck lists every problem of a file by line and writes
// nothing.
func TestImportCheck(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		tok := e.admin().AccessToken
		before := snapshot(t, e)
		tests := []struct {
			name, file, want string
			rows             int
		}{
			{"clean", "email,first_name,last_name,license,Office\nnew.one@example.com,New,One,pro,Malmö\nnew.two@example.com,New,Two,,stockholm\n", "", 2},
			{"semicolons and a byte order mark", "\uFEFFemail;display_name\nsemi@example.com;Semi Colon\n", "", 1},
			{"every kind of problem", "email,first_name,license,Office\n" +
				"not-an-email,A,,\n" + // 2
				"dup@example.com,B,,\n" + // 3
				"DUP@Example.com,C,,\n" + // 4: the same address in another case
				"Admin@Demo.Phoneset.test,D,,\n" + // 5: somebody has it (the demo admin's)
				"e@example.com,E,gold,\n" + // 6: no such license
				"f@example.com,F,,Oslo\n" + // 7: no such option
				"g@example.com,G\x07,,\n" + // 8: a control character in a name
				",H,,\n" + // 9: no address
				"\n" + // an empty line is skipped
				"i@example.com,I,,,extra\n", // 11: more cells than columns
				"2 email email_format; 4 email duplicate; 5 email taken; 6 license not_on_price_list; 7 Office not_an_option; 8 first_name control_chars; 9 email required; 11  too_many", 9},
			{"unknown and missing columns", "mail,Office,office\nx@example.com,Malmö,Malmö\n", "1 mail unknown_field; 1 office duplicate_name; 1 email required", 0},
			{"broken quotes", "email,first_name\nq@example.com,\"Open\nr@example.com,R\n", "2  csv_quotes", 0},
			{"not UTF-8", "email\n\xff@example.com\n", "1  invalid_utf8", 0},
		}
		for _, tt := range tests {
			rep := checkImport(t, e, tok, tt.file)
			if got := problemList(rep); got != tt.want || rep.Rows != tt.rows {
				t.Errorf("%s: %d rows, problems %q\nwant %d rows, %q", tt.name, rep.Rows, got, tt.rows, tt.want)
			}
		}
		// first_line numbers a part of a file as the whole file's lines.
		r := e.do(req{method: "POST", path: "/v1/org/users/import/check?first_line=41", token: tok,
			body: []byte("email\nok@example.com\nbad\n"), ctype: "text/csv"})
		var rep api.ImportReport
		r.decode(t, &rep)
		if got := problemList(rep); got != "43 email email_format" {
			t.Errorf("first_line: %q", got)
		}
		if after := snapshot(t, e); after != before {
			t.Error("a check changed the database")
		}
	})
}

// TestImportCheckSeats refuses more licenses than are free, from the row
// that goes over.
func TestImportCheckSeats(t *testing.T) {
	e := newEnv(t)
	tok := e.admin().AccessToken
	var lic api.Licenses
	e.do(req{method: "GET", path: "/v1/org/licenses", token: tok}).decode(t, &lic)
	var free int64 = -1
	var sku string
	for _, l := range lic.Licenses {
		if l.Unassigned > 0 && l.Unassigned < 50 {
			free, sku = l.Unassigned, l.SKU
			break
		}
	}
	if free < 0 {
		t.Fatalf("no license with a few free: %+v", lic.Licenses)
	}
	var b strings.Builder
	b.WriteString("email,license\n")
	for i := range free + 1 {
		fmt.Fprintf(&b, "seat%d@example.com,%s\n", i, sku)
	}
	rep := checkImport(t, e, tok, b.String())
	if want := fmt.Sprintf("%d license all_assigned", free+2); problemList(rep) != want {
		t.Errorf("problems %q, want %q", problemList(rep), want)
	}
}

func TestImportCheckRefusals(t *testing.T) {
	e := newEnv(t)
	tok := e.admin().AccessToken
	before := snapshot(t, e)
	for _, c := range []struct {
		name, path, ctype string
		body              []byte
		status            int
	}{
		{"JSON", "/v1/org/users/import/check", "application/json", []byte(`{"email":"x@example.com"}`), 415},
		{"NUL", "/v1/org/users/import/check", "text/csv", []byte("email\nx\x00@example.com\n"), 400},
		{"bad first_line", "/v1/org/users/import/check?first_line=0", "text/csv", []byte("email\n"), 400},
		{"too big", "/v1/org/users/import/check", "text/csv", bytes.Repeat([]byte("x"), 9<<20), 413},
	} {
		r := e.do(req{method: "POST", path: c.path, token: tok, body: c.body, ctype: c.ctype})
		if r.status != c.status {
			t.Errorf("%s: %d %s, want %d", c.name, r.status, r.body, c.status)
			continue
		}
		r.apiErr(t)
	}
	var b strings.Builder
	b.WriteString("email\n")
	for i := range api.MaxImportRows + 1 {
		fmt.Fprintf(&b, "p%d@example.com\n", i)
	}
	rep := checkImport(t, e, tok, b.String())
	if got := problemList(rep); got != fmt.Sprintf("%d  too_many", api.MaxImportRows+2) {
		t.Errorf("too many rows: %q", got)
	}
	if after := snapshot(t, e); after != before {
		t.Error("refusals changed the database")
	}
}

// TestUsersExport exports the user list as the audit log is exported:
// quoted, formulas defused, audited.
func TestUsersExport(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		a := e.agent1()
		var cur api.Profile
		e.do(req{method: "GET", path: "/v1/me/profile", token: a.AccessToken}).decode(t, &cur)
		wantStatus(t, e.do(req{method: "PATCH", path: "/v1/me/profile", token: a.AccessToken,
			body: api.ProfilePatch{DisplayName: ptr(`=HYPERLINK("http://x","click")`)}, header: ifMatch(cur.Version)}), 200)
		tok := e.admin().AccessToken
		r := e.do(req{method: "GET", path: "/v1/org/users?format=csv", token: tok})
		wantStatus(t, r, 200)
		if ct := r.header.Get("Content-Type"); ct != "text/csv; charset=utf-8" || !strings.Contains(r.header.Get("Content-Disposition"), "attachment") {
			t.Errorf("headers %v", r.header)
		}
		recs, err := csv.NewReader(bytes.NewReader(r.body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(recs[0], ",") != "id,username,display_name,email,admin,owner,licenses,cost_center,Office" {
			t.Errorf("header %v", recs[0])
		}
		var users []api.OrgUser
		e.do(req{method: "GET", path: "/v1/org/users", token: tok}).decode(t, &users)
		if len(recs) != len(users)+1 {
			t.Fatalf("%d rows for %d users", len(recs)-1, len(users))
		}
		found := false
		for _, rec := range recs[1:] {
			if rec[1] == "agent1" {
				found = rec[2] == `'=HYPERLINK("http://x","click")` && rec[8] == "Stockholm"
			}
		}
		if !found || !bytes.HasPrefix(r.body, []byte(`"id","username"`)) {
			t.Errorf("agent1 not exported defused:\n%s", r.body)
		}
		var page api.AuditPage
		e.do(req{method: "GET", path: "/v1/org/audit?action=users.export", token: tok}).decode(t, &page)
		if len(page.Events) != 1 || page.Events[0].New != "format=csv" {
			t.Errorf("export audit %+v", page.Events)
		}
		wantStatus(t, e.do(req{method: "GET", path: "/v1/org/users?format=csv", token: a.AccessToken}), 403)
	})
}

// BenchmarkImportCheck5000 is the dry run of a 5 000-person file through
// the real route, the app's progress bar's wait; the goal is under 10 s.
func BenchmarkImportCheck5000(b *testing.B) {
	e := newEnv(b)
	tok := e.admin().AccessToken
	var f strings.Builder
	f.WriteString("email,first_name,last_name,license,Office\n")
	for i := range 5000 {
		fmt.Fprintf(&f, "person%d@example.com,Förnamn%d,Efternamn,,Stockholm\n", i, i)
	}
	body := []byte(f.String())
	b.ResetTimer()
	for b.Loop() {
		r := e.do(req{method: "POST", path: "/v1/org/users/import/check", token: tok, body: body, ctype: "text/csv"})
		var rep api.ImportReport
		r.decode(b, &rep)
		if r.status != 200 || rep.Rows != 5000 || len(rep.Problems) != 0 {
			b.Fatalf("%d: %d rows, %d problems", r.status, rep.Rows, len(rep.Problems))
		}
	}
}

// TestImportInvites imports a file that checks clean: everyone is
// invited, with license and option, mailed, audited; a file with a
// problem writes nothing, and importing again finds the invitations.
func TestImportInvites(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		tok := e.admin().AccessToken
		file := "email,first_name,last_name,license,Office\nNew.One@example.com,New,One,pro,Malmö\nnew.two@example.com,,,,\n"
		bad := file + "broken,,,,\n"
		before := snapshot(t, e)
		r := e.do(req{method: "POST", path: "/v1/org/users/import", token: tok, body: []byte(bad), ctype: "text/csv"})
		wantError(t, r, 422, api.CodeInvalid)
		if snapshot(t, e) != before {
			t.Fatal("a refused import wrote")
		}
		r = e.do(req{method: "POST", path: "/v1/org/users/import", token: tok, body: []byte(file), ctype: "text/csv"})
		wantStatus(t, r, 201)
		var rep api.ImportReport
		r.decode(t, &rep)
		if rep.Rows != 2 || rep.Created != 2 || len(rep.Problems) != 0 {
			t.Fatalf("report %+v", rep)
		}
		var invs []api.Invitation
		e.do(req{method: "GET", path: "/v1/org/invitations", token: tok}).decode(t, &invs)
		got := map[string]api.Invitation{}
		for _, inv := range invs {
			got[inv.Email] = inv
		}
		one, two := got["New.One@example.com"], got["new.two@example.com"]
		if one.DisplayName != "New One" || one.License != "pro" || one.Options["cat_demo_office"] != "opt_demo_malmo" || two.DisplayName != "new.two" {
			t.Fatalf("invitations %+v", invs)
		}
		mails := 0
		for _, m := range e.srv.Outbox().Messages() {
			if m.To == "New.One@example.com" || m.To == "new.two@example.com" {
				mails++
			}
		}
		if mails != 2 {
			t.Errorf("%d invitations mailed", mails)
		}
		// Again: both addresses have a live invitation now.
		rep = checkImport(t, e, tok, file)
		if got := problemList(rep); got != "2 email taken; 3 email taken" {
			t.Errorf("second check: %q", got)
		}
		// A part of over 200 people is refused: the app sends parts.
		var b strings.Builder
		b.WriteString("email\n")
		for i := range 201 {
			fmt.Fprintf(&b, "many%d@example.com\n", i)
		}
		wantError(t, e.do(req{method: "POST", path: "/v1/org/users/import", token: tok, body: []byte(b.String()), ctype: "text/csv"}), 400, api.CodeInvalid)
	})
}
