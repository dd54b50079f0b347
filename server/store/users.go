package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/phoneset/phoneset/api"
)

// User is one account row. Its three user-editable resources (profile,
// status, notifications) and its photos each carry their own version.
type User struct {
	ID, OrgID string
	Rev       int64

	Username, Email   string
	PasswordHash      string
	PasswordChangedAt time.Time

	FirstName, LastName, DisplayName string
	Language, TimeZone               string
	Mobile, FixedNumber              string
	HideMobile, HideFixed            bool
	PendingEmail, PendingMobile      string
	AdminInfo, ExtraInfo             []api.InfoField
	ProfileVersion                   int64

	Availability                         api.Availability
	ReasonCode                           string
	StatusChangedBy, StatusChangedByName string
	StatusChangedAt                      time.Time
	StatusVersion                        int64
	// StatusUntil ends a timed status (zero: none) with StatusThen. Every
	// status write saves them: clear them when setting another status.
	StatusUntil time.Time
	StatusThen  api.Availability

	NotifyMissedCalls, NotifyVoicemails bool
	NotificationsVersion                int64

	HasAvatar, HasCover bool
	PhotoVersion        int64

	APIKeySealed    string
	APIKeyCreatedAt time.Time

	CreatedAt     time.Time
	DeactivatedAt time.Time // zero while the account is active
}

// Profile is the user's api.Profile resource.
func (u *User) Profile() api.Profile {
	p := api.Profile{
		Version: u.ProfileVersion, FirstName: u.FirstName, LastName: u.LastName,
		DisplayName: u.DisplayName, Username: u.Username, Language: u.Language, TimeZone: u.TimeZone,
		Email: u.Email, PendingEmail: u.PendingEmail, Mobile: u.Mobile, PendingMobile: u.PendingMobile,
		FixedNumber: u.FixedNumber, HideMobile: u.HideMobile, HideFixed: u.HideFixed,
		CallsViaMobileVoIP: api.CallsViaMobileVoIP(u.HideMobile, u.HideFixed),
		AdminInfo:          u.AdminInfo, ExtraInfo: u.ExtraInfo,
	}
	if p.AdminInfo == nil {
		p.AdminInfo = []api.InfoField{}
	}
	if p.ExtraInfo == nil {
		p.ExtraInfo = []api.InfoField{}
	}
	return p
}

// Status is the user's api.Status resource.
func (u *User) Status() api.Status {
	st := api.Status{
		Version: u.StatusVersion, Availability: u.Availability, ReasonCode: u.ReasonCode,
		ChangedBy: u.StatusChangedBy, ChangedByName: u.StatusChangedByName, ChangedAt: u.StatusChangedAt,
		QueueEligible: u.Availability == api.Online,
	}
	if !u.StatusUntil.IsZero() {
		until := u.StatusUntil
		st.Until, st.Then = &until, u.StatusThen
	}
	return st
}

// Notifications is the user's api.Notifications resource.
func (u *User) Notifications() api.Notifications {
	return api.Notifications{Version: u.NotificationsVersion, EmailMissedCalls: u.NotifyMissedCalls, EmailVoicemails: u.NotifyVoicemails}
}

const userCols = `u.id, u.org_id, u.rev, u.username, u.email, u.password_hash, u.password_changed_at,
	u.first_name, u.last_name, u.display_name, u.language, u.time_zone, u.mobile, u.fixed_number,
	u.hide_mobile, u.hide_fixed, u.pending_email, u.pending_mobile, u.admin_info, u.extra_info, u.profile_version,
	u.availability, u.reason_code, u.status_changed_by, u.status_changed_by_name, u.status_changed_at, u.status_version, u.status_until, u.status_then,
	u.notify_missed_calls, u.notify_voicemails, u.notifications_version,
	u.has_avatar, u.has_cover, u.photo_version, u.api_key_sealed, u.api_key_created_at, u.created_at, u.deactivated_at`

type scanner interface{ Scan(dest ...any) error }

func scanUser(sc scanner, extra ...any) (*User, error) {
	var u User
	var pwAt, stAt, untilAt, keyAt, created, deactivated int64
	var then string
	var admin, extra0 string
	var avail string
	dest := []any{&u.ID, &u.OrgID, &u.Rev, &u.Username, &u.Email, &u.PasswordHash, &pwAt,
		&u.FirstName, &u.LastName, &u.DisplayName, &u.Language, &u.TimeZone, &u.Mobile, &u.FixedNumber,
		&u.HideMobile, &u.HideFixed, &u.PendingEmail, &u.PendingMobile, &admin, &extra0, &u.ProfileVersion,
		&avail, &u.ReasonCode, &u.StatusChangedBy, &u.StatusChangedByName, &stAt, &u.StatusVersion, &untilAt, &then,
		&u.NotifyMissedCalls, &u.NotifyVoicemails, &u.NotificationsVersion,
		&u.HasAvatar, &u.HasCover, &u.PhotoVersion, &u.APIKeySealed, &keyAt, &created, &deactivated}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return nil, noRows(err)
	}
	u.Availability, u.StatusUntil, u.StatusThen = api.Availability(avail), FromMicros(untilAt), api.Availability(then)
	u.PasswordChangedAt, u.StatusChangedAt = FromMicros(pwAt), FromMicros(stAt)
	u.APIKeyCreatedAt, u.CreatedAt, u.DeactivatedAt = FromMicros(keyAt), FromMicros(created), FromMicros(deactivated)
	if err := json.Unmarshal([]byte(admin), &u.AdminInfo); err != nil {
		return nil, fmt.Errorf("store: user %s admin_info: %w", u.ID, err)
	}
	if err := json.Unmarshal([]byte(extra0), &u.ExtraInfo); err != nil {
		return nil, fmt.Errorf("store: user %s extra_info: %w", u.ID, err)
	}
	return &u, nil
}

func infoJSON(f []api.InfoField) string {
	if f == nil {
		f = []api.InfoField{}
	}
	b, _ := json.Marshal(f) // a slice of string pairs always marshals
	return string(b)
}

// NormEmail is the form emails are compared in.
func NormEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// UserByID loads a user.
func (q Q) UserByID(ctx context.Context, id string) (*User, error) {
	return scanUser(q.row(ctx, `SELECT `+userCols+` FROM users u WHERE u.id = ?`, id))
}

// UserByLogin finds a user by username or email, case-insensitively.
func (q Q) UserByLogin(ctx context.Context, login string) (*User, error) {
	n := strings.ToLower(strings.TrimSpace(login))
	return scanUser(q.row(ctx, `SELECT `+userCols+` FROM users u WHERE u.username_norm = ? OR u.email_norm = ?`, n, n))
}

// CreateUser inserts a new account; ErrConflict when the username or email
// is taken.
func (q Q) CreateUser(ctx context.Context, u *User) error {
	_, err := q.exec(ctx, `INSERT INTO users (id, org_id, username, username_norm, email, email_norm, password_hash,
		password_changed_at, first_name, last_name, display_name, language, time_zone, mobile, fixed_number,
		admin_info, extra_info, availability, status_changed_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.OrgID, u.Username, api.NormalizeUsername(u.Username), u.Email, NormEmail(u.Email), u.PasswordHash,
		Micros(u.PasswordChangedAt), u.FirstName, u.LastName, u.DisplayName, u.Language, u.TimeZone, u.Mobile, u.FixedNumber,
		infoJSON(u.AdminInfo), infoJSON(u.ExtraInfo), string(u.Availability), Micros(u.StatusChangedAt), Micros(u.CreatedAt))
	if err != nil {
		return classify(err)
	}
	return q.recordStatus(ctx, u)
}

// recordStatus adds the status u is now in to its history, from which
// time in status is read; every status write calls it in its transaction.
func (q Q) recordStatus(ctx context.Context, u *User) error {
	at := u.StatusChangedAt
	if at.IsZero() {
		at = u.CreatedAt
	}
	_, err := q.exec(ctx, `INSERT INTO status_history (user_id, availability, reason_code, started_at) VALUES (?, ?, ?, ?)`,
		u.ID, string(u.Availability), u.ReasonCode, Micros(at))
	return err
}

// SaveProfile writes the profile columns of u if the stored profile is
// still at version; the stored version becomes version+1. It returns
// ErrStale when someone else wrote first and ErrConflict when the username
// or email is taken.
func (q Q) SaveProfile(ctx context.Context, u *User, version int64) error {
	err := q.execOne(ctx, `UPDATE users SET rev = rev + 1, profile_version = profile_version + 1,
		username = ?, username_norm = ?, email = ?, email_norm = ?, first_name = ?, last_name = ?, display_name = ?,
		language = ?, time_zone = ?, mobile = ?, fixed_number = ?, hide_mobile = ?, hide_fixed = ?,
		pending_email = ?, pending_mobile = ?, admin_info = ?, extra_info = ?
		WHERE id = ? AND profile_version = ?`,
		u.Username, api.NormalizeUsername(u.Username), u.Email, NormEmail(u.Email), u.FirstName, u.LastName, u.DisplayName,
		u.Language, u.TimeZone, u.Mobile, u.FixedNumber, u.HideMobile, u.HideFixed,
		u.PendingEmail, u.PendingMobile, infoJSON(u.AdminInfo), infoJSON(u.ExtraInfo), u.ID, version)
	if err == nil {
		u.ProfileVersion = version + 1
	}
	return err
}

// SaveStatus writes availability, reason and who changed it, if the status
// is still at version.
func (q Q) SaveStatus(ctx context.Context, u *User, version int64) error {
	err := q.execOne(ctx, `UPDATE users SET rev = rev + 1, status_version = status_version + 1,
		availability = ?, reason_code = ?, status_changed_by = ?, status_changed_by_name = ?, status_changed_at = ?,
		status_until = ?, status_then = ?
		WHERE id = ? AND status_version = ?`,
		string(u.Availability), u.ReasonCode, u.StatusChangedBy, u.StatusChangedByName, Micros(u.StatusChangedAt),
		Micros(u.StatusUntil), string(u.StatusThen), u.ID, version)
	if err != nil {
		return err
	}
	u.StatusVersion = version + 1
	return q.recordStatus(ctx, u)
}

// SaveNotifications writes the email notification switches, if they are
// still at version.
func (q Q) SaveNotifications(ctx context.Context, u *User, version int64) error {
	err := q.execOne(ctx, `UPDATE users SET rev = rev + 1, notifications_version = notifications_version + 1,
		notify_missed_calls = ?, notify_voicemails = ? WHERE id = ? AND notifications_version = ?`,
		u.NotifyMissedCalls, u.NotifyVoicemails, u.ID, version)
	if err == nil {
		u.NotificationsVersion = version + 1
	}
	return err
}

// SetPassword stores a new password hash.
func (q Q) SetPassword(ctx context.Context, userID, hash string, at time.Time) error {
	return notFoundIfStale(q.execOne(ctx, `UPDATE users SET rev = rev + 1, password_hash = ?, password_changed_at = ? WHERE id = ?`,
		hash, Micros(at), userID))
}

// SetPhotoFlags records whether the avatar and cover exist, if the photos
// are still at version.
func (q Q) SetPhotoFlags(ctx context.Context, userID string, hasAvatar, hasCover bool, version int64) error {
	return q.execOne(ctx, `UPDATE users SET rev = rev + 1, photo_version = photo_version + 1, has_avatar = ?, has_cover = ?
		WHERE id = ? AND photo_version = ?`, hasAvatar, hasCover, userID, version)
}

// SetAPIKey replaces the API key: its lookup hash and its sealed copy for
// reveal.
func (q Q) SetAPIKey(ctx context.Context, userID, hash, sealed string, at time.Time) error {
	return notFoundIfStale(q.execOne(ctx, `UPDATE users SET rev = rev + 1, api_key_hash = ?, api_key_sealed = ?, api_key_created_at = ?
		WHERE id = ?`, hash, sealed, Micros(at), userID))
}

// RevokeAPIKey removes the API key, reporting whether there was one. The
// next request for the key creates a new one.
func (q Q) RevokeAPIKey(ctx context.Context, userID string) (bool, error) {
	err := q.execOne(ctx, `UPDATE users SET rev = rev + 1, api_key_hash = NULL, api_key_sealed = '', api_key_created_at = 0
		WHERE id = ? AND api_key_sealed <> ''`, userID)
	if err == ErrStale {
		return false, nil
	}
	return err == nil, err
}

// DeleteUser removes an account and everything that hangs off it.
func (q Q) DeleteUser(ctx context.Context, userID string) error {
	return notFoundIfStale(q.execOne(ctx, `DELETE FROM users WHERE id = ?`, userID))
}

func notFoundIfStale(err error) error {
	if err == ErrStale {
		return ErrNotFound
	}
	return err
}

// Permissions lists a user's permissions, sorted.
func (q Q) Permissions(ctx context.Context, userID string) ([]string, error) {
	rows, err := q.query(ctx, `SELECT permission FROM user_permissions WHERE user_id = ? ORDER BY permission`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	perms := []string{}
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		perms = append(perms, p)
	}
	return perms, rows.Err()
}

// Grant gives a user a permission.
func (q Q) Grant(ctx context.Context, userID, perm string) error {
	if _, err := q.exec(ctx, `INSERT INTO user_permissions (user_id, permission) VALUES (?, ?) ON CONFLICT DO NOTHING`, userID, perm); err != nil {
		return err
	}
	_, err := q.exec(ctx, `UPDATE users SET rev = rev + 1 WHERE id = ?`, userID)
	return err
}

// CountWithPermission counts the org's active users holding perm: a
// deactivated admin cannot act, so is no remaining admin.
func (q Q) CountWithPermission(ctx context.Context, orgID, perm string) (int, error) {
	var n int
	err := q.row(ctx, `SELECT COUNT(*) FROM users u JOIN user_permissions p ON p.user_id = u.id
		WHERE u.org_id = ? AND p.permission = ? AND u.deactivated_at = 0`, orgID, perm).Scan(&n)
	return n, err
}

// CountUsers counts all accounts.
func (q Q) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := q.row(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, err
}

// APIKeyOwner finds the user an API key hash belongs to.
func (q Q) APIKeyOwner(ctx context.Context, hash string) (string, error) {
	var id string
	err := q.row(ctx, `SELECT id FROM users WHERE api_key_hash = ?`, hash).Scan(&id)
	return id, noRows(err)
}
