package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/phoneset/phoneset/api"
)

// IsSupervisor reports whether the user holds api.PermSupervisor.
func (q Q) IsSupervisor(ctx context.Context, userID string) (bool, error) {
	var n int
	err := q.row(ctx, `SELECT COUNT(*) FROM user_permissions WHERE user_id = ? AND permission = ?`, userID, api.PermSupervisor).Scan(&n)
	return n > 0, err
}

// Supervisors lists the org's supervisors with the options of their
// scope, by user ID.
func (q Q) Supervisors(ctx context.Context, orgID string) ([]api.Supervisor, error) {
	ids, err := list(ctx, q, scanOne[string], `SELECT u.id FROM users u JOIN user_permissions p ON p.user_id = u.id
		WHERE u.org_id = ? AND p.permission = ? ORDER BY u.id`, orgID, api.PermSupervisor)
	if err != nil || len(ids) == 0 {
		return []api.Supervisor{}, err
	}
	scopes, err := q.members(ctx, `SELECT s.user_id, s.option_id, '' FROM supervisor_scopes s
		JOIN users u ON u.id = s.user_id WHERE u.org_id = ? ORDER BY s.option_id`, orgID)
	if err != nil {
		return nil, err
	}
	out := make([]api.Supervisor, 0, len(ids))
	for _, id := range ids {
		out = append(out, api.Supervisor{UserID: id, OptionIDs: orEmpty(scopes[id])})
	}
	return out, nil
}

// SetSupervisorScope makes optionIDs exactly the user's scope.
func (q Q) SetSupervisorScope(ctx context.Context, userID string, optionIDs []string) error {
	if _, err := q.exec(ctx, `DELETE FROM supervisor_scopes WHERE user_id = ?`, userID); err != nil {
		return err
	}
	for _, o := range optionIDs {
		if _, err := q.exec(ctx, `INSERT INTO supervisor_scopes (user_id, option_id) VALUES (?, ?)`, userID, o); err != nil {
			return err
		}
	}
	_, err := q.exec(ctx, `UPDATE users SET rev = rev + 1 WHERE id = ?`, userID)
	return err
}

// Agents lists the agents supervisorID sees, by display name.
func (q Q) Agents(ctx context.Context, supervisorID string) ([]*User, error) {
	return list(ctx, q, func(sc scanner) (*User, error) { return scanUser(sc) },
		`SELECT `+userCols+` FROM users u, users u2 WHERE u2.id = ? AND u.org_id = u2.org_id AND u.id <> u2.id
		AND EXISTS (SELECT 1 FROM user_permissions p WHERE p.user_id = u2.id AND p.permission = ?)
		AND EXISTS (SELECT 1 FROM user_options m JOIN supervisor_scopes s ON s.option_id = m.option_id
			WHERE m.user_id = u.id AND s.user_id = u2.id)
		ORDER BY u.display_name, u.id`, supervisorID, api.PermSupervisor)
}

// StatusSpan is one status a user was in from Start.
type StatusSpan struct {
	UserID       string
	Availability api.Availability
	ReasonCode   string
	Start        time.Time
}

// StatusHistory lists the statuses the users entered before to, starting
// with the one each was in at from, in order per user.
func (q Q) StatusHistory(ctx context.Context, userIDs []string, from, to time.Time) (map[string][]StatusSpan, error) {
	out := map[string][]StatusSpan{}
	for _, id := range userIDs {
		spans, err := list(ctx, q, func(sc scanner) (StatusSpan, error) {
			var s StatusSpan
			var at int64
			var avail string
			err := sc.Scan(&avail, &s.ReasonCode, &at)
			s.UserID, s.Availability, s.Start = id, api.Availability(avail), FromMicros(at)
			return s, err
		}, `SELECT availability, reason_code, started_at FROM status_history WHERE user_id = ? AND started_at < ?
			AND started_at >= COALESCE((SELECT MAX(started_at) FROM status_history WHERE user_id = ? AND started_at <= ?), 0)
			ORDER BY started_at, id`, id, Micros(to), id, Micros(from))
		if err != nil {
			return nil, err
		}
		out[id] = spans
	}
	return out, nil
}

// Listen calls fn with the payload of every notification on channel (see
// Notify) until ctx ends, and with "" whenever it starts listening, at
// first and after a lost connection to the database came back: what was
// sent before was not heard.
func (s *Store) Listen(ctx context.Context, channel string, fn func(payload string)) {
	if s.dialect == Postgres {
		postgres.Listen(ctx, s.dsn, channel, fn)
		return
	}
	s.listenSQLite(ctx, channel, fn)
}

// Notify sends payload to every process that listens on channel: through
// PostgreSQL's NOTIFY, or on SQLite a row of live_notifications (inside a
// transaction: when it commits, as NOTIFY).
func (q Q) Notify(ctx context.Context, channel, payload string) error {
	if q.s.dialect == Postgres {
		_, err := q.exec(ctx, `SELECT pg_notify(?, ?)`, channel, payload)
		return err
	}
	now := time.Now()
	res, err := q.exec(ctx, `INSERT INTO live_notifications (channel, payload, sent_at) VALUES (?, ?, ?)`, channel, payload, Micros(now))
	if err != nil {
		return err
	}
	// Old rows go now and then, not at every write.
	if id, err := res.LastInsertId(); err == nil && id%notificationsPrune == 0 {
		_, err = q.exec(ctx, `DELETE FROM live_notifications WHERE sent_at < ?`, Micros(now.Add(-notificationsKept)))
		return err
	}
	return nil
}

const (
	// notificationsKept is how long a SQLite notification stays to be
	// read: far longer than a listener takes between looks.
	notificationsKept  = 10 * time.Minute
	notificationsPrune = 64
	// sqliteListenPoll is how often a SQLite listener asks whether the
	// file changed: PRAGMA data_version reads no table, so this is cheap,
	// yet it wakes the process (the embedded backend runs in the desktop
	// app), so not more often than a person would notice.
	sqliteListenPoll = 250 * time.Millisecond
)

// listenSQLite is Listen on SQLite. On a connection of its own it watches
// PRAGMA data_version, which changes when any other connection, of this
// process or another, commits; then it reads the notifications written
// since the last one it handed on.
func (s *Store) listenSQLite(ctx context.Context, channel string, fn func(payload string)) {
	db, err := openSQLite(s.dsn)
	if err != nil {
		return
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // data_version is per connection
	t := time.NewTicker(sqliteListenPoll)
	defer t.Stop()
	last, version, started := int64(0), int64(-1), false
	for {
		var v int64
		if err := db.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&v); err == nil && v != version {
			if !started {
				// What was sent before listening is not heard, as on PostgreSQL.
				if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM live_notifications`).Scan(&last); err == nil {
					started, version = true, v
					fn("")
				}
			} else if last, err = readNotifications(ctx, db, channel, last, fn); err == nil {
				version = v
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// readNotifications hands on channel's notifications after id last and
// returns the last one handed on; on an error, the next look reads again
// from there.
func readNotifications(ctx context.Context, db *sql.DB, channel string, last int64, fn func(payload string)) (int64, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, payload FROM live_notifications WHERE channel = ? AND id > ? ORDER BY id`, channel, last)
	if err != nil {
		return last, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var payload string
		if err := rows.Scan(&id, &payload); err != nil {
			return last, err
		}
		fn(payload)
		last = id
	}
	return last, rows.Err()
}
