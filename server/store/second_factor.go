package store

import (
	"context"
	"errors"
	"time"
)

// SecondFactor is a user's TOTP secret, sealed by the server.
type SecondFactor struct {
	UserID       string
	SecretSealed string
	ConfirmedAt  time.Time // zero while the enrolment waits for its first code
	LastStep     int64     // the last time step a code was accepted for
}

// Confirmed says whether the second factor is in use.
func (f *SecondFactor) Confirmed() bool { return f != nil && !f.ConfirmedAt.IsZero() }

// PutPendingSecondFactor starts (or restarts) an enrolment with a new
// secret. It fails with ErrStale when the user has a confirmed one.
func (q Q) PutPendingSecondFactor(ctx context.Context, userID, sealed string, now time.Time) error {
	return q.execOne(ctx, `INSERT INTO second_factors (user_id, secret_sealed, confirmed_at, last_step, created_at)
		VALUES (?, ?, 0, 0, ?)
		ON CONFLICT (user_id) DO UPDATE SET secret_sealed = excluded.secret_sealed, last_step = 0, created_at = excluded.created_at
		WHERE second_factors.confirmed_at = 0`, userID, sealed, Micros(now))
}

// SecondFactorOf loads the user's second factor, confirmed or pending.
func (q Q) SecondFactorOf(ctx context.Context, userID string) (*SecondFactor, error) {
	f := SecondFactor{UserID: userID}
	var c int64
	err := q.row(ctx, `SELECT secret_sealed, confirmed_at, last_step FROM second_factors WHERE user_id = ?`, userID).
		Scan(&f.SecretSealed, &c, &f.LastStep)
	if err != nil {
		return nil, noRows(err)
	}
	f.ConfirmedAt = FromMicros(c)
	return &f, nil
}

// UseTOTPStep spends a code's time step: it fails with ErrStale when a code
// for this or a later step was accepted already (a replay), so of two
// concurrent uses of one code exactly one succeeds.
func (q Q) UseTOTPStep(ctx context.Context, userID string, step int64) error {
	return q.execOne(ctx, `UPDATE second_factors SET last_step = ? WHERE user_id = ? AND last_step < ?`, step, userID, step)
}

// ConfirmSecondFactor turns a pending enrolment on; ErrStale when there
// is none.
func (q Q) ConfirmSecondFactor(ctx context.Context, userID string, now time.Time) error {
	return q.execOne(ctx, `UPDATE second_factors SET confirmed_at = ? WHERE user_id = ? AND confirmed_at = 0`, Micros(now), userID)
}

// DeleteSecondFactor removes the user's second factor with its recovery
// codes and remembered devices; ErrNotFound when there was none.
func (q Q) DeleteSecondFactor(ctx context.Context, userID string) error {
	for _, query := range []string{`DELETE FROM recovery_codes WHERE user_id = ?`, `DELETE FROM trusted_devices WHERE user_id = ?`} {
		if _, err := q.exec(ctx, query, userID); err != nil {
			return err
		}
	}
	return notFoundIfStale(q.execOne(ctx, `DELETE FROM second_factors WHERE user_id = ?`, userID))
}

// SetRecoveryCodes replaces the user's recovery codes by these hashes.
func (q Q) SetRecoveryCodes(ctx context.Context, userID string, hashes []string) error {
	if _, err := q.exec(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, userID); err != nil {
		return err
	}
	for _, h := range hashes {
		if _, err := q.exec(ctx, `INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)`, userID, h); err != nil {
			return classify(err)
		}
	}
	return nil
}

// UseRecoveryCode spends a recovery code; ErrNotFound when it is not one
// of the user's or was used already.
func (q Q) UseRecoveryCode(ctx context.Context, userID, hash string) error {
	return notFoundIfStale(q.execOne(ctx, `DELETE FROM recovery_codes WHERE user_id = ? AND code_hash = ?`, userID, hash))
}

// HasRecoveryCode says whether hash is an unused recovery code of the user.
func (q Q) HasRecoveryCode(ctx context.Context, userID, hash string) (bool, error) {
	var n int
	err := q.row(ctx, `SELECT COUNT(*) FROM recovery_codes WHERE user_id = ? AND code_hash = ?`, userID, hash).Scan(&n)
	return n > 0, err
}

// RecoveryCodesLeft counts the user's unused recovery codes.
func (q Q) RecoveryCodesLeft(ctx context.Context, userID string) (int, error) {
	var n int
	err := q.row(ctx, `SELECT COUNT(*) FROM recovery_codes WHERE user_id = ?`, userID).Scan(&n)
	return n, err
}

// AddTrustedDevice remembers a device (by its token's hash) until expires.
func (q Q) AddTrustedDevice(ctx context.Context, tokenHash, userID string, expires, now time.Time) error {
	_, err := q.exec(ctx, `INSERT INTO trusted_devices (token_hash, user_id, expires_at, created_at) VALUES (?, ?, ?, ?)`,
		tokenHash, userID, Micros(expires), Micros(now))
	return classify(err)
}

// TrustedDevice says whether tokenHash is a device of userID remembered
// beyond now.
func (q Q) TrustedDevice(ctx context.Context, tokenHash, userID string, now time.Time) (bool, error) {
	var exp int64
	err := q.row(ctx, `SELECT expires_at FROM trusted_devices WHERE token_hash = ? AND user_id = ?`, tokenHash, userID).Scan(&exp)
	if err = noRows(err); errors.Is(err, ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return now.Before(FromMicros(exp)), nil
}

// DeleteExpiredTrustedDevices forgets devices whose time is up.
func (q Q) DeleteExpiredTrustedDevices(ctx context.Context, now time.Time) (int64, error) {
	res, err := q.exec(ctx, `DELETE FROM trusted_devices WHERE expires_at < ?`, Micros(now))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// SecondFactorPolicy is the organisation's policy and its version.
func (q Q) SecondFactorPolicy(ctx context.Context, orgID string) (policy string, version int64, err error) {
	err = q.row(ctx, `SELECT second_factor_policy, second_factor_version FROM orgs WHERE id = ?`, orgID).Scan(&policy, &version)
	return policy, version, noRows(err)
}

// SetSecondFactorPolicy changes the policy if its version is still
// version; ErrStale otherwise.
func (q Q) SetSecondFactorPolicy(ctx context.Context, orgID, policy string, version int64) error {
	return q.execOne(ctx, `UPDATE orgs SET second_factor_policy = ?, second_factor_version = second_factor_version + 1
		WHERE id = ? AND second_factor_version = ?`, policy, orgID, version)
}

// MemberSecondFactor is one member's two-factor state.
type MemberSecondFactor struct {
	ID, DisplayName string
	Admin, Enabled  bool
}

// OrgSecondFactors lists the organisation's members by name with whether
// they are admins and have a confirmed second factor.
func (q Q) OrgSecondFactors(ctx context.Context, orgID string) ([]MemberSecondFactor, error) {
	rows, err := q.query(ctx, `SELECT u.id, u.display_name,
		EXISTS (SELECT 1 FROM user_permissions p WHERE p.user_id = u.id AND p.permission = 'account'),
		EXISTS (SELECT 1 FROM second_factors f WHERE f.user_id = u.id AND f.confirmed_at > 0)
		FROM users u WHERE u.org_id = ? ORDER BY u.display_name, u.id`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []MemberSecondFactor
	for rows.Next() {
		var m MemberSecondFactor
		if err := rows.Scan(&m.ID, &m.DisplayName, &m.Admin, &m.Enabled); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
