package servertest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"

	"github.com/phoneset/phoneset/internal/testenv"
	_ "github.com/phoneset/phoneset/server/store/postgres" // so the DSNs handed out open
)

// PostgresEnv names the admin DSN of the throwaway test cluster.
const PostgresEnv = "PHONESET_TEST_PG_DSN"

// PostgresDB creates a fresh database on the test cluster and returns its
// DSN; it is dropped when the test ends. The test is skipped (or fails
// under PHONESET_REQUIRE_SERVICES=1) when no cluster is configured.
func PostgresDB(t testing.TB) string {
	t.Helper()
	admin := testenv.Require(t, PostgresEnv, "PostgreSQL")
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("servertest: %s is not a URL: %v", PostgresEnv, err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "phoneset_test_" + hex.EncodeToString(b)
	exec := func(stmt string) error {
		db, err := sql.Open("pgx", admin)
		if err != nil {
			return err
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err = db.ExecContext(ctx, stmt)
		return err
	}
	if err := exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("servertest: create database: %v", err)
	}
	t.Cleanup(func() {
		if err := exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("servertest: drop database: %v", err)
		}
	})
	u.Path = "/" + name
	return u.String()
}
