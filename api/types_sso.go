package api

import "time"

// Single sign-on (OpenID Connect). The backend is the relying party and
// keeps the client secret; the app only opens the system browser at the
// authorization URL the backend gives it and receives the code on a
// loopback redirect (RFC 8252), which it hands back with its PKCE verifier.

// Fields of the single sign-on settings and requests.
const (
	FieldIssuer        = "issuer"
	FieldClientID      = "client_id"
	FieldClientSecret  = "client_secret"
	FieldDomains       = "domains"
	FieldRedirectURI   = "redirect_uri"
	FieldCodeChallenge = "code_challenge"
	FieldCodeVerifier  = "code_verifier"
	FieldState         = "state"
)

// Limits of the single sign-on settings.
const (
	MaxSSODomains  = 20
	MaxSSOURLLen   = 512
	MaxSSOTokenLen = 2048 // client ID and secret, code, state
)

// SSOSettings is GET /v1/org/sso. The client secret is never sent back:
// ClientSecretSet only says whether one is stored.
type SSOSettings struct {
	Version         int64  `json:"version"`
	Enabled         bool   `json:"enabled"`
	Issuer          string `json:"issuer"`
	ClientID        string `json:"client_id"`
	ClientSecretSet bool   `json:"client_secret_set"`
	// Domains are the claimed email domains, as PUT sets them;
	// DomainClaims says of each whether it is proven and how to prove it.
	Domains      []string    `json:"domains"`
	DomainClaims []SSODomain `json:"domain_claims"`
	// SSOOnly refuses password sign-in to members; admins keep theirs so
	// a broken provider cannot lock the organisation out.
	SSOOnly bool `json:"sso_only"`
	// JustInTime creates an account for a verified address of an allowed
	// domain that names nobody yet.
	JustInTime bool `json:"just_in_time"`
}

// States of a claimed email domain. Only a verified domain routes sign-ins
// to the organisation's provider and links or creates accounts; a pending
// one blocks no other organisation.
const (
	SSODomainPending  = "pending"
	SSODomainVerified = "verified"
)

// DNS TXT record that proves an organisation owns an email domain: the
// record named SSOChallengePrefix + domain with the value
// SSOChallengeValuePrefix + the organisation's token for the domain.
const (
	SSOChallengePrefix      = "_phoneset-challenge."
	SSOChallengeValuePrefix = "phoneset-verification="
)

// SSODomain is a claimed email domain: its state, the last check that did
// not verify it, and the TXT record that proves it.
type SSODomain struct {
	Domain     string     `json:"domain"`
	State      string     `json:"state"`
	VerifiedAt *time.Time `json:"verified_at,omitempty"`
	// CheckedAt is when a check last failed and Failure why (a reason
	// code: dns_record_missing, dns_record_mismatch, dns_unavailable,
	// domain_taken, domain_unproven).
	CheckedAt   *time.Time `json:"checked_at,omitempty"`
	Failure     string     `json:"failure,omitempty"`
	RecordName  string     `json:"record_name"`
	RecordValue string     `json:"record_value"`
}

// SSOSettingsUpdate is the body of PUT /v1/org/sso. ClientSecret nil keeps
// the stored secret, "" removes it (a public client with PKCE only).
type SSOSettingsUpdate struct {
	Enabled      bool     `json:"enabled"`
	Issuer       string   `json:"issuer"`
	ClientID     string   `json:"client_id"`
	ClientSecret *string  `json:"client_secret,omitempty"`
	Domains      []string `json:"domains"`
	SSOOnly      bool     `json:"sso_only"`
	JustInTime   bool     `json:"just_in_time"`
}

// SSOStartRequest is the body of POST /v1/sso/start: the work address
// chooses the organisation, RedirectURI is the app's loopback listener
// and CodeChallenge the S256 hash of its PKCE verifier.
type SSOStartRequest struct {
	Email               string `json:"email"`
	RedirectURI         string `json:"redirect_uri"`
	CodeChallenge       string `json:"code_challenge"`
	CodeChallengeMethod string `json:"code_challenge_method"`
}

// SSOStart is where to send the browser, and the state the loopback
// redirect must bring back.
type SSOStart struct {
	AuthorizationURL string `json:"authorization_url"`
	State            string `json:"state"`
}

// SSOFinishRequest is the body of POST /v1/sso/finish: what the loopback
// redirect brought, and the PKCE verifier. It answers with Tokens.
type SSOFinishRequest struct {
	State        string `json:"state"`
	Code         string `json:"code"`
	CodeVerifier string `json:"code_verifier"`
	Device       string `json:"device,omitempty"`
}
