package server

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server/store"
)

// maxOrderItems caps the lines of one order.
const maxOrderItems = 20

// licenseUse is, per SKU, how many the org holds, has assigned to users
// and holds for pending invitations.
type licenseUse struct{ held, assigned, invited map[string]int64 }

func (s *Server) licenseUse(ctx context.Context, q store.Q, orgID string) (licenseUse, error) {
	var u licenseUse
	var err error
	if u.held, err = q.Holdings(ctx, orgID); err != nil {
		return u, err
	}
	if u.assigned, err = q.AssignedLicenses(ctx, orgID); err != nil {
		return u, err
	}
	u.invited, err = q.ReservedLicenses(ctx, orgID, s.now())
	return u, err
}

// free is how many licenses of sku are neither assigned nor held for an
// invitation.
func (u licenseUse) free(sku string) int64 {
	return max(0, u.held[sku]-u.assigned[sku]-u.invited[sku])
}

func (s *Server) licensesView(ctx context.Context, q store.Q, orgID string) (api.Licenses, error) {
	v := api.Licenses{Licenses: []api.LicenseCount{}, AddOns: []api.AddOn{}}
	var err error
	if v.Catalogue, err = q.Products(ctx, orgID); err != nil {
		return v, err
	}
	use, err := s.licenseUse(ctx, q, orgID)
	if err != nil {
		return v, err
	}
	for _, p := range v.Catalogue {
		if p.Kind == api.ProductLicense {
			v.Licenses = append(v.Licenses, api.LicenseCount{SKU: p.SKU, Name: p.Name, Total: use.held[p.SKU],
				Assigned: use.assigned[p.SKU], Invited: use.invited[p.SKU], Unassigned: use.free(p.SKU)})
		} else {
			v.AddOns = append(v.AddOns, api.AddOn{SKU: p.SKU, Name: p.Name, Quantity: use.held[p.SKU]})
		}
	}
	return v, nil
}

func (s *Server) getLicenses(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	v, err := s.licensesView(r.Context(), s.st.Q(), a.OrgID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) listOrders(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	orders, err := s.st.Q().Orders(r.Context(), a.OrgID, 100)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, orders)
	return nil
}

// createOrder records a purchase of licenses and add-ons at the contract
// prices; what was bought is the org's at once. Payment follows the
// contract's invoicing, outside Phoneset.
func (s *Server) createOrder(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	req, err := decode[api.OrderRequest](w, r)
	if err != nil {
		return err
	}
	if len(req.Items) == 0 || len(req.Items) > maxOrderItems {
		return api.Invalid(map[string]*api.Reason{api.FieldItems: {Code: api.ReasonCountRange, Args: api.Args{"min": 1, "max": maxOrderItems}}})
	}
	ctx := r.Context()
	order := api.Order{ID: newID("ord"), At: s.now().UTC(), ByID: a.UserID, By: a.user.DisplayName}
	err = s.orgTx(ctx, a, func(q store.Q) error {
		catalogue, err := q.Products(ctx, a.OrgID)
		if err != nil {
			return err
		}
		held, err := q.Holdings(ctx, a.OrgID)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for i, it := range req.Items {
			field := "items[" + strconv.Itoa(i) + "]"
			var p *api.Product
			for j := range catalogue {
				if catalogue[j].SKU == it.SKU {
					p = &catalogue[j]
				}
			}
			switch {
			case p == nil:
				return api.Invalid(map[string]*api.Reason{field: api.Because(api.ReasonNotOnPriceList)})
			case seen[it.SKU]:
				return api.Invalid(map[string]*api.Reason{field: {Code: api.ReasonDuplicate, Args: api.Args{"value": it.SKU}}})
			case it.Quantity < 1 || it.Quantity > api.MaxOrderQuantity:
				return api.Invalid(map[string]*api.Reason{field: {Code: api.ReasonQuantityRange, Args: api.Args{"min": 1, "max": api.MaxOrderQuantity}}})
			case order.Currency != "" && p.Currency != order.Currency:
				return api.Invalid(map[string]*api.Reason{field: api.Because(api.ReasonOtherCurrency)})
			}
			seen[it.SKU] = true
			order.Currency = p.Currency
			line := api.OrderLine{SKU: p.SKU, Name: p.Name, Quantity: it.Quantity, UnitPrice: p.UnitPrice, Total: it.Quantity * p.UnitPrice}
			order.Lines = append(order.Lines, line)
			order.Total += line.Total
		}
		if err := q.CreateOrder(ctx, a.OrgID, &order); err != nil {
			return err
		}
		var d diff
		for _, l := range order.Lines {
			if err := q.AddHolding(ctx, a.OrgID, l.SKU, l.Quantity); err != nil {
				return err
			}
			d.str(l.SKU, itoa(held[l.SKU]), itoa(held[l.SKU]+l.Quantity))
		}
		d.str("total", "", itoa(order.Total)+" "+order.Currency)
		return s.orgAudit(ctx, q, a, "order.create", a.orgRes("orders/"+order.ID), d)
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, order)
	return nil
}

// licenseSKU reads {sku} of a license route: one of the org's licenses.
func licenseSKU(ctx context.Context, q store.Q, orgID, sku string) (api.Product, error) {
	ps, err := q.Products(ctx, orgID)
	if err != nil {
		return api.Product{}, err
	}
	for _, p := range ps {
		if p.SKU == sku && p.Kind == api.ProductLicense {
			return p, nil
		}
	}
	return api.Product{}, &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound, Message: "your organisation has no such license"}
}

// assignLicense gives a member one of the org's unassigned licenses.
func (s *Server) assignLicense(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	return s.changeLicense(w, r, a, true)
}

// unassignLicense takes a license back from a member.
func (s *Server) unassignLicense(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	return s.changeLicense(w, r, a, false)
}

func (s *Server) changeLicense(w http.ResponseWriter, r *http.Request, a *adminCall, assign bool) error {
	ctx := r.Context()
	id, sku := r.PathValue("id"), r.PathValue("sku")
	err := s.orgTx(ctx, a, func(q store.Q) error {
		u, err := s.orgUser(ctx, q, a.OrgID, id)
		if err != nil {
			return err
		}
		if assign && u.Deactivated {
			return refuse(api.FieldID, api.Because(api.ReasonUserDeactivated))
		}
		p, err := licenseSKU(ctx, q, a.OrgID, sku)
		if err != nil {
			return err
		}
		if !assign {
			removed, err := q.UnassignLicense(ctx, id, sku)
			if err != nil || !removed {
				return err
			}
			return s.orgAudit(ctx, q, a, "license.unassign", userRes(id, "licenses"), diff{{sku, "assigned", "unassigned"}})
		}
		// Licenses held for pending invitations are taken too.
		use, err := s.licenseUse(ctx, q, a.OrgID)
		if err != nil {
			return err
		}
		added, err := q.AssignLicense(ctx, id, sku, s.now())
		if err != nil || !added {
			return err
		}
		if use.free(sku) < 1 {
			return refuse(api.FieldSKU, &api.Reason{Code: api.ReasonAllAssigned, Args: api.Args{"product": p.Name}})
		}
		return s.orgAudit(ctx, q, a, "license.assign", userRes(id, "licenses"), diff{{sku, "unassigned", "assigned"}})
	})
	if err != nil {
		return err
	}
	return s.writeOrgUser(ctx, w, a.OrgID, id)
}

// packagePlanNames are the plan names PBX packages are stored as, which
// GET /v1/me/plan shows.
var packagePlanNames = map[string]string{api.PackageLight: "Light", api.PackageUnlimited: "Unlimited"}

// downgradeRefusal says why the org cannot move to a smaller package now,
// or nil.
func downgradeRefusal(o *store.OrgProfile, now time.Time) *api.Reason {
	if !o.ContractOngoing(now) {
		return api.Because(api.ReasonNoContract)
	}
	if now.Before(o.BindingEndsAt) {
		return &api.Reason{Code: api.ReasonBindingPeriod, Args: api.Args{"until": o.BindingEndsAt.Format(time.DateOnly)}}
	}
	return nil
}

func (s *Server) packageView(o *store.OrgProfile) api.PBXPackage {
	now := s.now()
	pkg := strings.ToLower(o.PlanName)
	v := api.PBXPackage{Version: o.PackageVersion, Package: pkg,
		Contract: api.Contract{Ongoing: o.ContractOngoing(now), StartedAt: o.ContractStartedAt,
			EndsAt: o.ContractEndsAt, BindingEndsAt: o.BindingEndsAt},
		DowngradeRefusal: downgradeRefusal(o, now)}
	v.CanDowngrade = v.DowngradeRefusal == nil && slices.Index(api.Packages, pkg) > 0
	return v
}

func (s *Server) getPackage(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	o, err := s.st.Q().OrgProfileByID(r.Context(), a.OrgID)
	if err != nil {
		return err
	}
	v := s.packageView(o)
	writeVersioned(w, http.StatusOK, v.Version, v)
	return nil
}

// putPackage moves to another PBX package: up at any time, down only with
// an ongoing contract outside its binding period.
func (s *Server) putPackage(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	req, version, err := conditional[api.PackageChange](w, r)
	if err != nil {
		return err
	}
	to := slices.Index(api.Packages, req.Package)
	if to < 0 {
		return api.Invalid(map[string]*api.Reason{api.FieldPackage: api.OneOf(req.Package, api.Packages...)})
	}
	ctx := r.Context()
	var o *store.OrgProfile
	err = s.st.Tx(ctx, func(q store.Q) error {
		if o, err = q.OrgProfileByID(ctx, a.OrgID); err != nil {
			return err
		}
		current := strings.ToLower(o.PlanName)
		if err := checkWrite(o.PackageVersion, version, current == req.Package); err != nil || current == req.Package {
			return err
		}
		if to < slices.Index(api.Packages, current) {
			if why := downgradeRefusal(o, s.now()); why != nil {
				return refuse(api.FieldPackage, why)
			}
		}
		if err := q.SetOrgPackage(ctx, a.OrgID, packagePlanNames[req.Package], version); err != nil {
			return err
		}
		o.PlanName, o.PackageVersion = packagePlanNames[req.Package], version+1
		return s.orgAudit(ctx, q, a, "org.package.change", a.orgRes("package"), diff{{api.FieldPackage, current, req.Package}})
	})
	if err != nil && !errors.Is(err, errApplied) {
		return err
	}
	v := s.packageView(o)
	writeVersioned(w, http.StatusOK, v.Version, v)
	return nil
}
