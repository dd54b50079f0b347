package store

import (
	"context"
	"errors"
	"time"
)

// SSO is an organisation's single sign-on settings. ClientSecret is as
// stored: sealed by the server.
type SSO struct {
	OrgID               string
	Enabled             bool
	Issuer, ClientID    string
	ClientSecret        string
	SSOOnly, JustInTime bool
	Domains             []string // sorted
	Version             int64
	Saved               bool // false: never saved, at version 1
}

// OrgSSO loads an organisation's settings; ones never saved come back
// disabled at version 1.
func (q Q) OrgSSO(ctx context.Context, orgID string) (*SSO, error) {
	c := SSO{OrgID: orgID, Version: 1, Saved: true}
	err := q.row(ctx, `SELECT enabled, issuer, client_id, client_secret, sso_only, just_in_time, version
		FROM org_sso WHERE org_id = ?`, orgID).
		Scan(&c.Enabled, &c.Issuer, &c.ClientID, &c.ClientSecret, &c.SSOOnly, &c.JustInTime, &c.Version)
	switch err = noRows(err); {
	case errors.Is(err, ErrNotFound):
		c.Saved = false
	case err != nil:
		return nil, err
	}
	rows, err := q.query(ctx, `SELECT domain FROM sso_domains WHERE org_id = ? ORDER BY domain`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	c.Domains = []string{}
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, err
		}
		c.Domains = append(c.Domains, d)
	}
	return &c, rows.Err()
}

// SaveOrgSSO stores c if the stored version is still version, bumping
// it; ErrStale otherwise, ErrConflict when another organisation has one of
// the domains. c.Saved says whether there is a row to update.
func (q Q) SaveOrgSSO(ctx context.Context, c *SSO, version int64) error {
	if !c.Saved {
		if _, err := q.exec(ctx, `INSERT INTO org_sso (org_id, enabled, issuer, client_id, client_secret, sso_only, just_in_time, version)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, c.OrgID, c.Enabled, c.Issuer, c.ClientID, c.ClientSecret, c.SSOOnly, c.JustInTime, version+1); err != nil {
			if errors.Is(classify(err), ErrConflict) {
				return ErrStale
			}
			return err
		}
	} else if err := q.execOne(ctx, `UPDATE org_sso SET enabled = ?, issuer = ?, client_id = ?, client_secret = ?,
		sso_only = ?, just_in_time = ?, version = version + 1 WHERE org_id = ? AND version = ?`,
		c.Enabled, c.Issuer, c.ClientID, c.ClientSecret, c.SSOOnly, c.JustInTime, c.OrgID, version); err != nil {
		return err
	}
	if _, err := q.exec(ctx, `DELETE FROM sso_domains WHERE org_id = ?`, c.OrgID); err != nil {
		return err
	}
	for _, d := range c.Domains {
		if _, err := q.exec(ctx, `INSERT INTO sso_domains (domain, org_id) VALUES (?, ?)`, d, c.OrgID); err != nil {
			return classify(err)
		}
	}
	return nil
}

// OrgByDomain is the organisation whose single sign-on claims an email
// domain.
func (q Q) OrgByDomain(ctx context.Context, domain string) (string, error) {
	var id string
	err := q.row(ctx, `SELECT org_id FROM sso_domains WHERE domain = ?`, domain).Scan(&id)
	return id, noRows(err)
}

// SSOLogin is a sign-in under way, between the authorization URL and the
// code coming back.
type SSOLogin struct {
	StateHash, OrgID string
	Nonce, Challenge string
	RedirectURI      string
	ExpiresAt        time.Time
}

// CreateSSOLogin stores a sign-in under way.
func (q Q) CreateSSOLogin(ctx context.Context, l *SSOLogin) error {
	_, err := q.exec(ctx, `INSERT INTO sso_logins (state_hash, org_id, nonce, challenge, redirect_uri, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)`, l.StateHash, l.OrgID, l.Nonce, l.Challenge, l.RedirectURI, Micros(l.ExpiresAt))
	return classify(err)
}

// ConsumeSSOLogin deletes and returns the sign-in with this state, so it
// completes once at most, whoever asks first.
func (q Q) ConsumeSSOLogin(ctx context.Context, stateHash string) (*SSOLogin, error) {
	l := SSOLogin{StateHash: stateHash}
	var exp int64
	err := q.row(ctx, `DELETE FROM sso_logins WHERE state_hash = ?
		RETURNING org_id, nonce, challenge, redirect_uri, expires_at`, stateHash).
		Scan(&l.OrgID, &l.Nonce, &l.Challenge, &l.RedirectURI, &exp)
	if err != nil {
		return nil, noRows(err)
	}
	l.ExpiresAt = FromMicros(exp)
	return &l, nil
}

// PruneSSOLogins removes sign-ins never completed.
func (q Q) PruneSSOLogins(ctx context.Context, now time.Time) error {
	_, err := q.exec(ctx, `DELETE FROM sso_logins WHERE expires_at < ?`, Micros(now))
	return err
}

// UserBySSO is the account a provider identity is linked to.
func (q Q) UserBySSO(ctx context.Context, issuer, subject string) (*User, error) {
	return scanUser(q.row(ctx, `SELECT `+userCols+` FROM users u JOIN sso_identities i ON i.user_id = u.id
		WHERE i.issuer = ? AND i.subject = ?`, issuer, subject))
}

// LinkSSO links a provider identity to an account.
func (q Q) LinkSSO(ctx context.Context, issuer, subject, userID string, at time.Time) error {
	_, err := q.exec(ctx, `INSERT INTO sso_identities (issuer, subject, user_id, created_at) VALUES (?, ?, ?, ?)`,
		issuer, subject, userID, Micros(at))
	return classify(err)
}
