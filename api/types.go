package api

import "time"

// Permission names. PermAccount is the organisation admin permission of the
// help-centre articles: it guards every /v1/org route.
const PermAccount = "account"

// Header names used by the protocol beyond the standard ones.
const (
	HeaderIdempotencyKey = "Idempotency-Key"
)

// Photo kinds: the {kind} of /v1/me/{kind} and /v1/org/photos/{kind}.
const (
	PhotoAvatar = "avatar"
	PhotoCover  = "cover"
)

// SignInRequest is the body of POST /v1/sessions. Login is a username or an
// email address, matched case-insensitively.
type SignInRequest struct {
	Login    string `json:"login"`
	Password string `json:"password"`
	Device   string `json:"device"`
	// DeviceToken is a remembered device's token (POST
	// /v1/sessions/second-factor with remember_device): it stands in for
	// the second factor until it expires.
	DeviceToken string `json:"device_token,omitempty"`
}

// Tokens is returned by sign-in and refresh. The access token is short-lived;
// the refresh token rotates on every refresh.
type Tokens struct {
	SessionID    string    `json:"session_id"`
	AccessToken  string    `json:"access_token"`
	RefreshToken string    `json:"refresh_token"`
	ExpiresAt    time.Time `json:"expires_at"`
}

// RefreshRequest is the body of POST /v1/sessions/refresh.
type RefreshRequest struct {
	RefreshToken string `json:"refresh_token"`
}

// Session is one signed-in device, as listed by GET /v1/me/sessions.
type Session struct {
	ID       string    `json:"id"`
	Device   string    `json:"device"`
	IP       string    `json:"ip"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
	Current  bool      `json:"current"`
}

// Me is GET /v1/me: who is signed in and the resources of their account,
// each with its own version.
type Me struct {
	User          User          `json:"user"`
	Profile       Profile       `json:"profile"`
	Status        Status        `json:"status"`
	Notifications Notifications `json:"notifications"`
	Org           OrgSummary    `json:"org"`
}

// User is the identity part of the account. It changes through dedicated
// endpoints (email verification, password), never by a profile write.
type User struct {
	ID          string   `json:"id"`
	OrgID       string   `json:"org_id"`
	Email       string   `json:"email"`
	Permissions []string `json:"permissions"`
	HasAvatar   bool     `json:"has_avatar"`
	HasCover    bool     `json:"has_cover"`
	// PhotoVersion changes whenever the avatar or cover changes, so clients
	// can key their image caches on it.
	PhotoVersion int64 `json:"photo_version"`
}

// Can reports whether the user holds the named permission.
func (u User) Can(perm string) bool {
	for _, p := range u.Permissions {
		if p == perm {
			return true
		}
	}
	return false
}

// InfoField is one line of "additional information" on a profile.
type InfoField struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// Profile is the personal information resource: GET/PATCH /v1/me/profile.
type Profile struct {
	Version     int64  `json:"version"`
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name"`
	DisplayName string `json:"display_name"`
	Username    string `json:"username"`
	Language    string `json:"language"`  // BCP 47 tag, e.g. "en", "sv"
	TimeZone    string `json:"time_zone"` // IANA name, e.g. "Europe/Stockholm"

	Email         string `json:"email"`
	PendingEmail  string `json:"pending_email,omitempty"`
	Mobile        string `json:"mobile,omitempty"` // E.164
	PendingMobile string `json:"pending_mobile,omitempty"`
	FixedNumber   string `json:"fixed_number,omitempty"` // E.164, set by the organisation
	HideMobile    bool   `json:"hide_mobile"`
	HideFixed     bool   `json:"hide_fixed"`
	// CallsViaMobileVoIP is true when both numbers are hidden.
	CallsViaMobileVoIP bool `json:"calls_via_mobile_voip"`

	AdminInfo []InfoField `json:"admin_info"` // set by admins, read-only here
	ExtraInfo []InfoField `json:"extra_info"` // the user's own "Add info" fields
}

// ProfilePatch is the body of PATCH /v1/me/profile; nil fields are left alone.
type ProfilePatch struct {
	FirstName   *string      `json:"first_name,omitempty"`
	LastName    *string      `json:"last_name,omitempty"`
	DisplayName *string      `json:"display_name,omitempty"`
	Username    *string      `json:"username,omitempty"`
	Language    *string      `json:"language,omitempty"`
	TimeZone    *string      `json:"time_zone,omitempty"`
	HideMobile  *bool        `json:"hide_mobile,omitempty"`
	HideFixed   *bool        `json:"hide_fixed,omitempty"`
	ExtraInfo   *[]InfoField `json:"extra_info,omitempty"`
}

// Availability values of a status.
type Availability string

const (
	Online      Availability = "online"
	Unavailable Availability = "unavailable"
	Offline     Availability = "offline"
)

// ChangedByTimer is Status.ChangedBy when the server ended a timed status:
// nobody set it, so no name goes with it.
const ChangedByTimer = "timer"

// Status is GET/PUT /v1/me/status. QueueEligible follows from Availability:
// only Online agents receive queue calls.
type Status struct {
	Version       int64        `json:"version"`
	Availability  Availability `json:"availability"`
	ReasonCode    string       `json:"reason_code,omitempty"` // required for Unavailable
	ChangedBy     string       `json:"changed_by"`            // user ID, or ChangedByTimer
	ChangedByName string       `json:"changed_by_name"`       // empty for ChangedByTimer
	ChangedAt     time.Time    `json:"changed_at"`
	QueueEligible bool         `json:"queue_eligible"`
	// Until is when the server ends a timed Unavailable and sets Then;
	// nil when no timer runs.
	Until *time.Time   `json:"until,omitempty"`
	Then  Availability `json:"then,omitempty"`
}

// StatusUpdate is the body of PUT /v1/me/status.
type StatusUpdate struct {
	Availability Availability `json:"availability"`
	ReasonCode   string       `json:"reason_code,omitempty"`
	// Minutes sets a timer on Unavailable: nil takes the reason code's
	// default duration, 0 none.
	Minutes *int `json:"minutes,omitempty"`
}

// ReasonCode is one of the organisation's reasons for being Unavailable.
type ReasonCode struct {
	Code    string `json:"code"`
	Label   string `json:"label"`
	Retired bool   `json:"retired"`
	// Minutes is the default duration of a status with this reason (0: no
	// timer); Then is what the server sets when it ends: online or offline.
	Minutes int          `json:"minutes"`
	Then    Availability `json:"then"`
}

// Notifications is GET/PUT /v1/me/notifications.
type Notifications struct {
	Version          int64 `json:"version"`
	EmailMissedCalls bool  `json:"email_missed_calls"`
	EmailVoicemails  bool  `json:"email_voicemails"`
}

// OrgSummary is the part of the organisation every member sees.
type OrgSummary struct {
	ID                  string       `json:"id"`
	DisplayName         string       `json:"display_name"`
	TimeZone            string       `json:"time_zone"`
	Language            string       `json:"language"`
	MembersChooseAvatar bool         `json:"members_choose_avatar"`
	MembersChooseCover  bool         `json:"members_choose_cover"`
	MembersChangeEmail  bool         `json:"members_change_email"`
	ReasonCodes         []ReasonCode `json:"reason_codes"`
	Presence            Presence     `json:"presence"`
	// HasAvatar and HasCover say whether the company avatar and default
	// cover are set (GET /v1/me/org/{kind}); PhotoVersion changes with them.
	HasAvatar    bool  `json:"has_avatar"`
	HasCover     bool  `json:"has_cover"`
	PhotoVersion int64 `json:"photo_version"`
}

// EmailChangeRequest starts an email change: POST /v1/me/email. The new
// address takes effect only when the link mailed to it is opened.
type EmailChangeRequest struct {
	Email string `json:"email"`
	// Password is the current one; it may be left out within five minutes
	// of signing in or of POST /v1/sessions/reauth.
	Password string `json:"password,omitempty"`
}

// MobileChangeRequest starts a mobile change: POST /v1/me/mobile. The number
// takes effect only after the SMS code is confirmed.
type MobileChangeRequest struct {
	Mobile string `json:"mobile"`
	// Password: as in EmailChangeRequest.
	Password string `json:"password,omitempty"`
}

// MobileConfirmRequest is POST /v1/me/mobile/confirm.
type MobileConfirmRequest struct {
	Code string `json:"code"`
}

// PasswordChangeRequest is PUT /v1/me/password.
type PasswordChangeRequest struct {
	Current string `json:"current"`
	New     string `json:"new"`
}

// PasswordResetRequest starts "forgot password": POST /v1/password-resets.
// Channel is "email" (a link) or "sms" (a code to the verified mobile).
type PasswordResetRequest struct {
	Login   string `json:"login"`
	Channel string `json:"channel"`
}

// PasswordResetConfirm completes a reset with the token from the link or the
// SMS code: POST /v1/password-resets/confirm.
type PasswordResetConfirm struct {
	Login    string `json:"login"`
	Token    string `json:"token"`
	Password string `json:"password"`
}

// Plan is GET /v1/me/plan: the plan and this billing cycle's usage.
type Plan struct {
	Name       string    `json:"name"`
	CycleStart time.Time `json:"cycle_start"`
	Usage      []Usage   `json:"usage"`
}

// Usage is one metered quantity against its plan limit (0 = unlimited).
type Usage struct {
	Metric string `json:"metric"` // minutes, messages, groups, api_requests
	Used   int64  `json:"used"`
	Limit  int64  `json:"limit"`
}

// APIKey is GET /v1/me/api-key (masked) and the reveal/regenerate responses.
type APIKey struct {
	Masked    string    `json:"masked"`
	Key       string    `json:"key,omitempty"` // only on reveal or regenerate
	CreatedAt time.Time `json:"created_at"`
}

// PasswordProof re-authenticates a sensitive action (reveal API key, delete
// account).
type PasswordProof struct {
	Password string `json:"password"`
}

// AuditEvent is one entry of the audit log.
type AuditEvent struct {
	ID       int64     `json:"id"`
	At       time.Time `json:"at"`
	ActorID  string    `json:"actor_id"`
	Actor    string    `json:"actor"`
	IP       string    `json:"ip"`
	Action   string    `json:"action"`   // e.g. "profile.update"
	Resource string    `json:"resource"` // e.g. "user/42/profile"
	Field    string    `json:"field,omitempty"`
	Old      string    `json:"old,omitempty"`
	New      string    `json:"new,omitempty"`
}
