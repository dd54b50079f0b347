package store

import (
	"context"
	"time"
)

// Session is a signed-in device. Only hashes of its tokens are stored.
type Session struct {
	ID, UserID      string
	Device, IP      string
	CreatedAt       time.Time
	LastSeenAt      time.Time
	ExpiresAt       time.Time // the refresh token's end
	AccessExpiresAt time.Time
	RefreshedAt     time.Time
	AuthenticatedAt time.Time // last sign-in or password re-entry
}

// Auth is what authenticating a request needs, read in one indexed query so
// a revoked token is refused at once by every process.
type Auth struct {
	SessionID, UserID, OrgID string
	AccessExpiresAt          time.Time
	LastSeenAt               time.Time
	AuthenticatedAt          time.Time // the session's last proof of the password
	Rev, OrgVersion          int64
}

// CreateSession stores a new session.
func (q Q) CreateSession(ctx context.Context, s *Session, accessHash, refreshHash string) error {
	_, err := q.exec(ctx, `INSERT INTO sessions (id, user_id, access_hash, access_expires_at, refresh_hash,
		expires_at, device, ip, created_at, last_seen_at, authenticated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.ID, s.UserID, accessHash, Micros(s.AccessExpiresAt), refreshHash, Micros(s.ExpiresAt),
		s.Device, s.IP, Micros(s.CreatedAt), Micros(s.LastSeenAt), Micros(s.AuthenticatedAt))
	return classify(err)
}

// AuthByAccess resolves an access token hash. A deactivated user or a
// disabled organisation resolves to nothing, whatever tokens survive.
func (q Q) AuthByAccess(ctx context.Context, accessHash string) (Auth, error) {
	var a Auth
	var exp, seen, proven int64
	err := q.row(ctx, `SELECT s.id, s.user_id, u.org_id, s.access_expires_at, s.last_seen_at, s.authenticated_at, u.rev, o.version
		FROM sessions s JOIN users u ON u.id = s.user_id JOIN orgs o ON o.id = u.org_id
		WHERE s.access_hash = ? AND u.deactivated_at = 0 AND o.disabled_at = 0`, accessHash).Scan(&a.SessionID, &a.UserID, &a.OrgID, &exp, &seen, &proven, &a.Rev, &a.OrgVersion)
	if err != nil {
		return Auth{}, noRows(err)
	}
	a.AccessExpiresAt, a.LastSeenAt, a.AuthenticatedAt = FromMicros(exp), FromMicros(seen), FromMicros(proven)
	return a, nil
}

// AuthByAPIKey resolves an API key hash, as AuthByAccess does. The result
// has no session.
func (q Q) AuthByAPIKey(ctx context.Context, keyHash string) (Auth, error) {
	var a Auth
	err := q.row(ctx, `SELECT u.id, u.org_id, u.rev, o.version FROM users u JOIN orgs o ON o.id = u.org_id
		WHERE u.api_key_hash = ? AND u.deactivated_at = 0 AND o.disabled_at = 0`, keyHash).Scan(&a.UserID, &a.OrgID, &a.Rev, &a.OrgVersion)
	return a, noRows(err)
}

// Reauthenticate records that the session's user re-entered the password.
func (q Q) Reauthenticate(ctx context.Context, id string, at time.Time) error {
	return q.execOne(ctx, `UPDATE sessions SET authenticated_at = ? WHERE id = ?`, Micros(at), id)
}

// TouchSession records activity; callers throttle it.
func (q Q) TouchSession(ctx context.Context, id, ip string, at time.Time) error {
	_, err := q.exec(ctx, `UPDATE sessions SET last_seen_at = ?, ip = ? WHERE id = ?`, Micros(at), ip, id)
	return err
}

const sessionCols = `id, user_id, device, ip, created_at, last_seen_at, expires_at, access_expires_at, refreshed_at`

func scanSession(sc scanner, extra ...any) (*Session, error) {
	var s Session
	var c, l, e, a, r int64
	if err := sc.Scan(append([]any{&s.ID, &s.UserID, &s.Device, &s.IP, &c, &l, &e, &a, &r}, extra...)...); err != nil {
		return nil, noRows(err)
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = FromMicros(c), FromMicros(l), FromMicros(e)
	s.AccessExpiresAt, s.RefreshedAt = FromMicros(a), FromMicros(r)
	return &s, nil
}

// SessionByRefresh finds the session a refresh token belongs to. previous
// is true when the token is the one rotated away by the last refresh.
func (q Q) SessionByRefresh(ctx context.Context, refreshHash string) (s *Session, previous bool, err error) {
	var cur string
	s, err = scanSession(q.row(ctx, `SELECT `+sessionCols+`, refresh_hash FROM sessions
		WHERE refresh_hash = ? OR prev_refresh_hash = ?`, refreshHash, refreshHash), &cur)
	if err != nil {
		return nil, false, err
	}
	return s, cur != refreshHash, nil
}

// RotateSession replaces both tokens, keeping the old refresh token as the
// previous one. It fails with ErrStale when another refresh won the race.
func (q Q) RotateSession(ctx context.Context, s *Session, usedRefreshHash, accessHash, refreshHash string) error {
	return q.execOne(ctx, `UPDATE sessions SET access_hash = ?, access_expires_at = ?,
		prev_refresh_hash = refresh_hash, refresh_hash = ?, refreshed_at = ?, expires_at = ?, last_seen_at = ?, ip = ?
		WHERE id = ? AND (refresh_hash = ? OR prev_refresh_hash = ?) AND refreshed_at = ?`,
		accessHash, Micros(s.AccessExpiresAt), refreshHash, Micros(s.LastSeenAt), Micros(s.ExpiresAt),
		Micros(s.LastSeenAt), s.IP, s.ID, usedRefreshHash, usedRefreshHash, Micros(s.RefreshedAt))
}

// Sessions lists a user's sessions, newest first.
func (q Q) Sessions(ctx context.Context, userID string) ([]*Session, error) {
	rows, err := q.query(ctx, `SELECT `+sessionCols+` FROM sessions WHERE user_id = ? ORDER BY created_at DESC, id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Session
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// DeleteSession signs one of the user's sessions out.
func (q Q) DeleteSession(ctx context.Context, userID, id string) error {
	return notFoundIfStale(q.execOne(ctx, `DELETE FROM sessions WHERE user_id = ? AND id = ?`, userID, id))
}

// DeleteSessionsExcept signs out every session of the user but keep (all of
// them when keep is "") and returns how many ended.
func (q Q) DeleteSessionsExcept(ctx context.Context, userID, keep string) (int64, error) {
	res, err := q.exec(ctx, `DELETE FROM sessions WHERE user_id = ? AND id <> ?`, userID, keep)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// DeleteExpiredSessions removes sessions whose refresh token has expired.
func (q Q) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := q.exec(ctx, `DELETE FROM sessions WHERE expires_at < ?`, Micros(now))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
