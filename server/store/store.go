// Package store is the account backend's persistence: one schema and one set
// of goose migrations for SQLite (modernc.org/sqlite, the default) and
// PostgreSQL. Queries are written once with ? placeholders and rebound for
// PostgreSQL. PostgreSQL support lives in server/store/postgres, which
// registers itself: only the binaries that import it (phoneset-server, the
// tests) link its driver, so the desktop app, whose embedded backend always
// runs on SQLite, stays smaller.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing/fstest"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialect is the database behind a Store.
type Dialect int

// Supported dialects.
const (
	SQLite Dialect = iota + 1
	Postgres
)

func (d Dialect) String() string {
	if d == Postgres {
		return "postgres"
	}
	return "sqlite"
}

// Errors the store reports for the server to map onto HTTP statuses.
var (
	ErrNotFound = errors.New("store: not found")
	ErrStale    = errors.New("store: version mismatch")
	ErrConflict = errors.New("store: unique value already taken")
)

// Engine is what the store needs of a database besides SQLite; its package
// hands it to RegisterPostgres from an init function.
type Engine struct {
	Driver string // database/sql driver name
	// Locker serialises migrations across processes on one database.
	Locker func() (lock.SessionLocker, error)
	// UniqueViolation reports whether err is a unique-constraint violation,
	// and of which constraint.
	UniqueViolation func(err error) (constraint string, ok bool)
	// Listen calls fn with the payload of every NOTIFY on channel until
	// ctx ends, on a connection of its own that it redials when lost. It
	// calls fn("") whenever LISTEN is (again) in place: what was sent
	// before was not heard.
	Listen func(ctx context.Context, dsn, channel string, fn func(payload string))
}

// postgres is the registered PostgreSQL engine, nil when none is linked.
var postgres *Engine

// RegisterPostgres makes Open accept postgres:// DSNs.
func RegisterPostgres(e Engine) { postgres = &e }

// DefaultFile is the SQLite file name in the data directory.
const DefaultFile = "phoneset.db"

// Store is an open database with migrations applied.
type Store struct {
	db      *sql.DB
	dialect Dialect
	dsn     string   // the PostgreSQL URL or SQLite file, for Listen
	rebound sync.Map // query string → PostgreSQL spelling
	stmts   sync.Map // query string → *sql.Stmt, for queries outside transactions
}

// ParseDSN says which database a --db value names: "" (the default file in
// dataDir), "sqlite:PATH", a plain file path, or a postgres:// URL.
func ParseDSN(dsn, dataDir string) (Dialect, string) {
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return Postgres, dsn
	case strings.HasPrefix(dsn, "sqlite:"):
		return SQLite, strings.TrimPrefix(dsn, "sqlite:")
	case dsn == "":
		return SQLite, filepath.Join(dataDir, DefaultFile)
	}
	return SQLite, dsn
}

// Open connects to the database named by dsn (see ParseDSN) and applies
// pending migrations. Several processes may open the same PostgreSQL
// database at once: migrations run under an advisory lock.
func Open(ctx context.Context, dsn, dataDir string, log *slog.Logger) (*Store, error) {
	dialect, target := ParseDSN(dsn, dataDir)
	var db *sql.DB
	var err error
	switch dialect {
	case Postgres:
		if postgres == nil {
			return nil, errors.New("store: PostgreSQL support is not linked into this program (it imports server/store/postgres in phoneset-server)")
		}
		db, err = sql.Open(postgres.Driver, target)
		if err == nil {
			db.SetMaxOpenConns(16)
			db.SetMaxIdleConns(16)
		}
	default:
		if dir := filepath.Dir(target); dir != "" {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, fmt.Errorf("store: data directory: %w", err)
			}
		}
		db, err = openSQLite(target)
		if err == nil {
			db.SetMaxOpenConns(8)
			db.SetMaxIdleConns(8)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", dialect, err)
	}
	db.SetConnMaxIdleTime(5 * time.Minute)
	s := &Store{db: db, dialect: dialect, dsn: target}
	if err := s.migrate(ctx, log); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// openSQLite opens the SQLite file at path. WAL lets readers run beside
// the single writer; immediate transactions take the write lock up front so
// two writers queue on busy_timeout instead of failing on a lock upgrade.
func openSQLite(path string) (*sql.DB, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	return sql.Open("sqlite", "file:"+path+"?"+q.Encode())
}

//go:embed migrations/*.sql
var migrations embed.FS

// migrationFS is the migrations with the dialect's spellings filled in.
func migrationFS(d Dialect) (fs.FS, error) {
	repl := strings.NewReplacer(
		"${IDENTITY}", map[Dialect]string{SQLite: "INTEGER PRIMARY KEY AUTOINCREMENT", Postgres: "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"}[d],
		"${BLOB}", map[Dialect]string{SQLite: "BLOB", Postgres: "BYTEA"}[d],
		// The time a migration runs, as stored (microseconds since 1970).
		"${NOW_MICROS}", map[Dialect]string{SQLite: "CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)",
			Postgres: "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT)"}[d],
	)
	out := fstest.MapFS{}
	entries, err := fs.ReadDir(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		b, err := migrations.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		out[e.Name()] = &fstest.MapFile{Data: []byte(repl.Replace(string(b))), Mode: 0o444}
	}
	return out, nil
}

func (s *Store) migrate(ctx context.Context, log *slog.Logger) error {
	fsys, err := migrationFS(s.dialect)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	gd := goose.DialectSQLite3
	if s.dialect == Postgres {
		gd = goose.DialectPostgres
		locker, err := postgres.Locker()
		if err != nil {
			return fmt.Errorf("store: migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(gd, s.db, fsys, opts...)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	if log != nil {
		for _, r := range res {
			log.Info("store: applied migration", "dialect", s.dialect.String(), "version", r.Source.Version, "took", r.Duration)
		}
	}
	return nil
}

// Close closes the prepared statements and the database.
func (s *Store) Close() error {
	s.stmts.Range(func(_, st any) bool {
		st.(*sql.Stmt).Close()
		return true
	})
	return s.db.Close()
}

// Dialect reports the database kind.
func (s *Store) Dialect() Dialect { return s.dialect }

// DB exposes the handle for tests and health checks.
func (s *Store) DB() *sql.DB { return s.db }

// rebind turns ? placeholders into $1, $2… for PostgreSQL. Queries never
// hold a literal question mark.
func (s *Store) rebind(q string) string {
	if s.dialect != Postgres {
		return q
	}
	if r, ok := s.rebound.Load(q); ok {
		return r.(string)
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	r := b.String()
	s.rebound.Store(q, r)
	return r
}

type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Q runs queries on the database or inside a transaction; every domain
// method hangs off it so the same code serves both.
type Q struct {
	s *Store
	q querier
}

// Q returns a query runner outside any transaction.
func (s *Store) Q() Q { return Q{s: s, q: s.db} }

// prepared returns the statement for a query run outside a transaction,
// preparing it once: parsing SQL is most of the cost of a small read.
func (q Q) prepared(ctx context.Context, query string) querier {
	if _, inTx := q.q.(*sql.Tx); inTx {
		return nil
	}
	if st, ok := q.s.stmts.Load(query); ok {
		return stmtQuerier{st.(*sql.Stmt)}
	}
	st, err := q.s.db.PrepareContext(ctx, q.s.rebind(query))
	if err != nil {
		return nil // the unprepared call reports the error
	}
	if prev, loaded := q.s.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		st = prev.(*sql.Stmt)
	}
	return stmtQuerier{st}
}

// stmtQuerier runs a prepared statement through the querier interface; the
// query text is already bound in the statement.
type stmtQuerier struct{ st *sql.Stmt }

func (p stmtQuerier) ExecContext(ctx context.Context, _ string, args ...any) (sql.Result, error) {
	return p.st.ExecContext(ctx, args...)
}

func (p stmtQuerier) QueryContext(ctx context.Context, _ string, args ...any) (*sql.Rows, error) {
	return p.st.QueryContext(ctx, args...)
}

func (p stmtQuerier) QueryRowContext(ctx context.Context, _ string, args ...any) *sql.Row {
	return p.st.QueryRowContext(ctx, args...)
}

func (q Q) runner(ctx context.Context, query string) querier {
	if p := q.prepared(ctx, query); p != nil {
		return p
	}
	return q.q
}

func (q Q) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return q.runner(ctx, query).ExecContext(ctx, q.s.rebind(query), args...)
}

func (q Q) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return q.runner(ctx, query).QueryContext(ctx, q.s.rebind(query), args...)
}

func (q Q) row(ctx context.Context, query string, args ...any) *sql.Row {
	return q.runner(ctx, query).QueryRowContext(ctx, q.s.rebind(query), args...)
}

// execOne runs an UPDATE or DELETE and reports ErrStale when it touched no
// row: the version in its WHERE clause no longer matched.
func (q Q) execOne(ctx context.Context, query string, args ...any) error {
	res, err := q.exec(ctx, query, args...)
	if err != nil {
		return classify(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrStale
	}
	return nil
}

// Tx runs fn in a transaction, committing when it returns nil.
func (s *Store) Tx(ctx context.Context, fn func(Q) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	if err := fn(Q{s: s, q: tx}); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return classify(err)
	}
	return nil
}

// classify maps unique-constraint violations of either database onto
// ErrConflict.
func classify(err error) error {
	if err == nil {
		return nil
	}
	if postgres != nil {
		if c, ok := postgres.UniqueViolation(err); ok {
			return fmt.Errorf("%w: %s", ErrConflict, c)
		}
	}
	var se *sqlite.Error
	if errors.As(err, &se) && (se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY) {
		return fmt.Errorf("%w: %s", ErrConflict, se.Error())
	}
	return err
}

func noRows(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// Micros converts a time to the stored form; the zero time is 0.
func Micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// FromMicros converts a stored time back; 0 stays the zero time.
func FromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}
