package ui

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/api/client"
)

// Compile-time proof that the real client serves the page.
var _ OrgModel = (*client.Client)(nil)

// fakeOrg stands in for the /v1/org endpoints: it keeps the state, applies
// the server's main rules (versions, license counts, downgrades, the
// owner's permission) and records what the page asked.
type fakeOrg struct {
	settings   api.OrgSettings
	pkg        api.PBXPackage
	licenses   api.Licenses
	orders     []api.Order
	users      []api.OrgUser
	sms        api.SMSSettings
	centers    api.CostCenters
	reasons    []api.OrgReasonCode
	presence   api.Presence
	cats       []api.Category
	events     []api.AuditEvent
	csv        []byte
	err        error // the next call fails with it, once
	calls      []string
	patches    []api.OrgSettingsPatch
	orderItems [][]api.OrderItem
	filters    []api.OrgUserFilter
	queries    []api.AuditQuery
	zoneSets   map[string]api.SMSZoneUpdate
	catPatches []api.CategoryPatch
	photos     map[string][]byte
	totp       fakeTOTP
	invites    []api.Invitation
}

var fakeAt = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

func newFakeOrg() *fakeOrg {
	admin := api.OrgUser{ID: "u_admin", Username: "admin", DisplayName: "Ada Admin", Email: "admin@demo.test", ProfileVersion: 1,
		Admin: true, Owner: true, Licenses: []string{"pro"}, Options: map[string]string{"cat_office": "opt_sthlm"}}
	bo := api.OrgUser{ID: "u_bo", Username: "agent1", DisplayName: "Bo Agent", Email: "bo@demo.test", ProfileVersion: 4,
		Licenses: []string{"mobile", "pro"}, CostCenter: "cc_support", Options: map[string]string{"cat_office": "opt_sthlm"}}
	cy := api.OrgUser{ID: "u_cy", Username: "agent2", DisplayName: "Cy Agent", Email: "cy@demo.test", ProfileVersion: 2,
		Licenses: []string{}, CostCenter: "cc_sales", Options: map[string]string{"cat_office": "opt_malmo"}}
	return &fakeOrg{
		settings: api.OrgSettings{Version: 3, ID: "org_demo", CompanyName: "Demo Contact Centre AB", OrgNumber: "556677-8899",
			DisplayName: "Demo Contact Centre", Address: api.Address{Street: "Storgatan 1", PostalCode: "111 22", City: "Stockholm", Country: "Sweden"},
			Owner: api.OrgOwner{ID: "u_admin", DisplayName: "Ada Admin", Email: "admin@demo.test"}, TimeZone: "Europe/Stockholm", Language: "en",
			MembersChooseAvatar: true, MembersChooseCover: true, MembersChangeEmail: true, CostCentersEnabled: true},
		pkg: api.PBXPackage{Version: 2, Package: api.PackageUnlimited, Contract: api.Contract{Ongoing: true,
			StartedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), BindingEndsAt: time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)},
			DowngradeRefusal: bindingUntil},
		licenses: api.Licenses{
			Licenses: []api.LicenseCount{{SKU: "pro", Name: "Pro license", Total: 3, Assigned: 2, Unassigned: 1},
				{SKU: "mobile", Name: "Mobile license", Total: 1, Assigned: 1}},
			AddOns: []api.AddOn{{SKU: "recording", Name: "Call recording", Quantity: 1}, {SKU: "wallboard", Name: "Wallboard"}},
			Catalogue: []api.Product{{SKU: "pro", Kind: api.ProductLicense, Name: "Pro license", UnitPrice: 24900, Currency: "SEK"},
				{SKU: "mobile", Kind: api.ProductLicense, Name: "Mobile license", UnitPrice: 9900, Currency: "SEK"},
				{SKU: "recording", Kind: api.ProductAddOn, Name: "Call recording", UnitPrice: 4900, Currency: "SEK"},
				{SKU: "wallboard", Kind: api.ProductAddOn, Name: "Wallboard", UnitPrice: 14900, Currency: "SEK"}},
		},
		orders: []api.Order{{ID: "ord_1", At: fakeAt, By: "Ada Admin", Currency: "SEK", Total: 49800,
			Lines: []api.OrderLine{{SKU: "pro", Name: "Pro license", Quantity: 2, UnitPrice: 24900, Total: 49800}}}},
		users: []api.OrgUser{admin, bo, cy},
		sms: api.SMSSettings{Version: 1, Zones: []api.SMSZone{
			{Zone: "domestic", Name: "Domestic", Enabled: true, Scope: api.ScopeAll, UserIDs: []string{}},
			{Zone: "nordic", Name: "Nordic countries", Enabled: true, Scope: api.ScopeSelected, UserIDs: []string{"u_bo"}},
			{Zone: "europe", Name: "Europe", UserIDs: []string{}}},
			MessageTypes: []api.SMSMessageType{{Type: "survey", Name: "Surveys", Allowed: true}, {Type: "answer_group", Name: "Answer groups"}}},
		centers: api.CostCenters{Enabled: true, CostCenters: []api.CostCenter{
			{ID: "cc_sales", Name: "Sales", Version: 1, UserIDs: []string{"u_cy"}},
			{ID: "cc_support", Name: "Support", Version: 2, UserIDs: []string{"u_bo"}}}},
		presence: api.DefaultPresence,
		reasons: []api.OrgReasonCode{{ReasonCode: api.ReasonCode{Code: "lunch", Label: "Lunch", Minutes: 45, Then: api.Online}, Version: 1},
			{ReasonCode: api.ReasonCode{Code: "old", Label: "Old reason", Retired: true}, Version: 3}},
		cats: []api.Category{{ID: "cat_office", Name: "Office", Version: 1, Options: []api.CategoryOption{
			{ID: "opt_sthlm", Name: "Stockholm", UserIDs: []string{"u_admin", "u_bo"}},
			{ID: "opt_malmo", Name: "Malmö", UserIDs: []string{"u_cy"}}}}},
		events: []api.AuditEvent{
			{ID: 12, At: fakeAt, ActorID: "u_admin", Actor: "Ada Admin", IP: "10.0.0.5", Action: "org.update", Resource: "org/org_demo",
				Field: "display_name", Old: "Demo", New: "Demo Contact Centre"},
			{ID: 11, At: fakeAt.Add(-time.Hour), ActorID: "u_bo", Actor: "Bo Agent", IP: "10.0.0.7", Action: "status.update",
				Resource: "user/u_bo/status", Field: "availability", Old: "offline", New: "online"}},
		csv:      []byte("id,at\n12,2026-11-23T08:00:00Z\n"),
		zoneSets: map[string]api.SMSZoneUpdate{},
		photos:   map[string][]byte{},
		invites: []api.Invitation{{ID: "inv_dan", Email: "dan@demo.test", DisplayName: "Dan New", License: "pro",
			Options: map[string]string{}, InvitedBy: "Ada Admin", SentCount: 1, CreatedAt: fakeAt, SentAt: fakeAt,
			ExpiresAt: fakeAt.Add(api.InvitationTTL)}},
	}
}

// call records a call and returns the error queued for it.
func (f *fakeOrg) call(name string) error {
	f.calls = append(f.calls, name)
	err := f.err
	f.err = nil
	return err
}

// bindingUntil is the demo organisation's refusal to downgrade.
var bindingUntil = &api.Reason{Code: api.ReasonBindingPeriod, Args: api.Args{"until": "2027-03-01"}}

var errStaleFake = &api.Error{Status: http.StatusPreconditionFailed, Code: api.CodeStale, Message: "changed elsewhere"}

func (f *fakeOrg) OrgSettings(context.Context) (api.OrgSettings, error) {
	return f.settings, f.call("settings")
}

func (f *fakeOrg) UpdateOrgSettings(_ context.Context, version int64, p api.OrgSettingsPatch) (api.OrgSettings, error) {
	if err := f.call("update settings"); err != nil {
		return api.OrgSettings{}, err
	}
	if version != f.settings.Version {
		return api.OrgSettings{}, errStaleFake
	}
	f.patches = append(f.patches, p)
	s := &f.settings
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	setB := func(dst *bool, v *bool) {
		if v != nil {
			*dst = *v
		}
	}
	set(&s.DisplayName, p.DisplayName)
	set(&s.TimeZone, p.TimeZone)
	set(&s.Language, p.Language)
	if p.Address != nil {
		s.Address = *p.Address
	}
	setB(&s.MembersChooseAvatar, p.MembersChooseAvatar)
	setB(&s.MembersChooseCover, p.MembersChooseCover)
	setB(&s.MembersChangeEmail, p.MembersChangeEmail)
	setB(&s.CostCentersEnabled, p.CostCentersEnabled)
	f.centers.Enabled = s.CostCentersEnabled
	s.Version++
	return *s, nil
}

func (f *fakeOrg) SetOrgPhoto(_ context.Context, kind string, version int64, image []byte) (api.OrgSettings, error) {
	if err := f.call("set " + kind); err != nil {
		return api.OrgSettings{}, err
	}
	f.photos[kind] = image
	if kind == api.PhotoAvatar {
		f.settings.HasAvatar = true
	} else {
		f.settings.HasCover = true
	}
	f.settings.Version++
	return f.settings, nil
}

func (f *fakeOrg) RemoveOrgPhoto(_ context.Context, kind string, version int64) (api.OrgSettings, error) {
	if err := f.call("remove " + kind); err != nil {
		return api.OrgSettings{}, err
	}
	if kind == api.PhotoAvatar {
		f.settings.HasAvatar = false
	} else {
		f.settings.HasCover = false
	}
	f.settings.Version++
	return f.settings, nil
}

func (f *fakeOrg) OrgPackage(context.Context) (api.PBXPackage, error) {
	return f.pkg, f.call("package")
}

func (f *fakeOrg) SetOrgPackage(_ context.Context, version int64, pkg string) (api.PBXPackage, error) {
	if err := f.call("set package " + pkg); err != nil {
		return api.PBXPackage{}, err
	}
	if pkg == api.PackageLight && !f.pkg.CanDowngrade {
		return api.PBXPackage{}, api.Refused(409, api.CodeConflict, f.pkg.DowngradeRefusal)
	}
	f.pkg.Package = pkg
	f.pkg.Version++
	return f.pkg, nil
}

func (f *fakeOrg) OrgLicenses(context.Context) (api.Licenses, error) {
	return f.licenses, f.call("licenses")
}
func (f *fakeOrg) OrgOrders(context.Context) ([]api.Order, error) { return f.orders, f.call("orders") }

func (f *fakeOrg) PlaceOrder(_ context.Context, items []api.OrderItem) (api.Order, error) {
	if err := f.call("order"); err != nil {
		return api.Order{}, err
	}
	f.orderItems = append(f.orderItems, items)
	o := api.Order{ID: "ord_2", At: fakeAt, By: "Ada Admin", Currency: "SEK"}
	for _, it := range items {
		for _, p := range f.licenses.Catalogue {
			if p.SKU == it.SKU {
				o.Lines = append(o.Lines, api.OrderLine{SKU: p.SKU, Name: p.Name, Quantity: it.Quantity, UnitPrice: p.UnitPrice, Total: it.Quantity * p.UnitPrice})
				o.Total += it.Quantity * p.UnitPrice
			}
		}
		for i := range f.licenses.Licenses {
			if l := &f.licenses.Licenses[i]; l.SKU == it.SKU {
				l.Total += it.Quantity
				l.Unassigned += it.Quantity
			}
		}
	}
	f.orders = append([]api.Order{o}, f.orders...)
	return o, nil
}

func (f *fakeOrg) user(id string) *api.OrgUser {
	i := slices.IndexFunc(f.users, func(u api.OrgUser) bool { return u.ID == id })
	return &f.users[i]
}

func (f *fakeOrg) AssignLicense(_ context.Context, userID, sku string) (api.OrgUser, error) {
	if err := f.call("assign " + userID + " " + sku); err != nil {
		return api.OrgUser{}, err
	}
	for i := range f.licenses.Licenses {
		if l := &f.licenses.Licenses[i]; l.SKU == sku {
			if l.Unassigned == 0 {
				return api.OrgUser{}, api.Refused(409, api.CodeConflict, &api.Reason{Code: api.ReasonAllAssigned, Args: api.Args{"product": l.Name}})
			}
			l.Assigned++
			l.Unassigned--
		}
	}
	u := f.user(userID)
	u.Licenses = append(u.Licenses, sku)
	return *u, nil
}

func (f *fakeOrg) UnassignLicense(_ context.Context, userID, sku string) (api.OrgUser, error) {
	if err := f.call("unassign " + userID + " " + sku); err != nil {
		return api.OrgUser{}, err
	}
	u := f.user(userID)
	u.Licenses = slices.DeleteFunc(u.Licenses, func(s string) bool { return s == sku })
	return *u, nil
}

func (f *fakeOrg) OrgUsers(_ context.Context, flt api.OrgUserFilter) ([]api.OrgUser, error) {
	if err := f.call("users"); err != nil {
		return nil, err
	}
	f.filters = append(f.filters, flt)
	var out []api.OrgUser
	for _, u := range f.users {
		if flt.Option != "" && !slices.Contains(mapValues(u.Options), flt.Option) {
			continue
		}
		out = append(out, u)
	}
	return out, nil
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func (f *fakeOrg) SetUserEmail(_ context.Context, userID string, version int64, email, password string) (api.OrgUser, error) {
	if err := f.call("email " + userID + " " + email); err != nil {
		return api.OrgUser{}, err
	}
	if password != "admin-password" {
		return api.OrgUser{}, &api.Error{Status: 422, Code: api.CodeInvalid, Message: "some fields are not valid",
			Fields: map[string]*api.Reason{"password": api.Because(api.ReasonWrongPassword)}}
	}
	u := f.user(userID)
	if version != u.ProfileVersion {
		return api.OrgUser{}, errStaleFake
	}
	u.Email = email
	u.ProfileVersion++
	return *u, nil
}

func (f *fakeOrg) GrantAdmin(_ context.Context, userID string) (api.OrgUser, error) {
	if err := f.call("grant " + userID); err != nil {
		return api.OrgUser{}, err
	}
	u := f.user(userID)
	u.Admin = true
	return *u, nil
}

func (f *fakeOrg) RevokeAdmin(_ context.Context, userID string) (api.OrgUser, error) {
	if err := f.call("revoke " + userID); err != nil {
		return api.OrgUser{}, err
	}
	u := f.user(userID)
	if u.Owner {
		return api.OrgUser{}, api.Refused(409, api.CodeConflict, api.Because(api.ReasonOwnerKeepsAdmin))
	}
	u.Admin = false
	return *u, nil
}

func (f *fakeOrg) OrgSMS(context.Context) (api.SMSSettings, error) { return f.sms, f.call("sms") }

func (f *fakeOrg) SetSMSZone(_ context.Context, version int64, zone string, u api.SMSZoneUpdate) (api.SMSSettings, error) {
	if err := f.call("zone " + zone); err != nil {
		return api.SMSSettings{}, err
	}
	if version != f.sms.Version {
		return api.SMSSettings{}, errStaleFake
	}
	f.zoneSets[zone] = u
	for i := range f.sms.Zones {
		if z := &f.sms.Zones[i]; z.Zone == zone {
			z.Enabled, z.Scope, z.UserIDs = u.Enabled, u.Scope, u.UserIDs
		}
	}
	f.sms.Version++
	return f.sms, nil
}

func (f *fakeOrg) SetSMSMessageTypes(_ context.Context, version int64, allowed []string) (api.SMSSettings, error) {
	if err := f.call("sms types"); err != nil {
		return api.SMSSettings{}, err
	}
	for i := range f.sms.MessageTypes {
		f.sms.MessageTypes[i].Allowed = slices.Contains(allowed, f.sms.MessageTypes[i].Type)
	}
	f.sms.Version++
	return f.sms, nil
}

func (f *fakeOrg) CostCenters(context.Context) (api.CostCenters, error) {
	return f.centers, f.call("cost centers")
}

func (f *fakeOrg) center(id string) *api.CostCenter {
	i := slices.IndexFunc(f.centers.CostCenters, func(c api.CostCenter) bool { return c.ID == id })
	return &f.centers.CostCenters[i]
}

func (f *fakeOrg) CreateCostCenter(_ context.Context, name string) (api.CostCenter, error) {
	if err := f.call("create cost center " + name); err != nil {
		return api.CostCenter{}, err
	}
	c := api.CostCenter{ID: "cc_new", Name: name, Version: 1, UserIDs: []string{}}
	f.centers.CostCenters = append(f.centers.CostCenters, c)
	return c, nil
}

func (f *fakeOrg) RenameCostCenter(_ context.Context, id string, version int64, name string) (api.CostCenter, error) {
	if err := f.call("rename cost center " + id + " " + name); err != nil {
		return api.CostCenter{}, err
	}
	c := f.center(id)
	if version != c.Version {
		return api.CostCenter{}, errStaleFake
	}
	c.Name = name
	c.Version++
	return *c, nil
}

func (f *fakeOrg) RemoveCostCenter(_ context.Context, id string) error {
	if err := f.call("remove cost center " + id); err != nil {
		return err
	}
	f.centers.CostCenters = slices.DeleteFunc(f.centers.CostCenters, func(c api.CostCenter) bool { return c.ID == id })
	return nil
}

func (f *fakeOrg) SetCostCenterUsers(_ context.Context, id string, version int64, ids []string) (api.CostCenter, error) {
	if err := f.call("cost center users " + id); err != nil {
		return api.CostCenter{}, err
	}
	c := f.center(id)
	c.UserIDs = ids
	c.Version++
	return *c, nil
}

func (f *fakeOrg) OrgReasonCodes(context.Context) ([]api.OrgReasonCode, error) {
	return f.reasons, f.call("reasons")
}

func (f *fakeOrg) CreateReasonCode(_ context.Context, label string) (api.OrgReasonCode, error) {
	if err := f.call("create reason " + label); err != nil {
		return api.OrgReasonCode{}, err
	}
	rc := api.OrgReasonCode{ReasonCode: api.ReasonCode{Code: "new", Label: label}, Version: 1}
	f.reasons = append(f.reasons, rc)
	return rc, nil
}

func (f *fakeOrg) UpdateReasonCode(_ context.Context, code string, version int64, p api.ReasonCodePatch) (api.OrgReasonCode, error) {
	if err := f.call("update reason " + code); err != nil {
		return api.OrgReasonCode{}, err
	}
	i := slices.IndexFunc(f.reasons, func(rc api.OrgReasonCode) bool { return rc.Code == code })
	rc := &f.reasons[i]
	if version != rc.Version {
		return api.OrgReasonCode{}, errStaleFake
	}
	if p.Label != nil {
		rc.Label = *p.Label
	}
	if p.Retired != nil {
		rc.Retired = *p.Retired
	}
	if p.Minutes != nil {
		rc.Minutes = *p.Minutes
	}
	if p.Then != nil {
		rc.Then = *p.Then
	}
	rc.Version++
	return *rc, nil
}

func (f *fakeOrg) OrgPresence(context.Context) (api.Presence, error) {
	return f.presence, f.call("presence")
}

func (f *fakeOrg) SetOrgPresence(_ context.Context, version int64, u api.PresenceUpdate) (api.Presence, error) {
	if err := f.call("set presence"); err != nil {
		return api.Presence{}, err
	}
	if version != f.presence.Version {
		return api.Presence{}, errStaleFake
	}
	f.presence = api.Presence{Version: version + 1, LockAway: u.LockAway, AwayReasonCode: u.AwayReasonCode, IdleMinutes: u.IdleMinutes, AutoOnline: u.AutoOnline}
	return f.presence, nil
}

func (f *fakeOrg) Categories(context.Context) ([]api.Category, error) {
	return f.cats, f.call("structure")
}

func (f *fakeOrg) CreateCategory(_ context.Context, name string, options []string) (api.Category, error) {
	if err := f.call("create category " + name); err != nil {
		return api.Category{}, err
	}
	c := api.Category{ID: "cat_new", Name: name, Version: 1, Options: []api.CategoryOption{}}
	for _, o := range options {
		c.Options = append(c.Options, api.CategoryOption{ID: "opt_" + o, Name: o, UserIDs: []string{}})
	}
	f.cats = append(f.cats, c)
	return c, nil
}

func (f *fakeOrg) cat(id string) *api.Category {
	i := slices.IndexFunc(f.cats, func(c api.Category) bool { return c.ID == id })
	return &f.cats[i]
}

func (f *fakeOrg) UpdateCategory(_ context.Context, id string, version int64, p api.CategoryPatch) (api.Category, error) {
	if err := f.call("update category " + id); err != nil {
		return api.Category{}, err
	}
	c := f.cat(id)
	if version != c.Version {
		return api.Category{}, errStaleFake
	}
	f.catPatches = append(f.catPatches, p)
	if p.Name != nil {
		c.Name = *p.Name
	}
	c.Options = slices.DeleteFunc(c.Options, func(o api.CategoryOption) bool { return slices.Contains(p.RemoveOptions, o.ID) })
	for _, n := range p.AddOptions {
		c.Options = append(c.Options, api.CategoryOption{ID: "opt_" + n, Name: n, UserIDs: []string{}})
	}
	c.Version++
	return *c, nil
}

func (f *fakeOrg) RemoveCategory(_ context.Context, id string) error {
	if err := f.call("remove category " + id); err != nil {
		return err
	}
	f.cats = slices.DeleteFunc(f.cats, func(c api.Category) bool { return c.ID == id })
	return nil
}

func (f *fakeOrg) SetOptionUsers(_ context.Context, categoryID, optionID string, version int64, ids []string) (api.Category, error) {
	if err := f.call("option users " + optionID); err != nil {
		return api.Category{}, err
	}
	c := f.cat(categoryID)
	for i := range c.Options {
		if c.Options[i].ID == optionID {
			c.Options[i].UserIDs = ids
		} else {
			c.Options[i].UserIDs = slices.DeleteFunc(c.Options[i].UserIDs, func(u string) bool { return slices.Contains(ids, u) })
		}
	}
	c.Version++
	return *c, nil
}

func (f *fakeOrg) AuditLog(_ context.Context, q api.AuditQuery) (api.AuditPage, error) {
	if err := f.call("audit"); err != nil {
		return api.AuditPage{}, err
	}
	f.queries = append(f.queries, q)
	var out []api.AuditEvent
	for _, ev := range f.events {
		if (q.Before == 0 || ev.ID < q.Before) && (q.User == "" || ev.ActorID == q.User) && len(out) < q.Limit {
			out = append(out, ev)
		}
	}
	p := api.AuditPage{Events: out}
	if len(out) == q.Limit {
		p.NextBefore = out[len(out)-1].ID
	}
	return p, nil
}

func (f *fakeOrg) ExportAuditCSV(_ context.Context, q api.AuditQuery) ([]byte, error) {
	if err := f.call("export"); err != nil {
		return nil, err
	}
	f.queries = append(f.queries, q)
	return f.csv, nil
}
