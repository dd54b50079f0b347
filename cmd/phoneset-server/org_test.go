package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/phoneset/phoneset/server"
	"github.com/phoneset/phoneset/server/mail"
	"github.com/phoneset/phoneset/server/store"
)

// TestOrgCommand runs the operator's org commands on a SQLite database:
// create mails the owner an invitation (or prints its link), list shows
// the organisations, disable stops one; bad use exits 1 or 2.
func TestOrgCommand(t *testing.T) {
	var mu sync.Mutex
	var mails []mail.Message
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m mail.Message
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			t.Error(err)
		}
		mu.Lock()
		mails = append(mails, m)
		mu.Unlock()
	}))
	defer hook.Close()
	dir := t.TempDir()
	run := func(args ...string) (int, string, string) {
		t.Helper()
		var out, errb bytes.Buffer
		code := orgCommand(context.Background(), append(args, "--data", dir), &out, &errb)
		return code, out.String(), errb.String()
	}

	code, out, errs := run("create", "--name", "Acme AB", "--number", "556123-4567", "--owner-email", "boss@acme.example",
		"--mail-webhook", hook.URL, "--public-url", "https://phoneset.acme.example")
	if code != 0 || !strings.Contains(out, "invitation sent to boss@acme.example") {
		t.Fatalf("create: %d %q %q", code, out, errs)
	}
	if len(mails) != 1 || mails[0].To != "boss@acme.example" ||
		!strings.Contains(mails[0].Body, "https://phoneset.acme.example/v1/invitations/accept?token=psl_") {
		t.Fatalf("mailed %+v", mails)
	}
	// Without email delivery the link is printed.
	code, out, _ = run("create", "--name", "Beta AB", "--number", "556765-4321", "--owner-email", "b@beta.example")
	if code != 0 || !strings.Contains(out, "http://127.0.0.1:8080/v1/invitations/accept?token=psl_") {
		t.Fatalf("create without mail: %d %q", code, out)
	}
	for _, bad := range [][]string{
		{"create", "--name", "Acme again", "--number", "556123-4567", "--owner-email", "x@acme.example"}, // number taken
		{"create", "--name", "Gamma", "--number", "1", "--owner-email", "boss@acme.example"},             // address invited
		{"create", "--number", "2", "--owner-email", "c@gamma.example"},                                  // no name
		{"create", "--name", "Delta", "--number", "3", "--owner-email", "not an address"},
		{"disable", "org_nope"},
	} {
		if code, out, errs := run(bad...); code != 1 || out != "" || errs == "" {
			t.Errorf("%v: %d %q %q", bad, code, out, errs)
		}
	}
	for _, bad := range [][]string{{"frobnicate"}, {"disable"}, {"list", "extra"}, {"create", "--bogus"}} {
		if code, _, _ := run(bad...); code != 2 {
			t.Errorf("%v: exit %d, want 2", bad, code)
		}
	}

	code, out, _ = run("list")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 || !strings.Contains(lines[1], "Acme AB") || !strings.Contains(lines[1], "556123-4567") ||
		!strings.Contains(lines[1], "active") {
		t.Fatalf("list: %d\n%s", code, out)
	}
	id := strings.Fields(lines[1])[0]
	if code, out, errs := run("disable", id); code != 0 || !strings.Contains(out, "disabled "+id) {
		t.Fatalf("disable: %d %q %q", code, out, errs)
	}
	if _, out, _ := run("list"); !strings.Contains(strings.Split(out, "\n")[1], "disabled") {
		t.Errorf("list after disable:\n%s", out)
	}
}

// TestOrgVerifyDomain: the operator marks a domain an organisation has
// added verified without DNS (on premises), audited as the operator; a
// domain not added, or one another organisation has verified, is refused.
func TestOrgVerifyDomain(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	srv, err := server.Open(ctx, server.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	demo, err := srv.SeedDemo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	org, _, err := srv.CreateOrganisation(ctx, server.NewOrg{Name: "Other AB", Number: "556000-0001", OwnerEmail: "o@other.example"}, "http://x")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ org, domain string }{{demo.OrgID, "acme.example"}, {org, "acme.example"}} {
		if err := srv.Store().Q().ClaimSSODomain(ctx, c.org, c.domain); err != nil {
			t.Fatalf("claim %v: %v", c, err)
		}
	}
	srv.Close()
	run := func(args ...string) (int, string, string) {
		t.Helper()
		var out, errb bytes.Buffer
		code := orgCommand(ctx, append(args, "--data", dir), &out, &errb)
		return code, out.String(), errb.String()
	}
	for _, tt := range []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"verify-domain", demo.OrgID, "ACME.example"}, 0, "verified ACME.example for " + demo.OrgID},
		{[]string{"verify-domain", demo.OrgID, "acme.example"}, 0, "already verified"},
		{[]string{"verify-domain", org, "acme.example"}, 1, ""}, // the demo has it
		{[]string{"verify-domain", demo.OrgID, "never.example"}, 1, ""},
		{[]string{"verify-domain", "org_nope", "acme.example"}, 1, ""},
		{[]string{"verify-domain", demo.OrgID}, 2, ""},
	} {
		code, out, errs := run(tt.args...)
		if code != tt.code || !strings.Contains(out, tt.out) || (code != 0) != (errs != "") {
			t.Errorf("%v: %d %q %q", tt.args, code, out, errs)
		}
	}
	srv, err = server.Open(ctx, server.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, err := srv.Store().Q().SSODomainClaim(ctx, org, "acme.example")
	if err != nil || c.Verified() {
		t.Errorf("the other organisation's claim: %+v %v", c, err)
	}
	evs, err := srv.Store().Q().AuditEvents(ctx, store.AuditFilter{OrgID: demo.OrgID, Action: "sso.domain_verify"})
	if err != nil || len(evs) != 1 || evs[0].ActorID != "operator" || evs[0].Old != "pending" || evs[0].New != "verified" ||
		evs[0].Resource != "org/"+demo.OrgID+"/sso/domains/acme.example" {
		t.Errorf("audit: %+v %v", evs, err)
	}
}
