package api

import "time"

// Wire types of the organisation settings under /v1/org, open to admins
// (permission PermAccount) only.
//
// Sections carry a version: edits of a value (PATCH, and PUTs that replace
// a set) take If-Match with it. Creating (POST) is made safe to retry with
// an Idempotency-Key; a single assignment (PUT/DELETE of a license or of
// the admin permission) sets an absolute state and needs neither.

// Address is the company's postal address.
type Address struct {
	Street     string `json:"street"`
	PostalCode string `json:"postal_code"`
	City       string `json:"city"`
	Country    string `json:"country"`
}

// OrgOwner is the account owner: an admin who can only be changed through
// customer care.
type OrgOwner struct {
	ID          string `json:"id"`
	DisplayName string `json:"display_name"`
	Email       string `json:"email"`
}

// OrgSettings is GET/PATCH /v1/org: the company profile and the defaults
// members see. CompanyName and OrgNumber are read-only (customer care
// changes them).
type OrgSettings struct {
	Version             int64    `json:"version"`
	ID                  string   `json:"id"`
	CompanyName         string   `json:"company_name"`
	OrgNumber           string   `json:"org_number"`
	DisplayName         string   `json:"display_name"`
	Address             Address  `json:"address"`
	Owner               OrgOwner `json:"owner"`
	TimeZone            string   `json:"time_zone"`
	Language            string   `json:"language"`
	MembersChooseAvatar bool     `json:"members_choose_avatar"`
	MembersChooseCover  bool     `json:"members_choose_cover"`
	MembersChangeEmail  bool     `json:"members_change_email"`
	CostCentersEnabled  bool     `json:"cost_centers_enabled"`
	HasAvatar           bool     `json:"has_avatar"`
	HasCover            bool     `json:"has_cover"`
}

// OrgSettingsPatch is the body of PATCH /v1/org; nil fields are left alone.
type OrgSettingsPatch struct {
	DisplayName         *string  `json:"display_name,omitempty"`
	Address             *Address `json:"address,omitempty"`
	TimeZone            *string  `json:"time_zone,omitempty"`
	Language            *string  `json:"language,omitempty"`
	MembersChooseAvatar *bool    `json:"members_choose_avatar,omitempty"`
	MembersChooseCover  *bool    `json:"members_choose_cover,omitempty"`
	MembersChangeEmail  *bool    `json:"members_change_email,omitempty"`
	CostCentersEnabled  *bool    `json:"cost_centers_enabled,omitempty"`
}

// PBX packages.
const (
	PackageLight     = "light"
	PackageUnlimited = "unlimited"
)

// Packages lists the PBX packages from smallest to largest.
var Packages = []string{PackageLight, PackageUnlimited}

// Contract is the org's agreement as customer care recorded it. A zero time
// is unset: no start means no contract, no end means it runs until
// cancelled.
type Contract struct {
	Ongoing       bool      `json:"ongoing"`
	StartedAt     time.Time `json:"started_at"`
	EndsAt        time.Time `json:"ends_at"`
	BindingEndsAt time.Time `json:"binding_ends_at"`
}

// PBXPackage is GET/PUT /v1/org/package. Upgrading is always allowed;
// downgrading needs an ongoing contract outside its binding period, and
// DowngradeRefusal says why not when CanDowngrade is false.
type PBXPackage struct {
	Version          int64    `json:"version"`
	Package          string   `json:"package"`
	Contract         Contract `json:"contract"`
	CanDowngrade     bool     `json:"can_downgrade"`
	DowngradeRefusal *Reason  `json:"downgrade_refusal,omitempty"`
}

// PackageChange is the body of PUT /v1/org/package.
type PackageChange struct {
	Package string `json:"package"`
}

// Product kinds.
const (
	ProductLicense = "license"
	ProductAddOn   = "addon"
)

// License SKUs users can be given.
const (
	LicensePro    = "pro"
	LicenseMobile = "mobile"
)

// Product is something the org can buy, at its contract price in minor
// currency units (öre, cents).
type Product struct {
	SKU       string `json:"sku"`
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	UnitPrice int64  `json:"unit_price"`
	Currency  string `json:"currency"`
}

// LicenseCount is how many licenses of a kind the org holds, how many
// are given to users and how many are held for pending invitations;
// Unassigned is what is left.
type LicenseCount struct {
	SKU        string `json:"sku"`
	Name       string `json:"name"`
	Total      int64  `json:"total"`
	Assigned   int64  `json:"assigned"`
	Invited    int64  `json:"invited"`
	Unassigned int64  `json:"unassigned"`
}

// AddOn is an add-on the org owns.
type AddOn struct {
	SKU      string `json:"sku"`
	Name     string `json:"name"`
	Quantity int64  `json:"quantity"`
}

// Licenses is GET /v1/org/licenses: counts, add-ons and the price list.
type Licenses struct {
	Licenses  []LicenseCount `json:"licenses"`
	AddOns    []AddOn        `json:"addons"`
	Catalogue []Product      `json:"catalogue"`
}

// OrderItem is one product and amount of an order.
type OrderItem struct {
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
}

// OrderRequest is the body of POST /v1/org/orders.
type OrderRequest struct {
	Items []OrderItem `json:"items"`
}

// MaxOrderQuantity caps one line of an order.
const MaxOrderQuantity = 1000

// OrderLine is a line of a recorded order at the price of the day.
type OrderLine struct {
	SKU       string `json:"sku"`
	Name      string `json:"name"`
	Quantity  int64  `json:"quantity"`
	UnitPrice int64  `json:"unit_price"`
	Total     int64  `json:"total"`
}

// Order is a recorded purchase. No payment is taken: invoicing follows the
// contract.
type Order struct {
	ID       string      `json:"id"`
	At       time.Time   `json:"at"`
	ByID     string      `json:"by_id"`
	By       string      `json:"by"`
	Lines    []OrderLine `json:"lines"`
	Total    int64       `json:"total"`
	Currency string      `json:"currency"`
}

// OrgUser is a member as admins see them in GET /v1/org/users.
type OrgUser struct {
	ID             string `json:"id"`
	Username       string `json:"username"`
	DisplayName    string `json:"display_name"`
	Email          string `json:"email"`
	ProfileVersion int64  `json:"profile_version"`
	Admin          bool   `json:"admin"`
	Owner          bool   `json:"owner"`
	// Deactivated members cannot sign in; they hold no licenses.
	Deactivated bool     `json:"deactivated"`
	Licenses    []string `json:"licenses"`
	CostCenter  string   `json:"cost_center,omitempty"`
	// Options maps a structure category ID to the user's option ID in it.
	Options map[string]string `json:"options"`
}

// OrgUserFilter narrows GET /v1/org/users; empty fields match everyone.
type OrgUserFilter struct {
	Option     string // a structure option ID
	CostCenter string
	License    string
	Query      string // part of a name, username or email
}

// EmailSet is the body of PUT /v1/org/users/{id}/email: an admin sets a
// member's address at once, without a confirmation link, proving who they
// are with their own current password (a new address is a password reset
// away from the account).
type EmailSet struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// SMS zone scopes.
const (
	ScopeAll      = "all"
	ScopeSelected = "selected"
)

// SMSZone is where system SMS may go, and for whom.
type SMSZone struct {
	Zone    string   `json:"zone"`
	Name    string   `json:"name"`
	Enabled bool     `json:"enabled"`
	Scope   string   `json:"scope"`    // ScopeAll or ScopeSelected when enabled
	UserIDs []string `json:"user_ids"` // with ScopeSelected
}

// SMSMessageType is a kind of system SMS and whether it is allowed.
type SMSMessageType struct {
	Type    string `json:"type"`
	Name    string `json:"name"`
	Allowed bool   `json:"allowed"`
}

// SMSSettings is GET /v1/org/sms.
type SMSSettings struct {
	Version      int64            `json:"version"`
	Zones        []SMSZone        `json:"zones"`
	MessageTypes []SMSMessageType `json:"message_types"`
}

// SMSZoneUpdate is the body of PUT /v1/org/sms/zones/{zone}.
type SMSZoneUpdate struct {
	Enabled bool     `json:"enabled"`
	Scope   string   `json:"scope"`
	UserIDs []string `json:"user_ids"`
}

// SMSTypesUpdate is the body of PUT /v1/org/sms/message-types: the allowed
// types; every other type is disallowed.
type SMSTypesUpdate struct {
	Allowed []string `json:"allowed"`
}

// SMSZones is the catalogue of zones, in display order.
var SMSZones = []struct{ Zone, Name string }{
	{"domestic", "Domestic"},
	{"nordic", "Nordic countries"},
	{"europe", "Europe"},
	{"north_america", "North America"},
	{"world", "Rest of the world"},
}

// SMSTypes is the catalogue of system SMS types.
var SMSTypes = []struct{ Type, Name string }{
	{"survey", "Surveys"},
	{"answer_group", "Answer groups"},
	{"callback", "Callback confirmations"},
	{"queue_position", "Queue position updates"},
}

// CostCenter is one of the org's cost centers and its members.
type CostCenter struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Version int64    `json:"version"`
	UserIDs []string `json:"user_ids"`
}

// CostCenters is GET /v1/org/cost-centers. Changes need Enabled, which is
// switched in OrgSettings.
type CostCenters struct {
	Enabled     bool         `json:"enabled"`
	CostCenters []CostCenter `json:"cost_centers"`
}

// NameRequest names something: creating or renaming a cost center.
type NameRequest struct {
	Name string `json:"name"`
}

// UserIDsRequest replaces who belongs to something.
type UserIDsRequest struct {
	UserIDs []string `json:"user_ids"`
}

// OrgReasonCode is a reason code with its version, as admins edit it.
type OrgReasonCode struct {
	ReasonCode
	Version int64 `json:"version"`
}

// ReasonCodeCreate is the body of POST /v1/org/reason-codes. Code is
// derived from Label when empty.
type ReasonCodeCreate struct {
	Code    string       `json:"code,omitempty"`
	Label   string       `json:"label"`
	Minutes int          `json:"minutes,omitempty"`
	Then    Availability `json:"then,omitempty"` // default online
}

// ReasonCodePatch renames or retires (or brings back) a reason code.
type ReasonCodePatch struct {
	Label   *string       `json:"label,omitempty"`
	Retired *bool         `json:"retired,omitempty"`
	Minutes *int          `json:"minutes,omitempty"`
	Then    *Availability `json:"then,omitempty"`
}

// CategoryOption is one option of a structure category and who holds it.
type CategoryOption struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	UserIDs []string `json:"user_ids"`
}

// Category is a structure category (e.g. Office) with its options.
type Category struct {
	ID      string           `json:"id"`
	Name    string           `json:"name"`
	Version int64            `json:"version"`
	Options []CategoryOption `json:"options"`
}

// CategoryCreate is the body of POST /v1/org/structure.
type CategoryCreate struct {
	Name    string   `json:"name"`
	Options []string `json:"options"`
}

// CategoryPatch renames a category, adds options by name and removes
// options by ID (their users lose them).
type CategoryPatch struct {
	Name          *string  `json:"name,omitempty"`
	AddOptions    []string `json:"add_options,omitempty"`
	RemoveOptions []string `json:"remove_options,omitempty"`
}

// MaxOptions caps the options of one category.
const MaxOptions = 100

// AuditQuery filters GET /v1/org/audit. User matches events by that user
// and events about them; Action and Resource match exactly or as a prefix
// ending at a "." or "/" boundary; From and To bound the time (To
// exclusive). Before pages backwards from an event ID.
type AuditQuery struct {
	User     string
	Action   string
	Resource string
	From, To time.Time
	Before   int64
	Limit    int
}

// AuditPage is a page of the audit log, newest first. NextBefore is the
// Before of the next page, 0 at the end.
type AuditPage struct {
	Events     []AuditEvent `json:"events"`
	NextBefore int64        `json:"next_before"`
}

// MaxAddressLen caps each address line.
const MaxAddressLen = 100

// ValidateOrgPatch checks every field an org settings patch sets and
// returns the field errors keyed by JSON name, or nil.
func ValidateOrgPatch(p OrgSettingsPatch) map[string]*Reason {
	errs := map[string]*Reason{}
	if p.DisplayName != nil {
		if why := ValidateDisplayName(*p.DisplayName); why != nil {
			errs[FieldDisplayName] = why
		}
	}
	if a := p.Address; a != nil {
		for field, v := range map[string]string{FieldAddressStreet: a.Street, FieldAddressPostalCode: a.PostalCode, FieldAddressCity: a.City, FieldAddressCountry: a.Country} {
			if why := checkText(v, MaxAddressLen, false); why != nil {
				errs[field] = why
			}
		}
	}
	if p.TimeZone != nil {
		if why := ValidateTimeZone(*p.TimeZone); why != nil {
			errs[FieldTimeZone] = why
		}
	}
	if p.Language != nil {
		if why := ValidateLanguage(*p.Language); why != nil {
			errs[FieldLanguage] = why
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}
