package store

import (
	"context"
	"time"
)

// Replay is a stored response to a write made with an Idempotency-Key.
type Replay struct {
	Method, Path string
	Status       int
	ETag         string
	Body         []byte
}

// GetReplay finds the response stored for the user's key.
func (q Q) GetReplay(ctx context.Context, userID, key string) (*Replay, error) {
	var r Replay
	err := q.row(ctx, `SELECT method, path, status, etag, body FROM idempotency_keys WHERE user_id = ? AND idem_key = ?`,
		userID, key).Scan(&r.Method, &r.Path, &r.Status, &r.ETag, &r.Body)
	if err != nil {
		return nil, noRows(err)
	}
	return &r, nil
}

// PutReplay stores a response; a key already stored keeps its first one.
func (q Q) PutReplay(ctx context.Context, userID, key string, r *Replay, at time.Time) error {
	_, err := q.exec(ctx, `INSERT INTO idempotency_keys (user_id, idem_key, method, path, status, etag, body, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		userID, key, r.Method, r.Path, r.Status, r.ETag, r.Body, Micros(at))
	return err
}

// PruneReplays forgets responses stored before cutoff.
func (q Q) PruneReplays(ctx context.Context, cutoff time.Time) error {
	_, err := q.exec(ctx, `DELETE FROM idempotency_keys WHERE created_at < ?`, Micros(cutoff))
	return err
}
