package store

import (
	"context"
	"time"
)

// Hit adds one to a fixed-window counter and returns the new count. The
// upsert is atomic in both databases, so every process sees one count.
func (q Q) Hit(ctx context.Context, bucket string, window time.Time) (int64, error) {
	var n int64
	err := q.row(ctx, `INSERT INTO rate_counters (bucket, window_start, hits) VALUES (?, ?, 1)
		ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_counters.hits + 1
		RETURNING hits`, bucket, Micros(window)).Scan(&n)
	return n, err
}

// Hits reads a fixed-window counter.
func (q Q) Hits(ctx context.Context, bucket string, window time.Time) (int64, error) {
	var n int64
	err := q.row(ctx, `SELECT hits FROM rate_counters WHERE bucket = ? AND window_start = ?`, bucket, Micros(window)).Scan(&n)
	if noRows(err) == ErrNotFound {
		return 0, nil
	}
	return n, err
}

// ClearHits forgets a bucket's counts, e.g. after a successful sign-in.
func (q Q) ClearHits(ctx context.Context, bucket string) error {
	_, err := q.exec(ctx, `DELETE FROM rate_counters WHERE bucket = ?`, bucket)
	return err
}

// PruneHits drops windows that started before cutoff.
func (q Q) PruneHits(ctx context.Context, cutoff time.Time) error {
	_, err := q.exec(ctx, `DELETE FROM rate_counters WHERE window_start < ?`, Micros(cutoff))
	return err
}

// AddUsage adds delta to a user's metered usage in the cycle starting at
// cycle. A user deleted meanwhile is skipped.
func (q Q) AddUsage(ctx context.Context, userID string, cycle time.Time, metric string, delta int64) error {
	_, err := q.exec(ctx, `INSERT INTO usage_counters (user_id, cycle_start, metric, used)
		SELECT CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS BIGINT) WHERE EXISTS (SELECT 1 FROM users WHERE id = ?)
		ON CONFLICT (user_id, cycle_start, metric) DO UPDATE SET used = usage_counters.used + excluded.used`,
		userID, Micros(cycle), metric, delta, userID)
	return err
}

// Usage maps each metric to the user's usage in the cycle.
func (q Q) Usage(ctx context.Context, userID string, cycle time.Time) (map[string]int64, error) {
	return q.metricMap(ctx, `SELECT metric, used FROM usage_counters WHERE user_id = ? AND cycle_start = ?`, userID, Micros(cycle))
}

// metricMap reads (metric, number) rows into a map.
func (q Q) metricMap(ctx context.Context, query string, args ...any) (map[string]int64, error) {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var m string
		var v int64
		if err := rows.Scan(&m, &v); err != nil {
			return nil, err
		}
		out[m] = v
	}
	return out, rows.Err()
}
