// Package postgres links PostgreSQL (the pgx driver) into the store.
// Importing it for its side effect lets store.Open accept postgres:// DSNs;
// phoneset-server and the test helpers import it, the desktop app does not.
package postgres

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	"github.com/pressly/goose/v3/lock"

	"github.com/phoneset/phoneset/server/store"
)

func init() {
	store.RegisterPostgres(store.Engine{
		Driver: "pgx",
		Locker: func() (lock.SessionLocker, error) { return lock.NewPostgresSessionLocker() },
		UniqueViolation: func(err error) (string, bool) {
			var pe *pgconn.PgError
			if errors.As(err, &pe) && pe.Code == "23505" {
				return pe.ConstraintName, true
			}
			return "", false
		},
		Listen: listen,
	})
}
