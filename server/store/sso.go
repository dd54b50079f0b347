package store

import (
	"context"
	"errors"
	"slices"
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
	Domains             []DomainClaim // sorted by name
	Version             int64
	Saved               bool // false: never saved, at version 1
}

// DomainClaim is an organisation's claim on an email domain. Only a
// verified claim routes sign-ins; a pending one blocks nobody.
type DomainClaim struct {
	Domain     string
	VerifiedAt time.Time // zero: pending
	// CheckedAt and Failure are the last DNS check that did not verify
	// (Failure an api reason code), or zero and "".
	CheckedAt time.Time
	Failure   string
}

// Verified says whether the domain is proven.
func (d DomainClaim) Verified() bool { return !d.VerifiedAt.IsZero() }

// DomainNames is the claimed domains, verified or not.
func (c *SSO) DomainNames() []string {
	names := make([]string, len(c.Domains))
	for i, d := range c.Domains {
		names[i] = d.Domain
	}
	return names
}

// Owns says whether the organisation has proven domain.
func (c *SSO) Owns(domain string) bool {
	for _, d := range c.Domains {
		if d.Domain == domain {
			return d.Verified()
		}
	}
	return false
}

// Proven says whether the organisation has verified any domain.
func (c *SSO) Proven() bool {
	return slices.ContainsFunc(c.Domains, DomainClaim.Verified)
}

const claimCols = `domain, verified_at, checked_at, failure`

func scanClaim(sc interface{ Scan(...any) error }) (DomainClaim, error) {
	var d DomainClaim
	var verified, checked int64
	if err := sc.Scan(&d.Domain, &verified, &checked, &d.Failure); err != nil {
		return d, noRows(err)
	}
	d.VerifiedAt, d.CheckedAt = FromMicros(verified), FromMicros(checked)
	return d, nil
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
	rows, err := q.query(ctx, `SELECT `+claimCols+` FROM sso_domain_claims WHERE org_id = ? ORDER BY domain`, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	c.Domains = []DomainClaim{}
	for rows.Next() {
		d, err := scanClaim(rows)
		if err != nil {
			return nil, err
		}
		c.Domains = append(c.Domains, d)
	}
	return &c, rows.Err()
}

// SaveOrgSSO stores c if the stored version is still version, bumping
// it; ErrStale otherwise, ErrConflict when another organisation has
// verified one of the domains. Claims kept keep their state; new ones are
// pending; claims left out are removed, freeing their domains. c.Saved
// says whether there is a row to update.
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
	old, err := q.OrgSSO(ctx, c.OrgID)
	if err != nil {
		return err
	}
	keep := c.DomainNames()
	for _, d := range old.Domains {
		if !slices.Contains(keep, d.Domain) {
			if _, err := q.exec(ctx, `DELETE FROM sso_domain_claims WHERE org_id = ? AND domain = ?`, c.OrgID, d.Domain); err != nil {
				return err
			}
		}
	}
	for _, d := range keep {
		if err := q.ClaimSSODomain(ctx, c.OrgID, d); err != nil {
			return err
		}
	}
	return nil
}

// ClaimSSODomain adds a pending claim, if the organisation has none on the
// domain; ErrConflict when another organisation has verified it. A claim
// the organisation already has stays as it is, even if another has
// verified the domain since.
func (q Q) ClaimSSODomain(ctx context.Context, orgID, domain string) error {
	if _, err := q.SSODomainClaim(ctx, orgID, domain); !errors.Is(err, ErrNotFound) {
		return err
	}
	if _, err := q.OrgByDomain(ctx, domain); !errors.Is(err, ErrNotFound) {
		if err == nil {
			return ErrConflict
		}
		return err
	}
	_, err := q.exec(ctx, `INSERT INTO sso_domain_claims (org_id, domain) VALUES (?, ?)`, orgID, domain)
	return classify(err)
}

// SSODomainClaim is the organisation's claim on domain.
func (q Q) SSODomainClaim(ctx context.Context, orgID, domain string) (DomainClaim, error) {
	return scanClaim(q.row(ctx, `SELECT `+claimCols+` FROM sso_domain_claims WHERE org_id = ? AND domain = ?`, orgID, domain))
}

// VerifySSODomain marks the organisation's pending claim verified;
// ErrConflict when another organisation has verified the domain (the
// unique index decides between parallel verifications), ErrNotFound when
// there is no pending claim.
func (q Q) VerifySSODomain(ctx context.Context, orgID, domain string, at time.Time) error {
	err := q.execOne(ctx, `UPDATE sso_domain_claims SET verified_at = ?, checked_at = 0, failure = ''
		WHERE org_id = ? AND domain = ? AND verified_at = 0`, Micros(at), orgID, domain)
	if errors.Is(err, ErrStale) {
		return ErrNotFound
	}
	return err
}

// FailSSODomain records a check of a pending claim that did not verify.
func (q Q) FailSSODomain(ctx context.Context, orgID, domain string, at time.Time, reason string) error {
	_, err := q.exec(ctx, `UPDATE sso_domain_claims SET checked_at = ?, failure = ?
		WHERE org_id = ? AND domain = ? AND verified_at = 0`, Micros(at), reason, orgID, domain)
	return err
}

// OrgByDomain is the organisation that has verified an email domain.
func (q Q) OrgByDomain(ctx context.Context, domain string) (string, error) {
	var id string
	err := q.row(ctx, `SELECT org_id FROM sso_domain_claims WHERE domain = ? AND verified_at > 0`, domain).Scan(&id)
	return id, noRows(err)
}

// UnprovenSSOOrgs counts the organisations with single sign-on on and no
// verified domain: nobody can sign in through their provider.
func (q Q) UnprovenSSOOrgs(ctx context.Context) (int, error) {
	var n int
	err := q.row(ctx, `SELECT COUNT(*) FROM org_sso s WHERE s.enabled AND NOT EXISTS
		(SELECT 1 FROM sso_domain_claims c WHERE c.org_id = s.org_id AND c.verified_at > 0)`).Scan(&n)
	return n, err
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
