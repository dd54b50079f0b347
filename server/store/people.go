package store

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/phoneset/phoneset/api"
)

// Invitation is a pending invitation row; its link's token is stored only
// hashed.
type Invitation struct {
	ID, OrgID          string
	Email, DisplayName string
	License            string
	Options            map[string]string
	Owner              bool
	InvitedBy          string // the inviter's display name, or "operator"
	SentCount          int
	CreatedAt, SentAt  time.Time
	ExpiresAt          time.Time
}

// API is the invitation as admins see it at now.
func (i *Invitation) API(now time.Time) api.Invitation {
	opts := i.Options
	if opts == nil {
		opts = map[string]string{}
	}
	return api.Invitation{ID: i.ID, Email: i.Email, DisplayName: i.DisplayName, License: i.License, Options: opts,
		InvitedBy: i.InvitedBy, SentCount: i.SentCount, CreatedAt: i.CreatedAt, SentAt: i.SentAt, ExpiresAt: i.ExpiresAt,
		Expired: !now.Before(i.ExpiresAt)}
}

const invitationCols = `id, org_id, email, display_name, license, options, owner, invited_by, sent_count, created_at, sent_at, expires_at`

func scanInvitation(sc scanner) (*Invitation, error) {
	var i Invitation
	var opts string
	var c, s, e int64
	if err := sc.Scan(&i.ID, &i.OrgID, &i.Email, &i.DisplayName, &i.License, &opts, &i.Owner, &i.InvitedBy,
		&i.SentCount, &c, &s, &e); err != nil {
		return nil, noRows(err)
	}
	if err := json.Unmarshal([]byte(opts), &i.Options); err != nil {
		return nil, err
	}
	i.CreatedAt, i.SentAt, i.ExpiresAt = FromMicros(c), FromMicros(s), FromMicros(e)
	return &i, nil
}

// CreateInvitation stores a new invitation; ErrConflict when its address
// has one already. An expired invitation of the address, in any
// organisation, makes way for it.
func (q Q) CreateInvitation(ctx context.Context, i *Invitation, tokenHash string, now time.Time) error {
	if _, err := q.exec(ctx, `DELETE FROM invitations WHERE email_norm = ? AND expires_at <= ?`, NormEmail(i.Email), Micros(now)); err != nil {
		return err
	}
	opts, err := json.Marshal(orEmptyMap(i.Options))
	if err != nil {
		return err
	}
	_, err = q.exec(ctx, `INSERT INTO invitations (id, org_id, email, email_norm, display_name, license, options, owner,
		token_hash, invited_by, sent_count, created_at, sent_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		i.ID, i.OrgID, i.Email, NormEmail(i.Email), i.DisplayName, i.License, string(opts), i.Owner, tokenHash, i.InvitedBy,
		i.SentCount, Micros(i.CreatedAt), Micros(i.SentAt), Micros(i.ExpiresAt))
	return classify(err)
}

func orEmptyMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// Invitations lists the org's invitations, newest first.
func (q Q) Invitations(ctx context.Context, orgID string) ([]*Invitation, error) {
	return list(ctx, q, scanInvitation, `SELECT `+invitationCols+` FROM invitations WHERE org_id = ? ORDER BY created_at DESC, id`, orgID)
}

// InvitationByID loads one of the org's invitations.
func (q Q) InvitationByID(ctx context.Context, orgID, id string) (*Invitation, error) {
	return scanInvitation(q.row(ctx, `SELECT `+invitationCols+` FROM invitations WHERE org_id = ? AND id = ?`, orgID, id))
}

// InvitationByToken finds the invitation a link's token hash belongs to.
func (q Q) InvitationByToken(ctx context.Context, tokenHash string) (*Invitation, error) {
	return scanInvitation(q.row(ctx, `SELECT `+invitationCols+` FROM invitations WHERE token_hash = ?`, tokenHash))
}

// ResendInvitation gives an invitation a new token and expiry: the old
// link stops working.
func (q Q) ResendInvitation(ctx context.Context, i *Invitation, tokenHash string) error {
	return notFoundIfStale(q.execOne(ctx, `UPDATE invitations SET token_hash = ?, sent_count = sent_count + 1, sent_at = ?, expires_at = ?
		WHERE org_id = ? AND id = ?`, tokenHash, Micros(i.SentAt), Micros(i.ExpiresAt), i.OrgID, i.ID))
}

// DeleteInvitation revokes one of the org's invitations.
func (q Q) DeleteInvitation(ctx context.Context, orgID, id string) error {
	return notFoundIfStale(q.execOne(ctx, `DELETE FROM invitations WHERE org_id = ? AND id = ?`, orgID, id))
}

// ConsumeInvitation spends an invitation's link in the transaction that
// creates the account: the delete matches the token too, so of concurrent
// accepts exactly one removes it and the others get ErrNotFound, as does a
// link replaced by a resend since it was read.
func (q Q) ConsumeInvitation(ctx context.Context, id, tokenHash string) error {
	return notFoundIfStale(q.execOne(ctx, `DELETE FROM invitations WHERE id = ? AND token_hash = ?`, id, tokenHash))
}

// ReservedLicenses maps each license SKU to how many of the org's
// unexpired invitations hold one.
func (q Q) ReservedLicenses(ctx context.Context, orgID string, now time.Time) (map[string]int64, error) {
	return q.metricMap(ctx, `SELECT license, COUNT(*) FROM invitations
		WHERE org_id = ? AND license <> '' AND expires_at > ? GROUP BY license`, orgID, Micros(now))
}

// SetUserOption puts a user in one option of a category.
func (q Q) SetUserOption(ctx context.Context, userID, categoryID, optionID string) error {
	_, err := q.exec(ctx, `INSERT INTO user_options (user_id, category_id, option_id) VALUES (?, ?, ?)
		ON CONFLICT (user_id, category_id) DO UPDATE SET option_id = excluded.option_id`, userID, categoryID, optionID)
	return err
}

// SetDeactivated deactivates a user at at, or reactivates them when at is
// zero.
func (q Q) SetDeactivated(ctx context.Context, userID string, at time.Time) error {
	return notFoundIfStale(q.execOne(ctx, `UPDATE users SET rev = rev + 1, deactivated_at = ? WHERE id = ?`, Micros(at), userID))
}

// UnassignAllLicenses takes every license from a user and returns their
// SKUs, sorted.
func (q Q) UnassignAllLicenses(ctx context.Context, userID string) ([]string, error) {
	skus, err := list(ctx, q, scanOne[string], `SELECT sku FROM user_licenses WHERE user_id = ? ORDER BY sku`, userID)
	if err != nil {
		return nil, err
	}
	_, err = q.exec(ctx, `DELETE FROM user_licenses WHERE user_id = ?`, userID)
	return skus, err
}

// DeleteVerifications drops every pending link and code of a user.
func (q Q) DeleteVerifications(ctx context.Context, userID string) error {
	_, err := q.exec(ctx, `DELETE FROM verifications WHERE user_id = ?`, userID)
	return err
}

// likeText matches s anywhere, case as the database compares it, with
// LIKE's wildcards in s escaped.
func likeText(s string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s) + "%"
}

// Pseudonymise replaces an erased user by pseudonym in what outlives
// their row. In the org's audit log their ID becomes pseudonym in actor
// IDs and resources, their own events lose the address they came from,
// and each of personal (name, email, …) is replaced wherever it occurs in
// a name or value (values shorter than three bytes are left there: they
// would mangle unrelated text; the person's own name, address and number
// fields are replaced whole): what happened, and when, stays. The names,
// addresses and numbers they had before count as personal too (an earlier
// address names them in the invitation's events); first and last names
// alone do not, as they are too common to replace elsewhere. Statuses they set,
// orders they placed and invitations they sent name the pseudonym too.
// Answers kept for Idempotency-Keys that hold personal data, rate
// counters of their ID and notifications not yet read that name them are
// forgotten.
func (q Q) Pseudonymise(ctx context.Context, orgID, userID, pseudonym string, personal []string) error {
	res, prefix := "user/"+userID, "user/"+userID+"/"
	past, err := list(ctx, q, func(sc scanner) ([2]string, error) {
		var v [2]string
		return v, sc.Scan(&v[0], &v[1])
	}, `SELECT old_value, new_value FROM audit_events WHERE org_id = ? AND (resource = ? OR substr(resource, 1, ?) = ?)
		AND field IN ('display_name', 'username', 'email', 'pending_email', 'mobile', 'pending_mobile', 'scim_user_name', 'scim_external_id')`,
		orgID, res, len(prefix), prefix)
	if err != nil {
		return err
	}
	for _, v := range past {
		for _, s := range v {
			if s != "" && !slices.Contains(personal, s) {
				personal = append(personal, s)
			}
		}
	}
	if err := q.forgetIdempotent(ctx, orgID, personal); err != nil {
		return err
	}
	suffix := ":" + userID
	if _, err := q.exec(ctx, `DELETE FROM rate_counters WHERE length(bucket) > ? AND substr(bucket, length(bucket) - ?) = ?`,
		len(suffix), len(suffix)-1, suffix); err != nil {
		return err
	}
	// Notifications between processes on SQLite name a user last (see
	// Notify's callers); the unread ones of the person go.
	suffix = " " + userID
	if _, err := q.exec(ctx, `DELETE FROM live_notifications WHERE length(payload) > ? AND substr(payload, length(payload) - ?) = ?`,
		len(suffix), len(suffix)-1, suffix); err != nil {
		return err
	}
	for _, query := range []string{
		`UPDATE users SET rev = rev + 1, status_changed_by = ?, status_changed_by_name = ? WHERE status_changed_by = ?`,
		`UPDATE org_orders SET ordered_by = ?, ordered_by_name = ? WHERE ordered_by = ?`,
	} {
		if _, err := q.exec(ctx, query, pseudonym, pseudonym, userID); err != nil {
			return err
		}
	}
	for _, p := range personal {
		if _, err := q.exec(ctx, `UPDATE invitations SET invited_by = ? WHERE org_id = ? AND invited_by = ?`, pseudonym, orgID, p); err != nil {
			return err
		}
	}
	if _, err := q.exec(ctx, `UPDATE audit_events SET actor_id = ?, actor = ?, ip = '' WHERE org_id = ? AND actor_id = ?`,
		pseudonym, pseudonym, orgID, userID); err != nil {
		return err
	}
	if _, err := q.exec(ctx, `UPDATE audit_events SET resource = ? || substr(resource, ?)
		WHERE org_id = ? AND (resource = ? OR substr(resource, 1, ?) = ?)`,
		"user/"+pseudonym, len(res)+1, orgID, res, len(prefix), prefix); err != nil {
		return err
	}
	// The person's own fields (names, addresses, numbers, extra info) go
	// whole, however short: a first name "Bo" changed to "Jo" names them
	// as much as a long one.
	if _, err := q.exec(ctx, `UPDATE audit_events SET
		old_value = CASE WHEN old_value = '' THEN '' ELSE ? END, new_value = CASE WHEN new_value = '' THEN '' ELSE ? END
		WHERE org_id = ? AND (resource = ? OR substr(resource, 1, ?) = ?) AND `+personalFields,
		pseudonym, pseudonym, orgID, "user/"+pseudonym, len("user/"+pseudonym+"/"), "user/"+pseudonym+"/"); err != nil {
		return err
	}
	for _, p := range personal {
		if len(p) < 3 { // elsewhere, shorter ones would mangle unrelated text
			continue
		}
		l := likeText(p)
		if _, err := q.exec(ctx, `UPDATE audit_events SET actor = REPLACE(actor, ?, ?),
			old_value = REPLACE(old_value, ?, ?), new_value = REPLACE(new_value, ?, ?)
			WHERE org_id = ? AND (actor LIKE ? ESCAPE '\' OR old_value LIKE ? ESCAPE '\' OR new_value LIKE ? ESCAPE '\')`,
			p, pseudonym, p, pseudonym, p, pseudonym, orgID, l, l, l); err != nil {
			return err
		}
	}
	return nil
}

// personalFields selects the audit events of a person's own fields that
// name them: names, addresses, numbers, extra info, and what their identity
// provider calls them.
const personalFields = `(field IN ('first_name', 'last_name', 'display_name', 'username', 'email', 'pending_email', 'mobile',
	'pending_mobile', 'scim_user_name', 'scim_external_id') OR substr(field, 1, 10) = 'extra_info')`

// forgetIdempotent drops the answers kept for the org's Idempotency-Keys
// that hold any of personal, in any case (an invitation's answer holds the
// invitee's address and name).
func (q Q) forgetIdempotent(ctx context.Context, orgID string, personal []string) error {
	type key struct{ user, key string }
	kept, err := list(ctx, q, func(sc scanner) (key, error) {
		var k key
		var body []byte
		if err := sc.Scan(&k.user, &k.key, &body); err != nil {
			return k, err
		}
		b := bytes.ToLower(body)
		for _, p := range personal {
			if len(p) >= 3 && bytes.Contains(b, bytes.ToLower([]byte(p))) {
				return k, nil
			}
		}
		return key{}, nil
	}, `SELECT k.user_id, k.idem_key, k.body FROM idempotency_keys k JOIN users u ON u.id = k.user_id WHERE u.org_id = ?`, orgID)
	if err != nil {
		return err
	}
	for _, k := range kept {
		if k.user == "" {
			continue
		}
		if _, err := q.exec(ctx, `DELETE FROM idempotency_keys WHERE user_id = ? AND idem_key = ?`, k.user, k.key); err != nil {
			return err
		}
	}
	return nil
}

// OrgRow is an organisation as operators list it.
type OrgRow struct {
	ID, DisplayName, OrgNumber string
	Members, Invited           int
	DisabledAt, CreatedAt      time.Time
}

// OrgRows lists every organisation, oldest first.
func (q Q) OrgRows(ctx context.Context) ([]OrgRow, error) {
	return list(ctx, q, func(sc scanner) (OrgRow, error) {
		var o OrgRow
		var d, c int64
		err := sc.Scan(&o.ID, &o.DisplayName, &o.OrgNumber, &o.Members, &o.Invited, &d, &c)
		o.DisabledAt, o.CreatedAt = FromMicros(d), FromMicros(c)
		return o, err
	}, `SELECT o.id, o.display_name, o.org_number,
		(SELECT COUNT(*) FROM users u WHERE u.org_id = o.id),
		(SELECT COUNT(*) FROM invitations i WHERE i.org_id = o.id),
		o.disabled_at, o.created_at FROM orgs o ORDER BY o.created_at, o.id`)
}

// OrgIDByNumber finds an organisation by its organisation number.
func (q Q) OrgIDByNumber(ctx context.Context, number string) (string, error) {
	id, err := scanOne[string](q.row(ctx, `SELECT id FROM orgs WHERE org_number = ?`, number))
	return id, noRows(err)
}

// OrgDisabledAt says when an operator disabled the organisation; zero
// while it is enabled.
func (q Q) OrgDisabledAt(ctx context.Context, orgID string) (time.Time, error) {
	at, err := scanOne[int64](q.row(ctx, `SELECT disabled_at FROM orgs WHERE id = ?`, orgID))
	return FromMicros(at), noRows(err)
}

// DisableOrg disables an organisation and signs out all of its members;
// it returns how many sessions ended.
func (q Q) DisableOrg(ctx context.Context, orgID string, at time.Time) (int64, error) {
	if err := notFoundIfStale(q.execOne(ctx, `UPDATE orgs SET version = version + 1, disabled_at = ? WHERE id = ?`, Micros(at), orgID)); err != nil {
		return 0, err
	}
	res, err := q.exec(ctx, `DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE org_id = ?)`, orgID)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// SetOwner makes a member the organisation's account owner.
func (q Q) SetOwner(ctx context.Context, orgID, userID string) error {
	return notFoundIfStale(q.execOne(ctx, `UPDATE orgs SET version = version + 1, settings_version = settings_version + 1,
		owner_id = ? WHERE id = ?`, userID, orgID))
}

// PruneInvitations deletes invitations that expired before cutoff.
func (q Q) PruneInvitations(ctx context.Context, cutoff time.Time) error {
	_, err := q.exec(ctx, `DELETE FROM invitations WHERE expires_at < ?`, Micros(cutoff))
	return err
}
