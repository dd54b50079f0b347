package store

import (
	"context"
	"strings"
	"time"
)

// SCIMToken is an organisation's bearer token for its identity provider;
// only the hash of the secret is stored.
type SCIMToken struct {
	ID, OrgID, Name          string
	CreatedBy, CreatedByName string
	CreatedAt, LastUsedAt    time.Time
	RevokedAt                time.Time
}

const scimTokenCols = `id, org_id, name, created_by, created_by_name, created_at, last_used_at, revoked_at`

func scanSCIMToken(sc scanner) (SCIMToken, error) {
	var t SCIMToken
	var created, used, revoked int64
	err := sc.Scan(&t.ID, &t.OrgID, &t.Name, &t.CreatedBy, &t.CreatedByName, &created, &used, &revoked)
	t.CreatedAt, t.LastUsedAt, t.RevokedAt = FromMicros(created), FromMicros(used), FromMicros(revoked)
	return t, err
}

// CreateSCIMToken stores a new token under the hash of its secret.
func (q Q) CreateSCIMToken(ctx context.Context, t SCIMToken, hash string) error {
	_, err := q.exec(ctx, `INSERT INTO scim_tokens (id, org_id, name, token_hash, created_by, created_by_name, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, t.ID, t.OrgID, t.Name, hash, t.CreatedBy, t.CreatedByName, Micros(t.CreatedAt))
	return classify(err)
}

// SCIMTokens lists the org's tokens that are not revoked, oldest first.
func (q Q) SCIMTokens(ctx context.Context, orgID string) ([]SCIMToken, error) {
	return list(ctx, q, scanSCIMToken, `SELECT `+scimTokenCols+` FROM scim_tokens
		WHERE org_id = ? AND revoked_at = 0 ORDER BY created_at, id`, orgID)
}

// SCIMTokenByHash finds the live token with the secret's hash. A disabled
// organisation's tokens are not live: its identity provider stops with its
// people's sessions.
func (q Q) SCIMTokenByHash(ctx context.Context, hash string) (SCIMToken, error) {
	t, err := scanSCIMToken(q.row(ctx, `SELECT `+scimTokenCols+` FROM scim_tokens WHERE token_hash = ? AND revoked_at = 0
		AND org_id IN (SELECT id FROM orgs WHERE disabled_at = 0)`, hash))
	return t, noRows(err)
}

// RevokeSCIMToken ends one of the org's live tokens; ErrNotFound when there
// is none with that ID.
func (q Q) RevokeSCIMToken(ctx context.Context, orgID, id string, at time.Time) error {
	return notFoundIfStale(q.execOne(ctx, `UPDATE scim_tokens SET revoked_at = ? WHERE org_id = ? AND id = ? AND revoked_at = 0`,
		Micros(at), orgID, id))
}

// TouchSCIMToken records a token's use.
func (q Q) TouchSCIMToken(ctx context.Context, id string, at time.Time) error {
	_, err := q.exec(ctx, `UPDATE scim_tokens SET last_used_at = ? WHERE id = ?`, Micros(at), id)
	return err
}

// SCIMIdentity is what an identity provider set on a user: its userName
// (empty: the username stands for it) and externalId.
type SCIMIdentity struct {
	UserName, ExternalID string
}

// SCIMIdentities maps the org's user IDs to what the identity provider
// set on them; users it never touched are left out.
func (q Q) SCIMIdentities(ctx context.Context, orgID string) (map[string]SCIMIdentity, error) {
	pairs, err := q.pairs(ctx, `SELECT id, scim_user_name, scim_external_id FROM users
		WHERE org_id = ? AND (scim_user_name <> '' OR scim_external_id <> '')`, orgID)
	if err != nil {
		return nil, err
	}
	out := make(map[string]SCIMIdentity, len(pairs))
	for _, p := range pairs {
		out[p[0]] = SCIMIdentity{UserName: p[1], ExternalID: p[2]}
	}
	return out, nil
}

// SetSCIMIdentity stores what the identity provider calls a user.
func (q Q) SetSCIMIdentity(ctx context.Context, orgID, userID string, id SCIMIdentity) error {
	return notFoundIfStale(q.execOne(ctx, `UPDATE users SET scim_user_name = ?, scim_user_name_norm = ?, scim_external_id = ?, rev = rev + 1
		WHERE org_id = ? AND id = ?`, id.UserName, NormName(id.UserName), id.ExternalID, orgID, userID))
}

// UsersByUserName lists the org's user IDs a SCIM userName names: its
// userName from the identity provider, or else a username or email, so
// people made in Phoneset are found by the provider's UPN.
func (q Q) UsersByUserName(ctx context.Context, orgID, userName string) ([]string, error) {
	n := NormName(userName)
	return list(ctx, q, scanOne[string], `SELECT id FROM users WHERE org_id = ?
		AND (scim_user_name_norm = ? OR (scim_user_name_norm = '' AND (username_norm = ? OR email_norm = ?)))
		ORDER BY id`, orgID, n, n, n)
}

// TakenEmails returns which of the normalised addresses some account or
// live invitation (in any organisation) already has.
func (q Q) TakenEmails(ctx context.Context, norms []string, now time.Time) (map[string]bool, error) {
	out := map[string]bool{}
	// Every batch has the same size (short ones padded with "", which no
	// address is), so the statement is prepared once.
	const batch = 500
	in := `(?` + strings.Repeat(",?", batch-1) + `)`
	query := `SELECT email_norm FROM users WHERE email_norm IN ` + in +
		` UNION SELECT email_norm FROM invitations WHERE expires_at > ? AND email_norm IN ` + in
	for len(norms) > 0 {
		n := min(batch, len(norms))
		part := make([]any, batch)
		for i := range part {
			part[i] = ""
			if i < n {
				part[i] = norms[i]
			}
		}
		args := append(append(append([]any{}, part...), Micros(now)), part...)
		found, err := list(ctx, q, scanOne[string], query, args...)
		if err != nil {
			return nil, err
		}
		for _, e := range found {
			out[e] = true
		}
		norms = norms[n:]
	}
	return out, nil
}

// SCIMUser is a user as SCIM shows it; Options maps category IDs to the
// option held.
type SCIMUser struct {
	ID, Username                            string
	SCIMIdentity                            // what the identity provider set
	FirstName, LastName, DisplayName, Email string
	CreatedAt, DeactivatedAt                time.Time
	ProfileVersion                          int64
	Options                                 map[string]string
}

// SCIMUsers lists the org's users oldest first, or the one with userID
// when it is not empty.
func (q Q) SCIMUsers(ctx context.Context, orgID, userID string) ([]SCIMUser, error) {
	query := `SELECT id, username, scim_user_name, scim_external_id, first_name, last_name, display_name, email,
		created_at, deactivated_at, profile_version FROM users WHERE org_id = ?`
	args := []any{orgID}
	if userID != "" {
		query += ` AND id = ?`
		args = append(args, userID)
	}
	users, err := list(ctx, q, func(sc scanner) (SCIMUser, error) {
		u := SCIMUser{Options: map[string]string{}}
		var created, deactivated int64
		err := sc.Scan(&u.ID, &u.Username, &u.UserName, &u.ExternalID, &u.FirstName, &u.LastName, &u.DisplayName, &u.Email,
			&created, &deactivated, &u.ProfileVersion)
		u.CreatedAt, u.DeactivatedAt = FromMicros(created), FromMicros(deactivated)
		return u, err
	}, query+` ORDER BY created_at, id`, args...)
	if err != nil || len(users) == 0 {
		return users, err
	}
	byID := make(map[string]*SCIMUser, len(users))
	for i := range users {
		byID[users[i].ID] = &users[i]
	}
	pairs, err := q.pairs(ctx, `SELECT o.user_id, o.category_id, o.option_id FROM user_options o
		JOIN users u ON u.id = o.user_id WHERE u.org_id = ?`, orgID)
	if err != nil {
		return nil, err
	}
	for _, p := range pairs {
		if u := byID[p[0]]; u != nil {
			u.Options[p[1]] = p[2]
		}
	}
	return users, nil
}

// UsernameTaken reports whether an account has the username (in any
// case).
func (q Q) UsernameTaken(ctx context.Context, username string) (bool, error) {
	var n int
	err := q.row(ctx, `SELECT COUNT(*) FROM users WHERE username_norm = ?`, strings.ToLower(username)).Scan(&n)
	return n > 0, err
}
