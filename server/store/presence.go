package store

import (
	"context"
	"errors"
	"time"

	"github.com/phoneset/phoneset/api"
)

// Presence loads the org's presence policy; api.DefaultPresence until an
// admin saves one.
func (q Q) Presence(ctx context.Context, orgID string) (api.Presence, error) {
	var p api.Presence
	err := q.row(ctx, `SELECT lock_away, away_reason_code, idle_minutes, auto_online, version FROM org_presence WHERE org_id = ?`, orgID).
		Scan(&p.LockAway, &p.AwayReasonCode, &p.IdleMinutes, &p.AutoOnline, &p.Version)
	if err := noRows(err); errors.Is(err, ErrNotFound) {
		return api.DefaultPresence, nil
	} else if err != nil {
		return api.Presence{}, err
	}
	return p, nil
}

// SavePresence writes the org's policy with p.Version. Callers hold the org
// row (BumpOrg) and have checked the version they replace.
func (q Q) SavePresence(ctx context.Context, orgID string, p api.Presence) error {
	_, err := q.exec(ctx, `INSERT INTO org_presence (org_id, lock_away, away_reason_code, idle_minutes, auto_online, version)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (org_id) DO UPDATE SET lock_away = excluded.lock_away,
		away_reason_code = excluded.away_reason_code, idle_minutes = excluded.idle_minutes,
		auto_online = excluded.auto_online, version = excluded.version`,
		orgID, p.LockAway, p.AwayReasonCode, p.IdleMinutes, p.AutoOnline, p.Version)
	return err
}

// DueStatusTimers lists up to limit users whose status timer ended by now,
// earliest first.
func (q Q) DueStatusTimers(ctx context.Context, now time.Time, limit int) ([]string, error) {
	return list(ctx, q, func(sc scanner) (string, error) {
		var id string
		return id, sc.Scan(&id)
	}, `SELECT id FROM users WHERE status_until > 0 AND status_until <= ? ORDER BY status_until LIMIT ?`, Micros(now), limit)
}
