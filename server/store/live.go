package store

import (
	"context"
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
// sent before was not heard. On SQLite it returns at once: all of
// SQLite's users share one process.
func (s *Store) Listen(ctx context.Context, channel string, fn func(payload string)) {
	if s.dialect == Postgres {
		postgres.Listen(ctx, s.dsn, channel, fn)
	}
}

// Notify sends payload to every process that listens on channel, through
// PostgreSQL's NOTIFY (inside a transaction: when it commits). On SQLite
// it does nothing.
func (q Q) Notify(ctx context.Context, channel, payload string) error {
	if q.s.dialect != Postgres {
		return nil
	}
	_, err := q.exec(ctx, `SELECT pg_notify(?, ?)`, channel, payload)
	return err
}
