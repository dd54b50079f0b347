package server_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server"
	"github.com/phoneset/phoneset/server/servertest"
)

// TestBadNamesListed: rows stored before names had to pass PRECIS are
// listed by BadNames and logged at startup, and left as they are.
func TestBadNamesListed(t *testing.T) {
	dir := t.TempDir()
	e := newEnvWith(t, server.Config{DataDir: dir})
	ctx := context.Background()
	if bad, err := e.srv.BadNames(ctx); err != nil || len(bad) != 0 {
		t.Fatalf("demo data: %v, %v; want no bad names", bad, err)
	}
	db := e.srv.Store().DB()
	var org string
	if err := db.QueryRow(`SELECT id FROM orgs ORDER BY id LIMIT 1`).Scan(&org); err != nil {
		t.Fatal(err)
	}
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`UPDATE users SET display_name = ?, last_name = ? WHERE id = 'usr_demo_agent1'`, []any{"Ada\u202enimdA", "Ad\u200bmin"}},
		{`UPDATE orgs SET display_name = ? WHERE id = ?`, []any{"Ａcme", org}},
	} {
		if _, err := db.Exec(q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{
		"users usr_demo_agent1 " + api.FieldLastName + " " + api.ReasonInvisibleChar,
		"users usr_demo_agent1 " + api.FieldDisplayName + " " + api.ReasonBidiControl,
		"orgs " + org + " " + api.FieldDisplayName + " " + api.ReasonNotNormalized,
	}
	bad, err := e.srv.BadNames(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range bad {
		got = append(got, strings.Join([]string{b.Table, b.ID, b.Field, b.Why.Code}, " "))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("BadNames:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// A restart on the same database logs each one and changes nothing.
	var logged bytes.Buffer
	srv, err := server.Open(ctx, server.Config{DataDir: dir, Hash: servertest.FastHash,
		Logger: slog.New(slog.NewTextHandler(&logged, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for _, w := range []string{"id=usr_demo_agent1 field=last_name", "id=usr_demo_agent1 field=display_name", "id=" + org + " field=display_name"} {
		if !strings.Contains(logged.String(), w) {
			t.Errorf("startup log lacks %q:\n%s", w, logged.String())
		}
	}
	var stored string
	if err := db.QueryRow(`SELECT display_name FROM users WHERE id = 'usr_demo_agent1'`).Scan(&stored); err != nil || stored != "Ada\u202enimdA" {
		t.Errorf("stored name %q, %v: want it unchanged", stored, err)
	}
}
