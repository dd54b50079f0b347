package store

import (
	"context"
	"errors"
	"time"
)

// Replay is a stored response to a write made with an Idempotency-Key.
// Status 0 marks a key reserved by a request that has not answered yet.
type Replay struct {
	Method, Path string
	// Request fingerprints the request body, so a key reused for another
	// body is told apart from a retry.
	Request string
	Status  int
	ETag    string
	Body    []byte
}

// Pending reports whether the request holding the key is still running.
func (r *Replay) Pending() bool { return r.Status == 0 }

// GetReplay finds the response stored for the user's key.
func (q Q) GetReplay(ctx context.Context, userID, key string) (*Replay, error) {
	var r Replay
	err := q.row(ctx, `SELECT method, path, request_hash, status, etag, body FROM idempotency_keys WHERE user_id = ? AND idem_key = ?`,
		userID, key).Scan(&r.Method, &r.Path, &r.Request, &r.Status, &r.ETag, &r.Body)
	if err != nil {
		return nil, noRows(err)
	}
	return &r, nil
}

// ReserveReplay claims the user's key for a request (r's Method, Path and
// Request). It returns nil when this caller won the key and must settle it
// with FinishReplay or ReleaseReplay; otherwise the key's current holder,
// which may be Pending. Of any number of concurrent callers exactly one
// wins: the insert is guarded by the primary key.
func (q Q) ReserveReplay(ctx context.Context, userID, key string, r *Replay, at time.Time) (*Replay, error) {
	for {
		res, err := q.exec(ctx, `INSERT INTO idempotency_keys (user_id, idem_key, method, path, request_hash, status, etag, body, created_at)
			VALUES (?, ?, ?, ?, ?, 0, '', ?, ?) ON CONFLICT DO NOTHING`,
			userID, key, r.Method, r.Path, r.Request, []byte{}, Micros(at))
		if err != nil {
			return nil, err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return nil, err
		}
		prev, err := q.GetReplay(ctx, userID, key)
		if !errors.Is(err, ErrNotFound) {
			return prev, err
		}
		// The holder released the key between the two statements: try
		// again, unless the caller has gone.
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
}

// FinishReplay stores the answer of the request that reserved the key.
func (q Q) FinishReplay(ctx context.Context, userID, key string, r *Replay) error {
	return q.execOne(ctx, `UPDATE idempotency_keys SET status = ?, etag = ?, body = ? WHERE user_id = ? AND idem_key = ? AND status = 0`,
		r.Status, r.ETag, r.Body, userID, key)
}

// ReleaseReplay gives up a reserved key whose answer is not kept (a 5xx or
// 429), so the request may be retried for real.
func (q Q) ReleaseReplay(ctx context.Context, userID, key string) error {
	_, err := q.exec(ctx, `DELETE FROM idempotency_keys WHERE user_id = ? AND idem_key = ? AND status = 0`, userID, key)
	return err
}

// PruneReplays forgets responses stored before cutoff.
func (q Q) PruneReplays(ctx context.Context, cutoff time.Time) error {
	_, err := q.exec(ctx, `DELETE FROM idempotency_keys WHERE created_at < ?`, Micros(cutoff))
	return err
}
