package api

import (
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
	"sync"
	"text/template"
)

// Reason codes say why a value or a request was refused. They are stable:
// clients translate them (the app through its message files) and never parse
// the English. A reason's arguments fill its text's {{.name}} fields and are
// sent beside the code: {"code": "too_long", "max": 64}.
const (
	// Text fields.
	ReasonRequired      = "required"       // must not be empty
	ReasonInvalidUTF8   = "invalid_utf8"   // not UTF-8 text
	ReasonTooLong       = "too_long"       // max
	ReasonControlChars  = "control_chars"  // control characters
	ReasonOuterSpace    = "outer_space"    // leading or trailing spaces
	ReasonBidiControl   = "bidi_control"   // text direction controls (U+202E …)
	ReasonInvisibleChar = "invisible_char" // zero-width characters
	ReasonNameChars     = "name_chars"     // characters PRECIS refuses in names
	ReasonNotNormalized = "not_normalized" // PRECIS would store it differently
	ReasonLengthRange   = "length_range"   // min, max
	ReasonUsernameChars = "username_chars"
	ReasonEmailFormat   = "email_format"
	ReasonTimeZone      = "time_zone"
	ReasonOneOf         = "one_of"       // values: the allowed values, comma-separated
	ReasonTooMany       = "too_many"     // max: entries in a list
	ReasonCountRange    = "count_range"  // min, max: entries in a list
	ReasonDuplicate     = "duplicate"    // value
	ReasonNotAllowed    = "not_allowed"  // value: not one of the allowed choices
	ReasonUnknownUser   = "unknown_user" // value: a user ID outside the organisation

	// Passwords: one code per rule of the checklist (see CheckPassword).
	ReasonPasswordLength    = "password_length" // min, max
	ReasonPasswordUpper     = "password_upper"
	ReasonPasswordLower     = "password_lower"
	ReasonPasswordDigit     = "password_digit"
	ReasonPasswordSpecial   = "password_special"
	ReasonPasswordCommon    = "password_common"
	ReasonPasswordPersonal  = "password_personal"
	ReasonWrongPassword     = "wrong_password"
	ReasonPasswordUnchanged = "password_unchanged"

	// Mobile numbers and codes.
	ReasonPhoneRequired  = "phone_required"
	ReasonPhoneFormat    = "phone_format"
	ReasonPhoneCountry   = "phone_country"
	ReasonPhoneInvalid   = "phone_invalid"
	ReasonPhoneNotMobile = "phone_not_mobile"
	ReasonSameEmail      = "same_email"
	ReasonSameMobile     = "same_mobile"
	ReasonNoPendingCode  = "no_pending_code"
	ReasonWrongCode      = "wrong_code" // tries_left
	ReasonCodeExpired    = "code_expired"
	ReasonTokenInvalid   = "token_invalid"
	ReasonKeyReused      = "key_reused"
	ReasonKeyInUse       = "key_in_use" // a request with the key is still running

	ReasonTaken     = "taken"      // unique, and another one has it
	ReasonCodeChars = "code_chars" // min, max

	// Organisation settings.
	ReasonNotOnPriceList   = "not_on_price_list"
	ReasonQuantityRange    = "quantity_range" // min, max
	ReasonOtherCurrency    = "other_currency"
	ReasonZoneDisabled     = "zone_disabled"
	ReasonOnlySelected     = "only_selected"
	ReasonOnlyUnavailable  = "only_unavailable"
	ReasonUnknownReason    = "unknown_reason"
	ReasonNoTimer          = "no_timer"
	ReasonNotAnOption      = "not_an_option" // value
	ReasonLastAdmin        = "last_admin"
	ReasonAdminMustRemain  = "admin_must_remain"
	ReasonOwnerKeepsAdmin  = "owner_keeps_admin"
	ReasonAllAssigned      = "all_assigned" // product: its name
	ReasonCostCentersOff   = "cost_centers_off"
	ReasonNoContract       = "no_contract"
	ReasonBindingPeriod    = "binding_period" // until: a date, 2006-01-02
	ReasonNeedsAccountPerm = "needs_account_permission"
	ReasonNeedsSupervisor  = "needs_supervisor_permission"

	// People: invitations, deactivation and deletion.
	ReasonOrgFull         = "org_full" // product: its name
	ReasonNotYourself     = "not_yourself"
	ReasonOwnerStays      = "owner_stays"
	ReasonAccountDisabled = "account_disabled"
	ReasonUserDeactivated = "user_deactivated"

	// Pictures; the codes are photo.Reason's.
	ReasonImageType          = "unsupported_type"
	ReasonImageTooBig        = "too_big"         // max_mb
	ReasonImageTooManyPixels = "too_many_pixels" // max_mp
	ReasonImageCorrupt       = "corrupt"
	ReasonNoGravatar         = "no_gravatar"
	ReasonGravatarFailed     = "gravatar_failed"

	// Request bodies and headers, which the app always sends right.
	ReasonWrongType     = "wrong_type" // kind: a JSON type
	ReasonUnknownField  = "unknown_field"
	ReasonDuplicateName = "duplicate_name" // a JSON name given twice
	ReasonInvalidEscape = "invalid_escape" // e.g. half a surrogate pair
	ReasonNotAVersion   = "not_a_version"
	ReasonNotANumber    = "not_a_number"
	ReasonNotADate      = "not_a_date"
	ReasonNotAnID       = "not_an_id"
	ReasonCSVQuotes     = "csv_quotes"
	ReasonNumberRange   = "number_range" // min, max
	ReasonEmptyRange    = "empty_range"
	ReasonReadOnly      = "read_only"
	ReasonCustomerCare  = "customer_care"

	// Whole requests.
	ReasonRefused        = "refused" // the server gave no field-level reason
	ReasonEmailManaged   = "email_managed"
	ReasonAdminsOnly     = "admins_only"
	ReasonNeedsPassword  = "needs_password_session"
	ReasonOwnerOnly      = "owner_only"
	ReasonReauthRequired = "reauth_required"
	ReasonPhotoManaged   = "photo_managed"
	ReasonNotSent        = "not_sent"

	// Single sign-on.
	ReasonSSORequired         = "sso_required"
	ReasonSSONotConfigured    = "sso_not_configured"
	ReasonSSOUnavailable      = "sso_unavailable"
	ReasonSSOFailed           = "sso_failed"
	ReasonSSOEmailNotVerified = "sso_email_unverified"
	ReasonSSONoAccount        = "sso_no_account"
	ReasonNotLoopback         = "not_loopback"
	ReasonURLFormat           = "url_format"
	ReasonDomainFormat        = "domain_format"
	// Proving an email domain by DNS.
	ReasonDNSRecordMissing  = "dns_record_missing"
	ReasonDNSRecordMismatch = "dns_record_mismatch"
	ReasonDNSUnavailable    = "dns_unavailable"
	ReasonDomainTaken       = "domain_taken"
	ReasonDomainUnproven    = "domain_unproven"
)

// reasonText is each reason's English, a text/template over its arguments.
// It is the server's message and the app's English.
var reasonText = map[string]string{
	ReasonRequired:      "must not be empty",
	ReasonInvalidUTF8:   "must be valid UTF-8 text",
	ReasonTooLong:       "must be at most {{.max}} characters",
	ReasonControlChars:  "must not contain control characters",
	ReasonOuterSpace:    "must not start or end with spaces",
	ReasonBidiControl:   "must not contain text direction control characters",
	ReasonInvisibleChar: "must not contain invisible (zero-width) characters",
	ReasonNameChars:     "contains characters that are not allowed in names",
	ReasonNotNormalized: "must be in standard form: single spaces, no special-width or decomposed letters",
	ReasonLengthRange:   "must be {{.min}} to {{.max}} characters",
	ReasonUsernameChars: "may use letters a–z, digits, dot, dash and underscore, starting with a letter or digit",
	ReasonEmailFormat:   "must be an email address like name@example.com",
	ReasonTimeZone:      "must be a time zone like Europe/Stockholm",
	ReasonOneOf:         "must be one of {{.values}}",
	ReasonTooMany:       "may have at most {{.max}} entries",
	ReasonCountRange:    "must have {{.min}} to {{.max}} entries",
	ReasonDuplicate:     `"{{.value}}" is there already`,
	ReasonNotAllowed:    `has "{{.value}}", which is not allowed here`,
	ReasonUnknownUser:   `has "{{.value}}", who is not in your organisation`,

	ReasonPasswordLength:    "needs {{.min}} to {{.max}} characters",
	ReasonPasswordUpper:     "needs an upper-case letter",
	ReasonPasswordLower:     "needs a lower-case letter",
	ReasonPasswordDigit:     "needs a digit",
	ReasonPasswordSpecial:   "needs a special character",
	ReasonPasswordCommon:    "must not be a common or easily guessed password",
	ReasonPasswordPersonal:  "must not contain your username or email",
	ReasonWrongPassword:     "is not your password",
	ReasonPasswordUnchanged: "must differ from your current password",

	ReasonPhoneRequired:  "enter a mobile number",
	ReasonPhoneFormat:    "must be a phone number like +46 70 123 45 67",
	ReasonPhoneCountry:   "start with + and the country code, like +46 70 123 45 67",
	ReasonPhoneInvalid:   "is not a valid phone number",
	ReasonPhoneNotMobile: "must be a mobile number that can receive SMS",
	ReasonSameEmail:      "is already your address",
	ReasonSameMobile:     "is already your number",
	ReasonNoPendingCode:  "there is no pending number change; ask for a new code",
	ReasonWrongCode:      "is wrong; {{.tries_left}} tries left",
	ReasonCodeExpired:    "has expired or was tried too often; ask for a new code",
	ReasonTokenInvalid:   "is wrong or has expired; ask for a new one",
	ReasonKeyReused:      "was already used for another request",
	ReasonKeyInUse:       "is in use by a request that is still running; try again in a moment",

	ReasonTaken:     "is taken",
	ReasonCodeChars: "must be {{.min}} to {{.max}} of a–z, 0–9, _ and -, starting with a letter or digit",

	ReasonNotOnPriceList:   "is not on your organisation's price list",
	ReasonQuantityRange:    "amount must be {{.min}} to {{.max}}",
	ReasonOtherCurrency:    "is priced in another currency; order it separately",
	ReasonZoneDisabled:     "is only for an enabled zone",
	ReasonOnlySelected:     `are only for scope "selected"`,
	ReasonOnlyUnavailable:  "is only for Unavailable",
	ReasonUnknownReason:    "must be one of your organisation's reasons",
	ReasonNoTimer:          "no timer is running; choose a status with a duration first",
	ReasonNotAnOption:      `has "{{.value}}", which is not an option of this category`,
	ReasonLastAdmin:        "you are your organisation's last admin; make someone else an admin first",
	ReasonNeedsAccountPerm: `this needs the "account" permission; ask an organisation admin`,
	ReasonNeedsSupervisor:  "this needs the supervisor role; ask an organisation admin",
	ReasonAdminMustRemain:  "at least one admin must remain; make someone else an admin first",
	ReasonOwnerKeepsAdmin:  "the account owner always keeps the account permission; contact customer care to change the owner",
	ReasonAllAssigned:      "all {{.product}} licenses are assigned; buy more or unassign one first",
	ReasonCostCentersOff:   "cost centers are not activated; activate them in the organisation settings first",
	ReasonNoContract:       "downgrading needs an ongoing contract; contact customer care",
	ReasonBindingPeriod:    "your contract is in its binding period until {{.until}}; you can downgrade after that",

	ReasonOrgFull:         "your organisation has no free {{.product}} license: all are assigned or held for invitations; buy more or free one first",
	ReasonNotYourself:     "you cannot do this to your own account",
	ReasonOwnerStays:      "the account owner cannot be deactivated or deleted; contact customer care to change the owner",
	ReasonAccountDisabled: "this account is deactivated; contact your administrator",
	ReasonUserDeactivated: "this user is deactivated; reactivate them first",

	ReasonImageType:          "must be a JPEG or PNG picture",
	ReasonImageTooBig:        "must be at most {{.max_mb}} MB",
	ReasonImageTooManyPixels: "must have at most {{.max_mp}} megapixels",
	ReasonImageCorrupt:       "is damaged or incomplete",
	ReasonNoGravatar:         "Gravatar has no image for your email address",
	ReasonGravatarFailed:     "Gravatar could not be reached or sent no usable picture; try again later",

	ReasonWrongType:     "must be of JSON type {{.kind}}",
	ReasonUnknownField:  "is not a known field",
	ReasonDuplicateName: "is given more than once",
	ReasonInvalidEscape: "has an invalid escape sequence",
	ReasonNotAVersion:   `is not a version tag like "3"`,
	ReasonNotANumber:    "is not a number",
	ReasonNotADate:      "is not a date like 2026-11-23 or 2026-11-23T08:00:00Z",
	ReasonNotAnID:       "is not an ID",
	ReasonCSVQuotes:     "is not valid CSV here: a value with quotes, commas or line breaks must be in double quotes",
	ReasonNumberRange:   "must be {{.min}} to {{.max}}",
	ReasonEmptyRange:    "must be after the start",
	ReasonReadOnly:      "cannot be changed",
	ReasonCustomerCare:  "only customer care can change this",

	ReasonRefused:        "was refused by the server",
	ReasonEmailManaged:   "your organisation manages email addresses; ask an admin",
	ReasonAdminsOnly:     "only admins can delete their account; ask an admin",
	ReasonNeedsPassword:  "sign in with your password to do this; an API key cannot",
	ReasonOwnerOnly:      "only the account owner can change the owner's email address",
	ReasonReauthRequired: "enter your password again to do this",
	ReasonPhotoManaged:   "your organisation sets this picture; members cannot choose their own",
	ReasonNotSent:        "the message could not be sent; try again later",

	ReasonSecondFactor:         "enter the code from your authenticator app",
	ReasonWrongTOTP:            "is wrong, has expired or was already used; wait for the next code",
	ReasonSecondFactorOn:       "two-factor sign-in is already on",
	ReasonSecondFactorOff:      "two-factor sign-in is not on",
	ReasonSecondFactorRequired: "your organisation requires two-factor sign-in; it cannot be turned off",
	ReasonSSORequired:          "your organisation signs in with single sign-on; use Sign in with your company",
	ReasonSSONotConfigured:     "no organisation signs in with single sign-on for this email address",
	ReasonSSOUnavailable:       "this server does not offer single sign-on",
	ReasonSSOFailed:            "the sign-in with your company did not complete; try again",
	ReasonSSOEmailNotVerified:  "your company's sign-in did not confirm your email address",
	ReasonSSONoAccount:         "no Phoneset account has this email address; ask an admin to invite you",
	ReasonNotLoopback:          "must be a loopback address like http://127.0.0.1:49152/callback",
	ReasonURLFormat:            "must be an https:// address",
	ReasonDomainFormat:         "must be a domain name like example.com",
	ReasonDNSRecordMissing:     "DNS has no TXT record at this name yet; add it, wait a few minutes and verify again",
	ReasonDNSRecordMismatch:    "DNS has a TXT record at this name, but not with this value; copy the value again",
	ReasonDNSUnavailable:       "DNS did not answer; nothing changed, try again in a minute",
	ReasonDomainTaken:          "another organisation has verified this domain",
	ReasonDomainUnproven:       "added before domains had to be verified; sign-ins through it wait until it is verified",
}

// ReasonCodes lists every reason code, sorted.
func ReasonCodes() []string { return slices.Sorted(maps.Keys(reasonText)) }

// ReasonText is code's English as a text/template over its arguments, or ""
// for an unknown code.
func ReasonText(code string) string { return reasonText[code] }

// reasonTemplates are the texts with arguments, parsed on first use: the
// server builds its fixed errors' messages in package init, before the
// desktop app's first frame, and those need no template.
var reasonTemplates = sync.OnceValue(func() map[string]*template.Template {
	m := make(map[string]*template.Template, len(reasonText))
	for code, text := range reasonText {
		if hasArgs(text) {
			m[code] = template.Must(template.New(code).Option("missingkey=zero").Parse(text))
		}
	}
	return m
})

func hasArgs(text string) bool { return strings.Contains(text, "{{") }

// Args are a reason's arguments by name.
type Args = map[string]any

// Reason says why a value was refused: a code from the list above and the
// values its text needs. A nil *Reason means the value is fine.
type Reason struct {
	Code string
	Args Args
}

// Because builds a reason without arguments.
func Because(code string) *Reason { return &Reason{Code: code} }

// String is the reason in English.
func (r *Reason) String() string {
	text, ok := reasonText[r.Code]
	if !ok {
		return r.Code
	}
	if !hasArgs(text) {
		return text
	}
	t := reasonTemplates()[r.Code]
	var b strings.Builder
	if err := t.Execute(&b, r.Args); err != nil {
		return r.Code
	}
	return b.String()
}

// MarshalJSON sends the arguments beside the code.
func (r *Reason) MarshalJSON() ([]byte, error) {
	m := make(map[string]any, len(r.Args)+1)
	maps.Copy(m, r.Args)
	m["code"] = r.Code
	return json.Marshal(m)
}

// UnmarshalJSON reads a code and its arguments; numbers arrive as float64.
func (r *Reason) UnmarshalJSON(data []byte) error {
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	code, ok := m["code"].(string)
	if !ok {
		return errors.New("api: a reason without a code")
	}
	delete(m, "code")
	r.Code, r.Args = code, nil
	if len(m) > 0 {
		r.Args = m
	}
	return nil
}
