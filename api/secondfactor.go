package api

import (
	"errors"
	"time"
)

// Two-factor sign-in (TOTP, RFC 6238).
//
// POST /v1/sessions answers a user who has a second factor, or whose
// organisation requires one they have not set up yet, with 401
// CodeSecondFactorRequired. Its reason (ReasonSecondFactor) carries a
// short-lived single-use challenge token ("challenge") and whether the user
// must enrol first ("enrol"). The app then sends the code with the challenge
// to POST /v1/sessions/second-factor; enrolling, it first fetches a new
// secret with POST /v1/sessions/second-factor/enrolment.

// CodeSecondFactorRequired is the 401 of a correct password that still
// needs a second factor: no session has been made.
const CodeSecondFactorRequired = "second_factor_required"

// Reasons of two-factor sign-in.
const (
	ReasonSecondFactor         = "second_factor"          // challenge, enrol
	ReasonWrongTOTP            = "wrong_totp"             // a wrong, expired or already used code
	ReasonSecondFactorOn       = "second_factor_on"       // already set up
	ReasonSecondFactorOff      = "second_factor_off"      // not set up
	ReasonSecondFactorRequired = "second_factor_required" // the organisation requires it
)

// Second-factor policies of an organisation.
const (
	SecondFactorOptional = "optional"
	SecondFactorAdmins   = "admins"
	SecondFactorEveryone = "everyone"
)

// SecondFactorPolicies lists the policies in order of strictness.
var SecondFactorPolicies = []string{SecondFactorOptional, SecondFactorAdmins, SecondFactorEveryone}

// Lengths the server accepts; anything longer is refused before use.
const (
	MaxChallengeLen = 128
	MaxCodeLen      = 32
	RecoveryCodes   = 10
)

// Fields of the two-factor bodies.
const (
	FieldChallenge   = "challenge"
	FieldPolicy      = "policy"
	FieldDeviceToken = "device_token"
)

// SecondFactorRequest is the body of POST /v1/sessions/second-factor: the
// challenge from the 401 and a six-digit code or a recovery code.
// RememberDevice asks for a device token that skips the second factor on
// this device for 30 days.
type SecondFactorRequest struct {
	Challenge      string `json:"challenge"`
	Code           string `json:"code"`
	RememberDevice bool   `json:"remember_device,omitempty"`
}

// SecondFactorTokens is the answer of POST /v1/sessions/second-factor: the
// session's Tokens, a DeviceToken when asked to remember the device, and the
// RecoveryCodes when the user enrolled at this sign-in.
type SecondFactorTokens struct {
	SessionID     string    `json:"session_id"`
	AccessToken   string    `json:"access_token"`
	RefreshToken  string    `json:"refresh_token"`
	ExpiresAt     time.Time `json:"expires_at"`
	DeviceToken   string    `json:"device_token,omitempty"`
	RecoveryCodes []string  `json:"recovery_codes,omitempty"`
}

// Session is the tokens' session part.
func (t SecondFactorTokens) Session() Tokens {
	return Tokens{SessionID: t.SessionID, AccessToken: t.AccessToken, RefreshToken: t.RefreshToken, ExpiresAt: t.ExpiresAt}
}

// ChallengeRequest is the body of POST /v1/sessions/second-factor/enrolment.
type ChallengeRequest struct {
	Challenge string `json:"challenge"`
}

// TOTPEnrolment is a new, not yet confirmed secret: base32 for typing in
// and an otpauth:// URI for the QR code.
type TOTPEnrolment struct {
	Secret string `json:"secret"`
	URI    string `json:"uri"`
}

// CodeRequest is the body of POST /v1/me/second-factor/confirm.
type CodeRequest struct {
	Code string `json:"code"`
}

// RecoveryCodeList is ten new single-use recovery codes, shown once.
type RecoveryCodeList struct {
	Codes []string `json:"recovery_codes"`
}

// SecondFactorOff is the body of DELETE /v1/me/second-factor: turning it
// off needs both the password and a current code (or a recovery code).
type SecondFactorOff struct {
	Password string `json:"password"`
	Code     string `json:"code"`
}

// SecondFactorStatus is GET /v1/me/second-factor.
type SecondFactorStatus struct {
	Enabled           bool `json:"enabled"`
	RecoveryCodesLeft int  `json:"recovery_codes_left"`
	// Required is true when the organisation's policy requires it of
	// this user: it cannot be turned off.
	Required bool `json:"required"`
}

// SecondFactorPolicy is the body of PUT /v1/org/second-factor.
type SecondFactorPolicy struct {
	Policy string `json:"policy"`
}

// MemberSecondFactor is one member's two-factor state for admins.
type MemberSecondFactor struct {
	ID          string `json:"id"`
	DisplayName string `json:"display_name"`
	Admin       bool   `json:"admin"`
	Enabled     bool   `json:"enabled"`
	You         bool   `json:"you,omitempty"` // the admin asking: no reset here, the Security page turns it off
}

// OrgSecondFactor is GET /v1/org/second-factor; Version is its ETag.
type OrgSecondFactor struct {
	Policy  string               `json:"policy"`
	Version int64                `json:"version"`
	Members []MemberSecondFactor `json:"members"`
}

// ValidateSecondFactorPolicy says why p is not a policy, or nil.
func ValidateSecondFactorPolicy(p string) *Reason {
	for _, ok := range SecondFactorPolicies {
		if p == ok {
			return nil
		}
	}
	return &Reason{Code: ReasonOneOf, Args: Args{"values": "optional, admins, everyone"}}
}

// ChallengeOf reads the second-factor challenge from a sign-in's error:
// ok is false for any other error.
func ChallengeOf(err error) (challenge string, enrol, ok bool) {
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeSecondFactorRequired || e.Reason == nil {
		return "", false, false
	}
	challenge, _ = e.Reason.Args["challenge"].(string)
	enrol, _ = e.Reason.Args["enrol"].(bool)
	return challenge, enrol, challenge != ""
}
