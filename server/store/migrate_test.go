package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"io/fs"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/pressly/goose/v3"

	"github.com/phoneset/phoneset/server/servertest"
	"github.com/phoneset/phoneset/server/store"
)

func TestParseMigration(t *testing.T) {
	for _, tt := range []struct {
		name, file, text string
		want             []string // statements; nil when an error is expected
	}{
		{"up only", "00001_a.sql", "-- note;\n-- +goose Up\nCREATE TABLE a (x INT);\n\n-- a comment;\nCREATE TABLE b (\n  y INT\n);\n-- +goose Down\nDROP TABLE b;\n",
			[]string{"CREATE TABLE a (x INT);\n", "CREATE TABLE b (\n  y INT\n);\n"}},
		{"no down", "00002_b.sql", "-- +goose Up\nALTER TABLE a ADD COLUMN z INT;", []string{"ALTER TABLE a ADD COLUMN z INT;"}},
		{"statement block", "00003_c.sql", "-- +goose Up\n-- +goose StatementBegin\nCREATE TRIGGER t;\n-- +goose StatementEnd\n", nil},
		{"no transaction", "00004_d.sql", "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX i ON a (x);\n", nil},
		{"no version", "init.sql", "-- +goose Up\nCREATE TABLE a (x INT);\n", nil},
		{"zero version", "00000_a.sql", "-- +goose Up\nCREATE TABLE a (x INT);\n", nil},
		{"unterminated", "00005_e.sql", "-- +goose Up\nCREATE TABLE a (x INT)\n", nil},
		{"nothing up", "00006_f.sql", "-- +goose Down\nDROP TABLE a;\n", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, err := store.ParseMigration(tt.file, tt.text)
			if tt.want == nil {
				if err == nil {
					t.Fatalf("parsed %q, want an error", m.Statements())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := m.Statements(); strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("statements %q, want %q", got, tt.want)
			}
		})
	}
}

// spelledFS is the migrations as goose would read them for dialect d.
func spelledFS(t *testing.T, d store.Dialect) fs.FS {
	t.Helper()
	out := fstest.MapFS{}
	entries, err := fs.ReadDir(store.MigrationFiles, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := store.MigrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = &fstest.MapFile{Data: []byte(store.Spell(d, string(b)))}
	}
	return out
}

// gooseProvider opens dsn with goose's own runner.
func gooseProvider(t *testing.T, dsn string) *goose.Provider {
	t.Helper()
	d, target := store.ParseDSN(dsn, "")
	driver, gd := "sqlite", goose.DialectSQLite3
	if d == store.Postgres {
		driver, gd = "pgx", goose.DialectPostgres
	} else {
		target = "file:" + target
	}
	db, err := sql.Open(driver, target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	p, err := goose.NewProvider(gd, db, spelledFS(t, d), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// fresh returns an empty database of the same kind as dsn.
func fresh(t *testing.T, dsn string) string {
	t.Helper()
	if d, _ := store.ParseDSN(dsn, ""); d == store.Postgres {
		return servertest.PostgresDB(t)
	}
	return "sqlite:" + filepath.Join(t.TempDir(), "t.db")
}

// TestGooseCompatible: the store's runner and goose, which migrated
// databases before it, agree on what is applied, both ways.
func TestGooseCompatible(t *testing.T) {
	ctx := context.Background()
	eachDB(t, func(t *testing.T, dsn string) {
		t.Run("goose first", func(t *testing.T) {
			dsn := fresh(t, dsn)
			if _, err := gooseProvider(t, dsn).Up(ctx); err != nil {
				t.Fatal(err)
			}
			var logs bytes.Buffer
			s, err := store.Open(ctx, dsn, t.TempDir(), slog.New(slog.NewTextHandler(&logs, nil)))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if strings.Contains(logs.String(), "applied migration") {
				t.Errorf("the store reapplied what goose applied:\n%s", logs.String())
			}
			if _, err := s.Q().CountUsers(ctx); err != nil {
				t.Errorf("schema unusable after goose: %v", err)
			}
		})
		t.Run("store first", func(t *testing.T) {
			dsn := fresh(t, dsn)
			s, err := store.Open(ctx, dsn, t.TempDir(), nil)
			if err != nil {
				t.Fatal(err)
			}
			s.Close()
			pending, err := gooseProvider(t, dsn).HasPending(ctx)
			if err != nil || pending {
				t.Errorf("goose after the store: pending %v, %v; want nothing pending", pending, err)
			}
		})
	})
}
