package server

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server/store"
)

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
	if err := validName(api.FieldName, &req.Name); err != nil {
		return err
	}
	if err := checkOptionNames(api.FieldOptions, req.Options, nil); err != nil {
		return err
	}
	ctx := r.Context()
	c := api.Category{ID: newID("cat"), Name: req.Name, Options: []api.CategoryOption{}}
	err = s.orgTx(ctx, a, func(q store.Q) error {
		if err := q.CreateCategory(ctx, a.OrgID, &c, s.now()); err != nil {
			return takenName(err, api.FieldName)
		}
		for _, n := range req.Options {
			o := api.CategoryOption{ID: newID("opt"), Name: n, UserIDs: []string{}}
			if err := q.AddOption(ctx, c.ID, o); err != nil {
				return err
			}
			c.Options = append(c.Options, o)
		}
		d := diff{{api.FieldName, "", c.Name}}
		d.str(api.FieldOptions, "", optionNames(c.Options))
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
	if err := validName(api.FieldName, req.Name); err != nil {
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
				return api.Invalid(map[string]*api.Reason{api.FieldRemoveOptions: {Code: api.ReasonNotAnOption, Args: api.Args{"value": rid}}})
			}
		}
		if err := checkOptionNames(api.FieldAddOptions, req.AddOptions, kept); err != nil {
			return err
		}
		if err := q.UpdateCategory(ctx, a.OrgID, id, name, version); err != nil {
			return takenName(err, api.FieldName)
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
		d.str(api.FieldName, c.Name, name)
		d.str(api.FieldOptions, optionNames(c.Options), optionNames(kept))
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
		d := diff{{api.FieldName, c.Name, ""}}
		d.str(api.FieldOptions, optionNames(c.Options), "")
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
		ids, _, err := knownUsers(ctx, q, a.OrgID, api.FieldUserIDs, req.UserIDs)
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
		same := slices.Equal(c.Options[i].UserIDs, ids)
		if err := checkWrite(c.Version, version, same); err != nil || same {
			return err
		}
		return s.holdOption(ctx, q, a, c, c.Options[i], ids, version)
	})
	if err != nil && !errors.Is(err, errApplied) {
		return err
	}
	return s.writeCategory(ctx, w, a.OrgID, id)
}

// holdOption makes ids (sorted, of the org) exactly the holders of option
// opt of category c, still at version; each leaves the option they had in
// the category. Every change is audited.
func (s *Server) holdOption(ctx context.Context, q store.Q, a *adminCall, c *api.Category, opt api.CategoryOption, ids []string, version int64) error {
	held := map[string]string{} // user → option name in this category
	for _, o := range c.Options {
		for _, u := range o.UserIDs {
			held[u] = o.Name
		}
	}
	if err := q.SetOptionUsers(ctx, c.ID, opt.ID, ids); err != nil {
		return err
	}
	if err := q.UpdateCategory(ctx, a.OrgID, c.ID, c.Name, version); err != nil {
		return err
	}
	for _, u := range ids {
		if held[u] != opt.Name {
			if err := s.orgAudit(ctx, q, a, "category.assign", userRes(u, "structure/"+c.ID), diff{{c.Name, held[u], opt.Name}}); err != nil {
				return err
			}
		}
	}
	for _, u := range opt.UserIDs {
		if !slices.Contains(ids, u) {
			if err := s.orgAudit(ctx, q, a, "category.unassign", userRes(u, "structure/"+c.ID), diff{{c.Name, opt.Name, ""}}); err != nil {
				return err
			}
		}
	}
	return nil
}
