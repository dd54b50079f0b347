package store

import (
	"context"
	"errors"
	"time"
)

// Purposes of a verification.
const (
	PurposeEmailChange  = "email_change"
	PurposeMobileChange = "mobile_change"
	PurposeResetEmail   = "reset_email"
	PurposeResetSMS     = "reset_sms"
	// "This wasn't me" links sent to the old contacts of a changed account.
	PurposeUndoEmail    = "undo_email"
	PurposeUndoMobile   = "undo_mobile"
	PurposeUndoPassword = "undo_password"
)

// Verification is a pending proof: a link token or an SMS code, stored
// hashed, with the value it will apply (Target) and its failed tries.
type Verification struct {
	UserID, Purpose, Target string
	SecretHash              string
	Attempts                int
	ExpiresAt, CreatedAt    time.Time
}

// PutVerification stores v, replacing the user's previous one for the same
// purpose.
func (q Q) PutVerification(ctx context.Context, v *Verification) error {
	_, err := q.exec(ctx, `INSERT INTO verifications (user_id, purpose, target, secret_hash, attempts, expires_at, created_at)
		VALUES (?, ?, ?, ?, 0, ?, ?)
		ON CONFLICT (user_id, purpose) DO UPDATE SET target = excluded.target, secret_hash = excluded.secret_hash,
		attempts = 0, expires_at = excluded.expires_at, created_at = excluded.created_at`,
		v.UserID, v.Purpose, v.Target, v.SecretHash, Micros(v.ExpiresAt), Micros(v.CreatedAt))
	return err
}

const verificationCols = `user_id, purpose, target, secret_hash, attempts, expires_at, created_at`

func scanVerification(sc scanner) (*Verification, error) {
	var v Verification
	var e, c int64
	if err := sc.Scan(&v.UserID, &v.Purpose, &v.Target, &v.SecretHash, &v.Attempts, &e, &c); err != nil {
		return nil, noRows(err)
	}
	v.ExpiresAt, v.CreatedAt = FromMicros(e), FromMicros(c)
	return &v, nil
}

// GetVerification loads the user's pending proof for a purpose.
func (q Q) GetVerification(ctx context.Context, userID, purpose string) (*Verification, error) {
	return scanVerification(q.row(ctx, `SELECT `+verificationCols+` FROM verifications WHERE user_id = ? AND purpose = ?`, userID, purpose))
}

// VerificationBySecret finds a pending link by its token hash.
func (q Q) VerificationBySecret(ctx context.Context, purpose, secretHash string) (*Verification, error) {
	return scanVerification(q.row(ctx, `SELECT `+verificationCols+` FROM verifications WHERE purpose = ? AND secret_hash = ?`, purpose, secretHash))
}

// FailVerification counts a wrong code and returns the tries made so far.
func (q Q) FailVerification(ctx context.Context, userID, purpose string) (int, error) {
	var n int
	err := q.row(ctx, `UPDATE verifications SET attempts = attempts + 1 WHERE user_id = ? AND purpose = ? RETURNING attempts`,
		userID, purpose).Scan(&n)
	return n, noRows(err)
}

// ConsumeVerification spends the proof v was read as, in the transaction
// that applies it: the delete matches its secret too, so of concurrent uses
// exactly one removes it and the others get ErrNotFound, as does a proof
// replaced by a newer one since it was read.
func (q Q) ConsumeVerification(ctx context.Context, v *Verification) error {
	err := q.execOne(ctx, `DELETE FROM verifications WHERE user_id = ? AND purpose = ? AND secret_hash = ?`,
		v.UserID, v.Purpose, v.SecretHash)
	if errors.Is(err, ErrStale) {
		return ErrNotFound
	}
	return err
}

// DeleteVerification removes a proof once used, expired or cancelled.
func (q Q) DeleteVerification(ctx context.Context, userID, purpose string) error {
	_, err := q.exec(ctx, `DELETE FROM verifications WHERE user_id = ? AND purpose = ?`, userID, purpose)
	return err
}
