package server

import (
	"context"
	"errors"
	"net/http"
	"slices"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server/store"
)

var errCostCentersOff = refuse(api.FieldCostCentersEnabled, api.Because(api.ReasonCostCentersOff))

func (s *Server) getCostCenters(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	ctx := r.Context()
	o, err := s.st.Q().OrgProfileByID(ctx, a.OrgID)
	if err != nil {
		return err
	}
	cs, err := s.st.Q().CostCenters(ctx, a.OrgID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.CostCenters{Enabled: o.CostCentersEnabled, CostCenters: cs})
	return nil
}

// costCenterTx runs fn for a change of cost centers, which needs them
// activated.
func (s *Server) costCenterTx(ctx context.Context, a *adminCall, fn func(q store.Q) error) error {
	return s.orgTx(ctx, a, func(q store.Q) error {
		o, err := q.OrgProfileByID(ctx, a.OrgID)
		if err != nil {
			return err
		}
		if !o.CostCentersEnabled {
			return errCostCentersOff
		}
		return fn(q)
	})
}

func (s *Server) createCostCenter(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	req, err := decode[api.NameRequest](w, r)
	if err != nil {
		return err
	}
	if err := validName(api.FieldName, &req.Name); err != nil {
		return err
	}
	ctx := r.Context()
	c := api.CostCenter{ID: newID("cc"), Name: req.Name, UserIDs: []string{}}
	err = s.costCenterTx(ctx, a, func(q store.Q) error {
		if err := q.CreateCostCenter(ctx, a.OrgID, &c, s.now()); err != nil {
			return takenName(err, api.FieldName)
		}
		return s.orgAudit(ctx, q, a, "cost_center.create", a.orgRes("cost-centers/"+c.ID), diff{{api.FieldName, "", c.Name}})
	})
	if err != nil {
		return err
	}
	writeVersioned(w, http.StatusCreated, c.Version, c)
	return nil
}

func (s *Server) renameCostCenter(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	req, version, err := conditional[api.NameRequest](w, r)
	if err != nil {
		return err
	}
	if err := validName(api.FieldName, &req.Name); err != nil {
		return err
	}
	ctx := r.Context()
	id := r.PathValue("id")
	err = s.costCenterTx(ctx, a, func(q store.Q) error {
		c, err := q.CostCenter(ctx, a.OrgID, id)
		if err != nil {
			return err
		}
		if err := checkWrite(c.Version, version, c.Name == req.Name); err != nil || c.Name == req.Name {
			return err
		}
		if err := q.RenameCostCenter(ctx, a.OrgID, id, req.Name, version); err != nil {
			return takenName(err, api.FieldName)
		}
		return s.orgAudit(ctx, q, a, "cost_center.rename", a.orgRes("cost-centers/"+id), diff{{api.FieldName, c.Name, req.Name}})
	})
	if err != nil && !errors.Is(err, errApplied) {
		return err
	}
	return s.writeCostCenter(ctx, w, a.OrgID, id)
}

func (s *Server) writeCostCenter(ctx context.Context, w http.ResponseWriter, orgID, id string) error {
	c, err := s.st.Q().CostCenter(ctx, orgID, id)
	if err != nil {
		return err
	}
	writeVersioned(w, http.StatusOK, c.Version, c)
	return nil
}

// deleteCostCenter removes a cost center; its users are left in none.
func (s *Server) deleteCostCenter(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	ctx := r.Context()
	id := r.PathValue("id")
	err := s.costCenterTx(ctx, a, func(q store.Q) error {
		c, err := q.CostCenter(ctx, a.OrgID, id)
		if err != nil {
			return err
		}
		for _, u := range c.UserIDs {
			if err := s.orgAudit(ctx, q, a, "cost_center.unassign", userRes(u, "cost-center"), diff{{api.FieldCostCenter, c.Name, ""}}); err != nil {
				return err
			}
		}
		if err := q.DeleteCostCenter(ctx, a.OrgID, id); err != nil {
			return err
		}
		return s.orgAudit(ctx, q, a, "cost_center.delete", a.orgRes("cost-centers/"+id), diff{{api.FieldName, c.Name, ""}})
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// setCostCenterUsers makes the given users exactly the cost center's,
// moving them out of their previous one.
func (s *Server) setCostCenterUsers(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	req, version, err := conditional[api.UserIDsRequest](w, r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	id := r.PathValue("id")
	err = s.costCenterTx(ctx, a, func(q store.Q) error {
		ids, _, err := knownUsers(ctx, q, a.OrgID, api.FieldUserIDs, req.UserIDs)
		if err != nil {
			return err
		}
		all, err := q.CostCenters(ctx, a.OrgID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(all, func(c api.CostCenter) bool { return c.ID == id })
		if i < 0 {
			return store.ErrNotFound
		}
		c := all[i]
		same := slices.Equal(c.UserIDs, ids)
		if err := checkWrite(c.Version, version, same); err != nil || same {
			return err
		}
		// Where each user is now, to record the move and bump the
		// cost centers they leave.
		where := map[string]api.CostCenter{}
		for _, cc := range all {
			for _, u := range cc.UserIDs {
				where[u] = cc
			}
		}
		if err := q.SetCostCenterUsers(ctx, id, ids); err != nil {
			return err
		}
		if err := q.BumpCostCenter(ctx, a.OrgID, id); err != nil {
			return err
		}
		for _, u := range ids {
			prev, ok := where[u]
			if ok && prev.ID == id {
				continue
			}
			if ok {
				if err := q.BumpCostCenter(ctx, a.OrgID, prev.ID); err != nil {
					return err
				}
			}
			if err := s.orgAudit(ctx, q, a, "cost_center.assign", userRes(u, "cost-center"), diff{{api.FieldCostCenter, prev.Name, c.Name}}); err != nil {
				return err
			}
		}
		for _, u := range c.UserIDs {
			if !slices.Contains(ids, u) {
				if err := s.orgAudit(ctx, q, a, "cost_center.unassign", userRes(u, "cost-center"), diff{{api.FieldCostCenter, c.Name, ""}}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, errApplied) {
		return err
	}
	return s.writeCostCenter(ctx, w, a.OrgID, id)
}
