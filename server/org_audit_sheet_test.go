package server_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/internal/testenv"
)

// sheetHostile is text an audit event may carry that a spreadsheet would
// run as a formula, alone or once split at a , ; tab or line end.
var sheetHostile = []string{
	"=1+1", "+1+1", "-1+1", "@SUM(1+1)", "\t=1+1", "\r=1+1", " =1+1",
	"x;=1+1;", "x,=1+1,", "x\t=1+1", "x\n=1+1", "x\r\n=1+1", "x; =1+1",
	`x";=1+1;"`, `x","=1+1`, `"=1+1"`, "x;@SUM(1+1)", "x;+1+1", "x;-1+1",
	`=HYPERLINK("http://x","click")`, `x;=HYPERLINK("http://x";"click")`,
}

var formulaCell = regexp.MustCompile(`table:formula="[^"]*"`)

// The audit export opened in LibreOffice Calc, cut at , and at ; (as
// Swedish Excel does), has no formula cell; the same text written plainly
// has some, so the check can fail.
func TestAuditCSVInSpreadsheet(t *testing.T) {
	soffice := testenv.RequireCommand(t, "soffice", "LibreOffice Calc")
	e := newEnv(t)
	ctx := t.Context()
	q := e.srv.Store().Q()
	for _, v := range sheetHostile {
		ev := api.AuditEvent{At: time.Now(), ActorID: v, Actor: v, IP: v, Action: v, Resource: v, Field: v, Old: v, New: v}
		if err := q.Audit(ctx, e.demo.OrgID, ev); err != nil {
			t.Fatal(err)
		}
	}
	r := e.do(req{method: "GET", path: "/v1/org/audit?format=csv", token: e.admin().AccessToken})
	wantStatus(t, r, 200)
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("audit.csv", string(r.body))
	write("plain.csv", strings.Join(sheetHostile, "\n")+"\n")

	for _, sep := range []struct{ name, code string }{{"comma", "44"}, {"semicolon", "59"}} {
		t.Run(sep.name, func(t *testing.T) {
			out := filepath.Join(dir, sep.name)
			// Filter options: separator, " quotes, UTF-8, from line 1, no
			// column formats, default language, quoted fields not forced
			// to text, special numbers detected, three export-only
			// settings, all sheets, formulas evaluated: Calc at its most
			// willing to run a formula.
			filter := "CSV:" + sep.code + ",34,76,1,,0,false,true,false,false,false,-1,true"
			ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
				"--headless", "--infilter="+filter, "--convert-to", "fods", "--outdir", out,
				filepath.Join(dir, "audit.csv"), filepath.Join(dir, "plain.csv"))
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("soffice: %v\n%s", err, b)
			}
			read := func(name string) string {
				b, err := os.ReadFile(filepath.Join(out, name))
				if err != nil {
					t.Fatal(err)
				}
				return string(b)
			}
			audit, plain := read("audit.fods"), read("plain.fods")
			if f := formulaCell.FindAllString(audit, -1); len(f) > 0 || !strings.Contains(audit, "HYPERLINK") {
				t.Errorf("the export has formula cells %q (or lost its text)", f)
			}
			if !formulaCell.MatchString(plain) {
				t.Error("the plain text shows no formula cell either: the check cannot fail")
			}
		})
	}
}
