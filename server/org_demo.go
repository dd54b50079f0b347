package server

import (
	"context"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server/store"
)

// demoProducts is the demo org's price list (SEK, in öre).
var demoProducts = []api.Product{
	{SKU: api.LicensePro, Kind: api.ProductLicense, Name: "Pro license", UnitPrice: 24900, Currency: "SEK"},
	{SKU: api.LicenseMobile, Kind: api.ProductLicense, Name: "Mobile license", UnitPrice: 9900, Currency: "SEK"},
	{SKU: "recording", Kind: api.ProductAddOn, Name: "Call recording", UnitPrice: 4900, Currency: "SEK"},
	{SKU: "wallboard", Kind: api.ProductAddOn, Name: "Wallboard", UnitPrice: 14900, Currency: "SEK"},
	{SKU: "sms_1000", Kind: api.ProductAddOn, Name: "SMS bundle (1,000)", UnitPrice: 39000, Currency: "SEK"},
}

// seedOrgDemo gives the demo org what its admins manage: company details,
// a contract past its binding period, licenses and add-ons, system SMS,
// cost centers and an organisation structure.
func (s *Server) seedOrgDemo(ctx context.Context, q store.Q, orgID string, now time.Time) error {
	admin, agent1, agent2 := demoUsers[0].id, demoUsers[1].id, demoUsers[2].id
	if err := q.SetOrgCompany(ctx, orgID, "Demo Contact Centre AB", "556677-8899", admin); err != nil {
		return err
	}
	o, err := q.OrgProfileByID(ctx, orgID)
	if err != nil {
		return err
	}
	o.Address = api.Address{Street: "Storgatan 1", PostalCode: "111 22", City: "Stockholm", Country: "Sweden"}
	o.CostCentersEnabled = true
	if err := q.SaveOrgSettings(ctx, o, o.SettingsVersion); err != nil {
		return err
	}
	if err := q.SetOrgContract(ctx, orgID, now.AddDate(-2, 0, 0), time.Time{}, now.AddDate(0, -1, 0)); err != nil {
		return err
	}
	held := map[string]int64{api.LicensePro: 5, api.LicenseMobile: 3, "recording": 1}
	for i, p := range demoProducts {
		if err := q.PutProduct(ctx, orgID, p, i); err != nil {
			return err
		}
		if n := held[p.SKU]; n > 0 {
			if err := q.AddHolding(ctx, orgID, p.SKU, n); err != nil {
				return err
			}
		}
	}
	for _, l := range []struct{ user, sku string }{{admin, api.LicensePro}, {agent1, api.LicensePro}, {agent1, api.LicenseMobile}, {agent2, api.LicensePro}} {
		if _, err := q.AssignLicense(ctx, l.user, l.sku, now); err != nil {
			return err
		}
	}
	if err := q.PutSMSZone(ctx, orgID, "domestic", store.SMSZoneState{Scope: api.ScopeAll}); err != nil {
		return err
	}
	if err := q.PutSMSZone(ctx, orgID, "nordic", store.SMSZoneState{Scope: api.ScopeSelected, UserIDs: []string{agent1}}); err != nil {
		return err
	}
	if err := q.SetSMSTypes(ctx, orgID, []string{"answer_group", "survey"}); err != nil {
		return err
	}
	for _, c := range []struct{ id, name, user string }{{"cc_demo_sales", "Sales", agent2}, {"cc_demo_support", "Support", agent1}} {
		if err := q.CreateCostCenter(ctx, orgID, &api.CostCenter{ID: c.id, Name: c.name}, now); err != nil {
			return err
		}
		if err := q.SetCostCenterUsers(ctx, c.id, []string{c.user}); err != nil {
			return err
		}
	}
	office := &api.Category{ID: "cat_demo_office", Name: "Office"}
	if err := q.CreateCategory(ctx, orgID, office, now); err != nil {
		return err
	}
	for _, opt := range []struct {
		id, name string
		users    []string
	}{{"opt_demo_sthlm", "Stockholm", []string{admin, agent1}}, {"opt_demo_malmo", "Malmö", []string{agent2}}} {
		if err := q.AddOption(ctx, office.ID, api.CategoryOption{ID: opt.id, Name: opt.name}); err != nil {
			return err
		}
		if err := q.SetOptionUsers(ctx, office.ID, opt.id, opt.users); err != nil {
			return err
		}
	}
	// The admin supervises both offices, so the Supervisor page has agents.
	if err := q.Grant(ctx, admin, api.PermSupervisor); err != nil {
		return err
	}
	return q.SetSupervisorScope(ctx, admin, []string{"opt_demo_sthlm", "opt_demo_malmo"})
}
