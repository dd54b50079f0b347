package server_test

import (
	"slices"
	"testing"

	"github.com/phoneset/phoneset/api"
)

func licenseCount(t *testing.T, l api.Licenses, sku string) api.LicenseCount {
	t.Helper()
	i := slices.IndexFunc(l.Licenses, func(c api.LicenseCount) bool { return c.SKU == sku })
	if i < 0 {
		t.Fatalf("no %s licenses in %+v", sku, l)
	}
	return l.Licenses[i]
}

func TestOrgOrders(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		adm := e.admin()
		l, _ := orgGet[api.Licenses](t, e, adm, "/v1/org/licenses")
		if pro := licenseCount(t, l, api.LicensePro); pro.Total != 5 || pro.Assigned != 3 || pro.Unassigned != 2 {
			t.Errorf("pro = %+v", pro)
		}
		if mob := licenseCount(t, l, api.LicenseMobile); mob.Total != 3 || mob.Assigned != 1 || mob.Unassigned != 2 {
			t.Errorf("mobile = %+v", mob)
		}
		if len(l.AddOns) != 3 || len(l.Catalogue) != 5 || l.Catalogue[0].UnitPrice != 24900 {
			t.Errorf("add-ons %+v, catalogue %+v", l.AddOns, l.Catalogue)
		}
		for _, tt := range []struct {
			name  string
			items []api.OrderItem
			field string
		}{
			{"nothing", nil, "items"},
			{"unknown product", []api.OrderItem{{SKU: "yacht", Quantity: 1}}, "items[0]"},
			{"zero", []api.OrderItem{{SKU: api.LicensePro, Quantity: 0}}, "items[0]"},
			{"too many", []api.OrderItem{{SKU: api.LicensePro, Quantity: api.MaxOrderQuantity + 1}}, "items[0]"},
			{"repeated", []api.OrderItem{{SKU: api.LicensePro, Quantity: 1}, {SKU: api.LicensePro, Quantity: 2}}, "items[1]"},
		} {
			r := e.do(req{method: "POST", path: "/v1/org/orders", token: adm.AccessToken, body: api.OrderRequest{Items: tt.items}})
			if ae := wantError(t, r, 422, api.CodeInvalid); ae.Fields[tt.field] == nil {
				t.Errorf("%s: fields %v", tt.name, ae.Fields)
			}
		}
		order := api.OrderRequest{Items: []api.OrderItem{{SKU: api.LicensePro, Quantity: 2}, {SKU: "wallboard", Quantity: 1}}}
		key := map[string]string{api.HeaderIdempotencyKey: "order-1"}
		r := e.do(req{method: "POST", path: "/v1/org/orders", token: adm.AccessToken, body: order, header: key})
		wantStatus(t, r, 201)
		var o api.Order
		r.decode(t, &o)
		if o.Total != 2*24900+14900 || o.Currency != "SEK" || len(o.Lines) != 2 || o.Lines[0].Total != 49800 || o.By != "Ada Admin" {
			t.Fatalf("order = %+v", o)
		}
		// A retry with the key replays the order instead of buying twice.
		r = e.do(req{method: "POST", path: "/v1/org/orders", token: adm.AccessToken, body: order, header: key})
		var again api.Order
		r.decode(t, &again)
		if r.status != 201 || again.ID != o.ID || r.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("retry: %d %+v", r.status, again)
		}
		l, _ = orgGet[api.Licenses](t, e, adm, "/v1/org/licenses")
		if pro := licenseCount(t, l, api.LicensePro); pro.Total != 7 || pro.Unassigned != 4 {
			t.Errorf("pro after order = %+v", pro)
		}
		if i := slices.IndexFunc(l.AddOns, func(a api.AddOn) bool { return a.SKU == "wallboard" }); l.AddOns[i].Quantity != 1 {
			t.Errorf("add-ons after order = %+v", l.AddOns)
		}
		orders, _ := orgGet[[]api.Order](t, e, adm, "/v1/org/orders")
		if len(orders) != 1 || orders[0].ID != o.ID || len(orders[0].Lines) != 2 || orders[0].Lines[1].Name != "Wallboard" {
			t.Errorf("orders = %+v", orders)
		}
		evs := auditEvents(t, e, "org/"+e.demo.OrgID+"/orders/"+o.ID)
		if !hasEvent(evs, "order.create", api.LicensePro, "5", "7") || !hasEvent(evs, "order.create", "total", "", "64700 SEK") {
			t.Errorf("order events %+v", evs)
		}
	})
}

func TestOrgLicenseAssignment(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		adm := e.admin()
		agent2 := e.demo.Agents[1].ID
		mobile := "/v1/org/users/" + agent2 + "/licenses/" + api.LicenseMobile
		r := e.orgWrite(adm, "PUT", mobile, 0, nil)
		wantStatus(t, r, 200)
		var u api.OrgUser
		r.decode(t, &u)
		if !slices.Equal(u.Licenses, []string{api.LicenseMobile, api.LicensePro}) {
			t.Fatalf("licenses after assign: %v", u.Licenses)
		}
		wantStatus(t, e.orgWrite(adm, "PUT", mobile, 0, nil), 200) // held already: no second license
		l, _ := orgGet[api.Licenses](t, e, adm, "/v1/org/licenses")
		if mob := licenseCount(t, l, api.LicenseMobile); mob.Assigned != 2 || mob.Unassigned != 1 {
			t.Errorf("mobile = %+v", mob)
		}
		// None left: refused until one is bought or freed.
		if _, err := e.srv.Store().DB().Exec(`UPDATE org_holdings SET quantity = 2 WHERE sku = 'mobile'`); err != nil {
			t.Fatal(err)
		}
		adminMobile := "/v1/org/users/" + e.demo.Admins[0].ID + "/licenses/" + api.LicenseMobile
		wantError(t, e.orgWrite(adm, "PUT", adminMobile, 0, nil), 409, api.CodeConflict)
		wantStatus(t, e.orgWrite(adm, "DELETE", mobile, 0, nil), 200)
		wantStatus(t, e.orgWrite(adm, "DELETE", mobile, 0, nil), 200) // gone already
		wantStatus(t, e.orgWrite(adm, "PUT", adminMobile, 0, nil), 200)

		wantError(t, e.orgWrite(adm, "PUT", "/v1/org/users/"+agent2+"/licenses/recording", 0, nil), 404, api.CodeNotFound)
		wantError(t, e.orgWrite(adm, "PUT", "/v1/org/users/usr_elsewhere/licenses/pro", 0, nil), 404, api.CodeNotFound)

		users, _ := orgGet[[]api.OrgUser](t, e, adm, "/v1/org/users?license=mobile")
		if len(users) != 2 || users[0].DisplayName != "Ada Admin" || users[1].DisplayName != "Bo Agent" {
			t.Errorf("mobile holders %+v", users)
		}
		evs := auditEvents(t, e, "user/"+agent2+"/licenses")
		if !hasEvent(evs, "license.assign", api.LicenseMobile, "unassigned", "assigned") ||
			!hasEvent(evs, "license.unassign", api.LicenseMobile, "assigned", "unassigned") || len(evs) != 2 {
			t.Errorf("license events %+v", evs)
		}
	})
}
