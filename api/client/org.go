package client

import (
	"context"
	"github.com/phoneset/phoneset/api"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// The organisation settings under /v1/org, for admins (PermAccount). The
// server refuses everyone else with ErrForbidden. Writes to a versioned
// section pass the version they change (412 ErrStale when it moved on);
// creating calls carry an Idempotency-Key (the one on ctx, see
// WithIdempotencyKey, else a fresh one) so they are retried safely.

// orgIdemKey is the caller's idempotency key, or a new one for this call.
func orgIdemKey(ctx context.Context) string {
	if k, ok := ctx.Value(idemKeyCtx{}).(string); ok && k != "" {
		return k
	}
	return NewIdempotencyKey()
}

func orgPath(parts ...string) string {
	p := "/v1/org"
	for _, s := range parts {
		p += "/" + url.PathEscape(s)
	}
	return p
}

// fetch loads the document at path.
func fetch[T any](ctx context.Context, c *Client, path string) (T, error) {
	var v T
	err := c.do(ctx, call{method: http.MethodGet, path: path, out: &v})
	return v, err
}

// replace puts body at path if the document there is still at version
// (If-Match) and returns it as the server now has it.
func replace[T any](ctx context.Context, c *Client, path string, version int64, body any) (T, error) {
	var v T
	err := c.do(ctx, call{method: http.MethodPut, path: path, body: body, out: &v, ifMatch: version, hasIf: true})
	return v, err
}

// OrgSettings loads the company profile and member defaults (GET /v1/org).
func (c *Client) OrgSettings(ctx context.Context) (api.OrgSettings, error) {
	return fetch[api.OrgSettings](ctx, c, orgPath())
}

// UpdateOrgSettings changes what p sets (PATCH /v1/org).
func (c *Client) UpdateOrgSettings(ctx context.Context, version int64, p api.OrgSettingsPatch) (api.OrgSettings, error) {
	var o api.OrgSettings
	err := c.do(ctx, call{method: http.MethodPatch, path: orgPath(), body: p, out: &o, ifMatch: version, hasIf: true})
	return o, err
}

// OrgPhoto downloads the company avatar or default cover (kind PhotoAvatar
// or PhotoCover) at least size pixels wide, or the largest for 0.
func (c *Client) OrgPhoto(ctx context.Context, kind string, size int) ([]byte, error) {
	return c.image(ctx, orgPath("photos", kind), size)
}

// SetOrgPhoto uploads a JPEG or PNG as the company avatar or default
// cover; the server crops it to the middle.
func (c *Client) SetOrgPhoto(ctx context.Context, kind string, version int64, image []byte) (api.OrgSettings, error) {
	var o api.OrgSettings
	err := c.do(ctx, call{method: http.MethodPut, path: orgPath("photos", kind), raw: image,
		ctype: http.DetectContentType(image), out: &o, ifMatch: version, hasIf: true})
	return o, err
}

// RemoveOrgPhoto removes the company avatar or default cover.
func (c *Client) RemoveOrgPhoto(ctx context.Context, kind string, version int64) (api.OrgSettings, error) {
	var o api.OrgSettings
	err := c.do(ctx, call{method: http.MethodDelete, path: orgPath("photos", kind), out: &o, ifMatch: version, hasIf: true})
	return o, err
}

// OrgPackage loads the PBX package and contract (GET /v1/org/package).
func (c *Client) OrgPackage(ctx context.Context) (api.PBXPackage, error) {
	return fetch[api.PBXPackage](ctx, c, orgPath("package"))
}

// SetOrgPackage moves to another package; a refused downgrade is a 409
// whose Fields["package"] says why.
func (c *Client) SetOrgPackage(ctx context.Context, version int64, pkg string) (api.PBXPackage, error) {
	return replace[api.PBXPackage](ctx, c, orgPath("package"), version, api.PackageChange{Package: pkg})
}

// OrgLicenses loads license counts, add-ons and the price list.
func (c *Client) OrgLicenses(ctx context.Context) (api.Licenses, error) {
	return fetch[api.Licenses](ctx, c, orgPath("licenses"))
}

// OrgOrders lists the latest orders, newest first.
func (c *Client) OrgOrders(ctx context.Context) ([]api.Order, error) {
	return fetch[[]api.Order](ctx, c, orgPath("orders"))
}

// PlaceOrder buys licenses and add-ons at the contract prices
// (POST /v1/org/orders).
func (c *Client) PlaceOrder(ctx context.Context, items []api.OrderItem) (api.Order, error) {
	var o api.Order
	err := c.do(ctx, call{method: http.MethodPost, path: orgPath("orders"), body: api.OrderRequest{Items: items}, out: &o, idemKey: orgIdemKey(ctx)})
	return o, err
}

// OrgUsers lists the organisation's users matching f.
func (c *Client) OrgUsers(ctx context.Context, f api.OrgUserFilter) ([]api.OrgUser, error) {
	q := url.Values{}
	for k, v := range map[string]string{"option": f.Option, "cost_center": f.CostCenter, "license": f.License, "q": f.Query} {
		if v != "" {
			q.Set(k, v)
		}
	}
	var u []api.OrgUser
	err := c.do(ctx, call{method: http.MethodGet, path: orgPath("users"), query: q, out: &u})
	return u, err
}

// SetUserEmail sets a member's email address at once; version is their
// profile version (OrgUser.ProfileVersion), password the admin's own.
func (c *Client) SetUserEmail(ctx context.Context, userID string, version int64, email, password string) (api.OrgUser, error) {
	return replace[api.OrgUser](ctx, c, orgPath("users", userID, "email"), version, api.EmailSet{Email: email, Password: password})
}

func (c *Client) orgUserCall(ctx context.Context, method string, path string) (api.OrgUser, error) {
	var u api.OrgUser
	err := c.do(ctx, call{method: method, path: path, out: &u})
	return u, err
}

// AssignLicense gives a user one of the unassigned licenses of a kind.
func (c *Client) AssignLicense(ctx context.Context, userID, sku string) (api.OrgUser, error) {
	return c.orgUserCall(ctx, http.MethodPut, orgPath("users", userID, "licenses", sku))
}

// UnassignLicense takes a license back.
func (c *Client) UnassignLicense(ctx context.Context, userID, sku string) (api.OrgUser, error) {
	return c.orgUserCall(ctx, http.MethodDelete, orgPath("users", userID, "licenses", sku))
}

// GrantAdmin gives a user permission "account".
func (c *Client) GrantAdmin(ctx context.Context, userID string) (api.OrgUser, error) {
	return c.orgUserCall(ctx, http.MethodPut, orgPath("users", userID, "permissions", api.PermAccount))
}

// RevokeAdmin takes permission "account" away; the server refuses (409)
// for the account owner and the last admin.
func (c *Client) RevokeAdmin(ctx context.Context, userID string) (api.OrgUser, error) {
	return c.orgUserCall(ctx, http.MethodDelete, orgPath("users", userID, "permissions", api.PermAccount))
}

// OrgSMS loads the system SMS zones and message types.
func (c *Client) OrgSMS(ctx context.Context) (api.SMSSettings, error) {
	return fetch[api.SMSSettings](ctx, c, orgPath("sms"))
}

// SetSMSZone enables a zone for all or selected users, or disables it.
func (c *Client) SetSMSZone(ctx context.Context, version int64, zone string, u api.SMSZoneUpdate) (api.SMSSettings, error) {
	return replace[api.SMSSettings](ctx, c, orgPath("sms", "zones", zone), version, u)
}

// SetSMSMessageTypes sets which system SMS types are allowed.
func (c *Client) SetSMSMessageTypes(ctx context.Context, version int64, allowed []string) (api.SMSSettings, error) {
	if allowed == nil {
		allowed = []string{}
	}
	return replace[api.SMSSettings](ctx, c, orgPath("sms", "message-types"), version, api.SMSTypesUpdate{Allowed: allowed})
}

// CostCenters loads the cost centers and whether they are activated.
func (c *Client) CostCenters(ctx context.Context) (api.CostCenters, error) {
	return fetch[api.CostCenters](ctx, c, orgPath("cost-centers"))
}

// CreateCostCenter adds a cost center.
func (c *Client) CreateCostCenter(ctx context.Context, name string) (api.CostCenter, error) {
	var cc api.CostCenter
	err := c.do(ctx, call{method: http.MethodPost, path: orgPath("cost-centers"), body: api.NameRequest{Name: name}, out: &cc, idemKey: orgIdemKey(ctx)})
	return cc, err
}

// RenameCostCenter renames a cost center at version.
func (c *Client) RenameCostCenter(ctx context.Context, id string, version int64, name string) (api.CostCenter, error) {
	var cc api.CostCenter
	err := c.do(ctx, call{method: http.MethodPatch, path: orgPath("cost-centers", id), body: api.NameRequest{Name: name}, out: &cc, ifMatch: version, hasIf: true})
	return cc, err
}

// RemoveCostCenter removes a cost center; its users are left in none.
func (c *Client) RemoveCostCenter(ctx context.Context, id string) error {
	return c.do(ctx, call{method: http.MethodDelete, path: orgPath("cost-centers", id)})
}

// SetCostCenterUsers makes userIDs exactly the cost center's users.
func (c *Client) SetCostCenterUsers(ctx context.Context, id string, version int64, userIDs []string) (api.CostCenter, error) {
	return replace[api.CostCenter](ctx, c, orgPath("cost-centers", id, "users"), version, api.UserIDsRequest{UserIDs: nonNil(userIDs)})
}

func nonNil(ids []string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}

// OrgReasonCodes lists the reasons for Unavailable, retired ones too.
func (c *Client) OrgReasonCodes(ctx context.Context) ([]api.OrgReasonCode, error) {
	return fetch[[]api.OrgReasonCode](ctx, c, orgPath("reason-codes"))
}

// CreateReasonCode adds a reason; its code is derived from the label.
func (c *Client) CreateReasonCode(ctx context.Context, label string) (api.OrgReasonCode, error) {
	var rc api.OrgReasonCode
	err := c.do(ctx, call{method: http.MethodPost, path: orgPath("reason-codes"), body: api.ReasonCodeCreate{Label: label}, out: &rc, idemKey: orgIdemKey(ctx)})
	return rc, err
}

// UpdateReasonCode renames, retires or brings back a reason at version.
func (c *Client) UpdateReasonCode(ctx context.Context, code string, version int64, p api.ReasonCodePatch) (api.OrgReasonCode, error) {
	var rc api.OrgReasonCode
	err := c.do(ctx, call{method: http.MethodPatch, path: orgPath("reason-codes", code), body: p, out: &rc, ifMatch: version, hasIf: true})
	return rc, err
}

// OrgPresence loads what the app does on lock and idle.
func (c *Client) OrgPresence(ctx context.Context) (api.Presence, error) {
	return fetch[api.Presence](ctx, c, orgPath("presence"))
}

// SetOrgPresence replaces the presence policy at version.
func (c *Client) SetOrgPresence(ctx context.Context, version int64, u api.PresenceUpdate) (api.Presence, error) {
	return replace[api.Presence](ctx, c, orgPath("presence"), version, u)
}

// Categories loads the organisation structure.
func (c *Client) Categories(ctx context.Context) ([]api.Category, error) {
	return fetch[[]api.Category](ctx, c, orgPath("structure"))
}

// CreateCategory adds a structure category with its options.
func (c *Client) CreateCategory(ctx context.Context, name string, options []string) (api.Category, error) {
	var cat api.Category
	err := c.do(ctx, call{method: http.MethodPost, path: orgPath("structure"), body: api.CategoryCreate{Name: name, Options: nonNil(options)}, out: &cat, idemKey: orgIdemKey(ctx)})
	return cat, err
}

// UpdateCategory renames a category and adds or removes options.
func (c *Client) UpdateCategory(ctx context.Context, id string, version int64, p api.CategoryPatch) (api.Category, error) {
	var cat api.Category
	err := c.do(ctx, call{method: http.MethodPatch, path: orgPath("structure", id), body: p, out: &cat, ifMatch: version, hasIf: true})
	return cat, err
}

// RemoveCategory removes a category and its options.
func (c *Client) RemoveCategory(ctx context.Context, id string) error {
	return c.do(ctx, call{method: http.MethodDelete, path: orgPath("structure", id)})
}

// SetOptionUsers makes userIDs exactly an option's holders; version is the
// category's.
func (c *Client) SetOptionUsers(ctx context.Context, categoryID, optionID string, version int64, userIDs []string) (api.Category, error) {
	var cat api.Category
	err := c.do(ctx, call{method: http.MethodPut, path: orgPath("structure", categoryID, "options", optionID, "users"),
		body: api.UserIDsRequest{UserIDs: nonNil(userIDs)}, out: &cat, ifMatch: version, hasIf: true})
	return cat, err
}

// auditValues renders q as the query of GET /v1/org/audit.
func auditValues(q api.AuditQuery) url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"user": q.User, "action": q.Action, "resource": q.Resource} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if !q.From.IsZero() {
		v.Set("from", q.From.UTC().Format(time.RFC3339))
	}
	if !q.To.IsZero() {
		v.Set("to", q.To.UTC().Format(time.RFC3339))
	}
	if q.Before > 0 {
		v.Set("before", strconv.FormatInt(q.Before, 10))
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	return v
}

// AuditLog loads a page of the audit log, newest first.
func (c *Client) AuditLog(ctx context.Context, q api.AuditQuery) (api.AuditPage, error) {
	var p api.AuditPage
	err := c.do(ctx, call{method: http.MethodGet, path: orgPath("audit"), query: auditValues(q), out: &p})
	return p, err
}

// ExportAuditCSV downloads every event matching q (Before and Limit
// aside) as CSV.
func (c *Client) ExportAuditCSV(ctx context.Context, q api.AuditQuery) ([]byte, error) {
	q.Before, q.Limit = 0, 0
	v := auditValues(q)
	v.Set("format", "csv")
	var b []byte
	err := c.do(ctx, call{method: http.MethodGet, path: orgPath("audit"), query: v, out: &b})
	return b, err
}
