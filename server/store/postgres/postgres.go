// Package postgres links PostgreSQL (the pgx driver) into the store.
// Importing it for its side effect lets store.Open accept postgres:// DSNs;
// phoneset-server and the test helpers import it, the desktop app does not.
package postgres

import (
	"context"
	"database/sql"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"

	"github.com/phoneset/phoneset/server/store"
)

// migrationLockID is goose's advisory lock ID, so servers of this version
// and of earlier ones (which migrated with goose) wait for each other.
const migrationLockID = 4097083626

func init() {
	store.RegisterPostgres(store.Engine{
		Driver: "pgx",
		Lock:   lock,
		UniqueViolation: func(err error) (string, bool) {
			var pe *pgconn.PgError
			if errors.As(err, &pe) && pe.Code == "23505" {
				return pe.ConstraintName, true
			}
			return "", false
		},
	})
}

// lock holds a session-level advisory lock on a connection of its own until
// unlock; another process's lock call waits for it (or for ctx).
func lock(ctx context.Context, db *sql.DB) (func(), error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", int64(migrationLockID)); err != nil {
		conn.Close()
		return nil, err
	}
	return func() {
		// Should this fail, the connection is broken: its session, and
		// the lock with it, has ended.
		conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1)", int64(migrationLockID))
		conn.Close()
	}, nil
}
