package server

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server/store"
)

// System SMS.

func (s *Server) smsView(ctx context.Context, q store.Q, orgID string) (api.SMSSettings, error) {
	o, err := q.OrgProfileByID(ctx, orgID)
	if err != nil {
		return api.SMSSettings{}, err
	}
	zones, err := q.SMSZones(ctx, orgID)
	if err != nil {
		return api.SMSSettings{}, err
	}
	allowed, err := q.SMSTypesAllowed(ctx, orgID)
	if err != nil {
		return api.SMSSettings{}, err
	}
	v := api.SMSSettings{Version: o.SMSVersion}
	for _, z := range api.SMSZones {
		st := zones[z.Zone]
		if st.UserIDs == nil {
			st.UserIDs = []string{}
		}
		v.Zones = append(v.Zones, api.SMSZone{Zone: z.Zone, Name: z.Name, Enabled: st.Scope != "", Scope: st.Scope, UserIDs: st.UserIDs})
	}
	for _, t := range api.SMSTypes {
		v.MessageTypes = append(v.MessageTypes, api.SMSMessageType{Type: t.Type, Name: t.Name, Allowed: slices.Contains(allowed, t.Type)})
	}
	return v, nil
}

func (s *Server) writeSMS(ctx context.Context, w http.ResponseWriter, orgID string) error {
	v, err := s.smsView(ctx, s.st.Q(), orgID)
	if err != nil {
		return err
	}
	writeVersioned(w, http.StatusOK, v.Version, v)
	return nil
}

func (s *Server) getSMS(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	return s.writeSMS(r.Context(), w, a.OrgID)
}

// smsWrite runs a change of the SMS settings at version: change returns
// what it changed, and nothing changed with a stale version is a retry.
func (s *Server) smsWrite(w http.ResponseWriter, r *http.Request, a *adminCall, change func(q store.Q) (diff, string, error)) error {
	version, err := ifMatch(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	err = s.st.Tx(ctx, func(q store.Q) error {
		o, err := q.OrgProfileByID(ctx, a.OrgID)
		if err != nil {
			return err
		}
		if o.SMSVersion != version {
			// Whether the change is a no-op decides between 412 and a retry.
			d, _, err := change(q)
			if err != nil {
				return err
			}
			return checkWrite(o.SMSVersion, version, len(d) == 0)
		}
		d, resource, err := change(q)
		if err != nil || len(d) == 0 {
			return err
		}
		if err := q.BumpSMS(ctx, a.OrgID, version); err != nil {
			return err
		}
		return s.orgAudit(ctx, q, a, "sms.update", a.orgRes(resource), d)
	})
	if err != nil && !errors.Is(err, errApplied) {
		return err
	}
	return s.writeSMS(ctx, w, a.OrgID)
}

// putSMSZone enables a zone for everyone or selected users, or disables it.
func (s *Server) putSMSZone(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	zone := r.PathValue("zone")
	if !slices.ContainsFunc(api.SMSZones, func(z struct{ Zone, Name string }) bool { return z.Zone == zone }) {
		return &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound, Message: "no such SMS zone"}
	}
	req, err := decode[api.SMSZoneUpdate](w, r)
	if err != nil {
		return err
	}
	switch {
	case req.Enabled && req.Scope != api.ScopeAll && req.Scope != api.ScopeSelected:
		return api.Invalid(map[string]*api.Reason{"scope": api.OneOf(string(req.Scope), string(api.ScopeAll), string(api.ScopeSelected))})
	case !req.Enabled && req.Scope != "":
		return api.Invalid(map[string]*api.Reason{"scope": api.Because(api.ReasonZoneDisabled)})
	case req.Scope != api.ScopeSelected && len(req.UserIDs) > 0:
		return api.Invalid(map[string]*api.Reason{"user_ids": api.Because(api.ReasonOnlySelected)})
	}
	ctx := r.Context()
	return s.smsWrite(w, r, a, func(q store.Q) (diff, string, error) {
		ids, names, err := knownUsers(ctx, q, a.OrgID, "user_ids", req.UserIDs)
		if err != nil {
			return nil, "", err
		}
		zones, err := q.SMSZones(ctx, a.OrgID)
		if err != nil {
			return nil, "", err
		}
		old := zones[zone]
		var d diff
		d.bool("enabled", old.Scope != "", req.Enabled)
		d.str("scope", old.Scope, req.Scope)
		d.str("users", nameList(old.UserIDs, names), nameList(ids, names))
		if len(d) == 0 {
			return nil, "", nil
		}
		return d, "sms/zones/" + zone, q.PutSMSZone(ctx, a.OrgID, zone, store.SMSZoneState{Scope: req.Scope, UserIDs: ids})
	})
}

// putSMSTypes sets which kinds of system SMS may be sent.
func (s *Server) putSMSTypes(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	req, err := decode[api.SMSTypesUpdate](w, r)
	if err != nil {
		return err
	}
	for _, t := range req.Allowed {
		if !slices.ContainsFunc(api.SMSTypes, func(k struct{ Type, Name string }) bool { return k.Type == t }) {
			return api.Invalid(map[string]*api.Reason{"allowed": {Code: api.ReasonNotAllowed, Args: api.Args{"value": t}}})
		}
	}
	allowed := slices.Clone(req.Allowed)
	slices.Sort(allowed)
	allowed = slices.Compact(allowed)
	ctx := r.Context()
	return s.smsWrite(w, r, a, func(q store.Q) (diff, string, error) {
		old, err := q.SMSTypesAllowed(ctx, a.OrgID)
		if err != nil {
			return nil, "", err
		}
		var d diff
		d.str("allowed", strings.Join(old, ", "), strings.Join(allowed, ", "))
		if len(d) == 0 {
			return nil, "", nil
		}
		return d, "sms/message-types", q.SetSMSTypes(ctx, a.OrgID, allowed)
	})
}

// Cost centers.

var errCostCentersOff = refuse("cost_centers_enabled", api.Because(api.ReasonCostCentersOff))

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

func takenName(err error, field string) error {
	if errors.Is(err, store.ErrConflict) {
		return conflict(field, api.Because(api.ReasonTaken))
	}
	return err
}

func (s *Server) createCostCenter(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	req, err := decode[api.NameRequest](w, r)
	if err != nil {
		return err
	}
	if err := validName("name", &req.Name); err != nil {
		return err
	}
	ctx := r.Context()
	c := api.CostCenter{ID: newID("cc"), Name: req.Name, UserIDs: []string{}}
	err = s.costCenterTx(ctx, a, func(q store.Q) error {
		if err := q.CreateCostCenter(ctx, a.OrgID, &c, s.now()); err != nil {
			return takenName(err, "name")
		}
		return s.orgAudit(ctx, q, a, "cost_center.create", a.orgRes("cost-centers/"+c.ID), diff{{"name", "", c.Name}})
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
	if err := validName("name", &req.Name); err != nil {
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
			return takenName(err, "name")
		}
		return s.orgAudit(ctx, q, a, "cost_center.rename", a.orgRes("cost-centers/"+id), diff{{"name", c.Name, req.Name}})
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
			if err := s.orgAudit(ctx, q, a, "cost_center.unassign", userRes(u, "cost-center"), diff{{"cost_center", c.Name, ""}}); err != nil {
				return err
			}
		}
		if err := q.DeleteCostCenter(ctx, a.OrgID, id); err != nil {
			return err
		}
		return s.orgAudit(ctx, q, a, "cost_center.delete", a.orgRes("cost-centers/"+id), diff{{"name", c.Name, ""}})
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
		ids, _, err := knownUsers(ctx, q, a.OrgID, "user_ids", req.UserIDs)
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
			if err := s.orgAudit(ctx, q, a, "cost_center.assign", userRes(u, "cost-center"), diff{{"cost_center", prev.Name, c.Name}}); err != nil {
				return err
			}
		}
		for _, u := range c.UserIDs {
			if !slices.Contains(ids, u) {
				if err := s.orgAudit(ctx, q, a, "cost_center.unassign", userRes(u, "cost-center"), diff{{"cost_center", c.Name, ""}}); err != nil {
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

// Reason codes for "Unavailable".

var reasonCodeRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)

// slug derives a reason code from its label: "Lunch break" → "lunch_break".
func slug(label string) string {
	var b strings.Builder
	under := false
	for _, r := range strings.ToLower(label) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if under && b.Len() > 0 {
				b.WriteByte('_')
			}
			under = false
			b.WriteRune(r)
		default:
			under = true
		}
		if b.Len() >= 32 {
			break
		}
	}
	return b.String()
}

func (s *Server) listReasonCodes(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	codes, err := s.st.Q().OrgReasonCodes(r.Context(), a.OrgID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, codes)
	return nil
}

func (s *Server) createReasonCode(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	req, err := decode[api.ReasonCodeCreate](w, r)
	if err != nil {
		return err
	}
	fields := map[string]*api.Reason{}
	if why := api.ValidateDisplayName(req.Label); why != nil {
		fields["label"] = why
	}
	if req.Code == "" {
		req.Code = slug(req.Label)
	}
	if !reasonCodeRE.MatchString(req.Code) {
		fields["code"] = &api.Reason{Code: api.ReasonCodeChars, Args: api.Args{"min": 1, "max": 32}}
	}
	if len(fields) > 0 {
		return api.Invalid(fields)
	}
	ctx := r.Context()
	rc := api.OrgReasonCode{ReasonCode: api.ReasonCode{Code: req.Code, Label: req.Label}, Version: 1}
	err = s.orgTx(ctx, a, func(q store.Q) error {
		if err := q.AddReasonCode(ctx, a.OrgID, rc.ReasonCode); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return conflict("code", api.Because(api.ReasonTaken))
			}
			return err
		}
		return s.orgAudit(ctx, q, a, "reason_code.create", a.orgRes("reason-codes/"+rc.Code), diff{{"label", "", rc.Label}})
	})
	if err != nil {
		return err
	}
	writeVersioned(w, http.StatusCreated, rc.Version, rc)
	return nil
}

// patchReasonCode renames, retires or restores a reason code. Retired
// codes stay for the history of members' statuses but cannot be chosen.
func (s *Server) patchReasonCode(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	req, version, err := conditional[api.ReasonCodePatch](w, r)
	if err != nil {
		return err
	}
	if err := validName("label", req.Label); err != nil {
		return err
	}
	ctx := r.Context()
	code := r.PathValue("code")
	var rc api.OrgReasonCode
	err = s.orgTx(ctx, a, func(q store.Q) error {
		codes, err := q.OrgReasonCodes(ctx, a.OrgID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(codes, func(c api.OrgReasonCode) bool { return c.Code == code })
		if i < 0 {
			return store.ErrNotFound
		}
		rc = codes[i]
		var d diff
		if req.Label != nil {
			d.str("label", rc.Label, *req.Label)
			rc.Label = *req.Label
		}
		if req.Retired != nil {
			d.bool("retired", rc.Retired, *req.Retired)
			rc.Retired = *req.Retired
		}
		if err := checkWrite(rc.Version, version, len(d) == 0); err != nil || len(d) == 0 {
			return err
		}
		if err := q.UpdateReasonCode(ctx, a.OrgID, rc, version); err != nil {
			return err
		}
		rc.Version = version + 1
		return s.orgAudit(ctx, q, a, "reason_code.update", a.orgRes("reason-codes/"+code), d)
	})
	if err != nil && !errors.Is(err, errApplied) {
		return err
	}
	writeVersioned(w, http.StatusOK, rc.Version, rc)
	return nil
}

// Organisation structure.

func (s *Server) getStructure(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	cs, err := s.st.Q().Categories(r.Context(), a.OrgID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, cs)
	return nil
}

// checkOptionNames validates new option names against each other and the
// names a category already has.
func checkOptionNames(field string, names []string, existing []api.CategoryOption) error {
	seen := map[string]bool{}
	for _, o := range existing {
		seen[store.NormName(o.Name)] = true
	}
	if len(existing)+len(names) > api.MaxOptions {
		return api.Invalid(map[string]*api.Reason{field: {Code: api.ReasonTooMany, Args: api.Args{"max": api.MaxOptions}}})
	}
	for _, n := range names {
		if why := api.ValidateDisplayName(n); why != nil {
			return api.Invalid(map[string]*api.Reason{field: why})
		}
		if seen[store.NormName(n)] {
			return api.Invalid(map[string]*api.Reason{field: {Code: api.ReasonDuplicate, Args: api.Args{"value": n}}})
		}
		seen[store.NormName(n)] = true
	}
	return nil
}

func optionNames(os []api.CategoryOption) string {
	names := make([]string, 0, len(os))
	for _, o := range os {
		names = append(names, o.Name)
	}
	return strings.Join(names, ", ")
}

func (s *Server) createCategory(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	req, err := decode[api.CategoryCreate](w, r)
	if err != nil {
		return err
	}
	if err := validName("name", &req.Name); err != nil {
		return err
	}
	if err := checkOptionNames("options", req.Options, nil); err != nil {
		return err
	}
	ctx := r.Context()
	c := api.Category{ID: newID("cat"), Name: req.Name, Options: []api.CategoryOption{}}
	err = s.orgTx(ctx, a, func(q store.Q) error {
		if err := q.CreateCategory(ctx, a.OrgID, &c, s.now()); err != nil {
			return takenName(err, "name")
		}
		for _, n := range req.Options {
			o := api.CategoryOption{ID: newID("opt"), Name: n, UserIDs: []string{}}
			if err := q.AddOption(ctx, c.ID, o); err != nil {
				return err
			}
			c.Options = append(c.Options, o)
		}
		d := diff{{"name", "", c.Name}}
		d.str("options", "", optionNames(c.Options))
		return s.orgAudit(ctx, q, a, "category.create", a.orgRes("structure/"+c.ID), d)
	})
	if err != nil {
		return err
	}
	writeVersioned(w, http.StatusCreated, c.Version, c)
	return nil
}

// patchCategory renames a category, adds options and removes options
// (whose users lose them).
func (s *Server) patchCategory(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	req, version, err := conditional[api.CategoryPatch](w, r)
	if err != nil {
		return err
	}
	if err := validName("name", req.Name); err != nil {
		return err
	}
	ctx := r.Context()
	id := r.PathValue("id")
	err = s.orgTx(ctx, a, func(q store.Q) error {
		c, err := q.Category(ctx, a.OrgID, id)
		if err != nil {
			return err
		}
		name := c.Name
		if req.Name != nil {
			name = *req.Name
		}
		noop := name == c.Name && len(req.AddOptions) == 0 && len(req.RemoveOptions) == 0
		if err := checkWrite(c.Version, version, noop); err != nil || noop {
			return err
		}
		var kept []api.CategoryOption
		for _, o := range c.Options {
			if !slices.Contains(req.RemoveOptions, o.ID) {
				kept = append(kept, o)
			}
		}
		for _, rid := range req.RemoveOptions {
			if !slices.ContainsFunc(c.Options, func(o api.CategoryOption) bool { return o.ID == rid }) {
				return api.Invalid(map[string]*api.Reason{"remove_options": {Code: api.ReasonNotAnOption, Args: api.Args{"value": rid}}})
			}
		}
		if err := checkOptionNames("add_options", req.AddOptions, kept); err != nil {
			return err
		}
		if err := q.UpdateCategory(ctx, a.OrgID, id, name, version); err != nil {
			return takenName(err, "name")
		}
		for _, o := range c.Options {
			if !slices.Contains(req.RemoveOptions, o.ID) {
				continue
			}
			if err := s.dropHolders(ctx, q, a, c, o); err != nil {
				return err
			}
			if err := q.DeleteOption(ctx, id, o.ID); err != nil {
				return err
			}
		}
		for _, n := range req.AddOptions {
			o := api.CategoryOption{ID: newID("opt"), Name: n}
			if err := q.AddOption(ctx, id, o); err != nil {
				return err
			}
			kept = append(kept, o)
		}
		var d diff
		d.str("name", c.Name, name)
		d.str("options", optionNames(c.Options), optionNames(kept))
		return s.orgAudit(ctx, q, a, "category.update", a.orgRes("structure/"+id), d)
	})
	if err != nil && !errors.Is(err, errApplied) {
		return err
	}
	return s.writeCategory(ctx, w, a.OrgID, id)
}

// dropHolders records that an option's users lose it.
func (s *Server) dropHolders(ctx context.Context, q store.Q, a *adminCall, c *api.Category, o api.CategoryOption) error {
	for _, u := range o.UserIDs {
		if err := s.orgAudit(ctx, q, a, "category.unassign", userRes(u, "structure/"+c.ID), diff{{c.Name, o.Name, ""}}); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) writeCategory(ctx context.Context, w http.ResponseWriter, orgID, id string) error {
	c, err := s.st.Q().Category(ctx, orgID, id)
	if err != nil {
		return err
	}
	writeVersioned(w, http.StatusOK, c.Version, c)
	return nil
}

// deleteCategory removes a category with its options; users lose them.
func (s *Server) deleteCategory(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	ctx := r.Context()
	id := r.PathValue("id")
	err := s.orgTx(ctx, a, func(q store.Q) error {
		c, err := q.Category(ctx, a.OrgID, id)
		if err != nil {
			return err
		}
		for _, o := range c.Options {
			if err := s.dropHolders(ctx, q, a, c, o); err != nil {
				return err
			}
		}
		if err := q.DeleteCategory(ctx, a.OrgID, id); err != nil {
			return err
		}
		d := diff{{"name", c.Name, ""}}
		d.str("options", optionNames(c.Options), "")
		return s.orgAudit(ctx, q, a, "category.delete", a.orgRes("structure/"+id), d)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// setOptionUsers makes the given users exactly the option's holders; each
// leaves the option they had in the category.
func (s *Server) setOptionUsers(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	req, version, err := conditional[api.UserIDsRequest](w, r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	id, optID := r.PathValue("id"), r.PathValue("option")
	err = s.orgTx(ctx, a, func(q store.Q) error {
		ids, _, err := knownUsers(ctx, q, a.OrgID, "user_ids", req.UserIDs)
		if err != nil {
			return err
		}
		c, err := q.Category(ctx, a.OrgID, id)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(c.Options, func(o api.CategoryOption) bool { return o.ID == optID })
		if i < 0 {
			return &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound, Message: "no such option in this category"}
		}
		opt := c.Options[i]
		same := slices.Equal(opt.UserIDs, ids)
		if err := checkWrite(c.Version, version, same); err != nil || same {
			return err
		}
		held := map[string]string{} // user → option name in this category
		for _, o := range c.Options {
			for _, u := range o.UserIDs {
				held[u] = o.Name
			}
		}
		if err := q.SetOptionUsers(ctx, id, optID, ids); err != nil {
			return err
		}
		if err := q.UpdateCategory(ctx, a.OrgID, id, c.Name, version); err != nil {
			return err
		}
		for _, u := range ids {
			if held[u] != opt.Name {
				if err := s.orgAudit(ctx, q, a, "category.assign", userRes(u, "structure/"+id), diff{{c.Name, held[u], opt.Name}}); err != nil {
					return err
				}
			}
		}
		for _, u := range opt.UserIDs {
			if !slices.Contains(ids, u) {
				if err := s.orgAudit(ctx, q, a, "category.unassign", userRes(u, "structure/"+id), diff{{c.Name, opt.Name, ""}}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, errApplied) {
		return err
	}
	return s.writeCategory(ctx, w, a.OrgID, id)
}
