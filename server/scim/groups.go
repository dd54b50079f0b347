package scim

import (
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/elimity-com/scim"
	scimerrors "github.com/elimity-com/scim/errors"
	filter "github.com/scim2/filter-parser/v2"

	"github.com/phoneset/phoneset/server"
)

// groups serves /Groups over the organisation's structure options: a
// group's members are the people who hold the option. Options are made,
// renamed and removed in Phoneset; an identity provider links its groups
// to them by displayName and manages their members.
type groups struct{ d *server.Directory }

func groupResource(g server.DirGroup) scim.Resource {
	members := make([]any, 0, len(g.Members))
	for _, m := range g.Members {
		members = append(members, map[string]any{"value": m.ID, "display": m.DisplayName, "$ref": "Users/" + m.ID})
	}
	return scim.Resource{
		ID:         g.ID,
		Attributes: scim.ResourceAttributes{"displayName": g.DisplayName, "members": members},
		Meta:       scim.Meta{Version: version(g.Version)},
	}
}

var errGroupsFixed = scimerrors.ScimError{ScimType: scimerrors.ScimTypeMutability, Status: http.StatusBadRequest,
	Detail: "Groups are the options of the organisation's structure: create, rename and remove them in Phoneset (Organisation → Structure)."}

// Create links nothing new: a group named like an existing option is a
// conflict (the provider then finds it by displayName), any other is
// refused.
func (h groups) Create(r *http.Request, a scim.ResourceAttributes) (scim.Resource, error) {
	gs, err := h.d.Groups(r.Context())
	if err != nil {
		return scim.Resource{}, scimError(err)
	}
	name := str(a, "displayName")
	for _, g := range gs {
		if strings.EqualFold(g.DisplayName, name) {
			return scim.Resource{}, scimerrors.ScimErrorUniqueness
		}
	}
	return scim.Resource{}, errGroupsFixed
}

func (h groups) Get(r *http.Request, id string) (scim.Resource, error) {
	g, err := h.d.Group(r.Context(), id)
	if err != nil {
		return scim.Resource{}, scimError(err)
	}
	return groupResource(g), nil
}

func (h groups) GetAll(r *http.Request, p scim.ListRequestParams) (scim.Page, error) {
	gs, err := h.d.Groups(r.Context())
	if err != nil {
		return scim.Page{}, scimError(err)
	}
	var match []scim.Resource
	for _, g := range gs {
		res := groupResource(g)
		if p.FilterValidator != nil {
			attrs := res.Attributes
			attrs["id"] = g.ID
			if p.FilterValidator.PassesFilter(attrs) != nil {
				continue
			}
		}
		match = append(match, res)
	}
	return scim.Page{TotalResults: len(match), Resources: append([]scim.Resource{}, page(match, p)...)}, nil
}

// Replace is PUT: the members become the body's; the name stays
// Phoneset's.
func (h groups) Replace(r *http.Request, id string, a scim.ResourceAttributes) (scim.Resource, error) {
	g, err := h.d.SetGroupMembers(r.Context(), id, func([]string) ([]string, error) {
		return memberIDs(a["members"]), nil
	})
	if err != nil {
		return scim.Resource{}, scimError(err)
	}
	return groupResource(g), nil
}

func (h groups) Delete(r *http.Request, id string) error {
	if _, err := h.d.Group(r.Context(), id); err != nil {
		return scimError(err)
	}
	return errGroupsFixed
}

func (h groups) Patch(r *http.Request, id string, ops []scim.PatchOperation) (scim.Resource, error) {
	if len(ops) > maxPatchOps {
		return scim.Resource{}, errTooManyOps
	}
	g, err := h.d.SetGroupMembers(r.Context(), id, func(ids []string) ([]string, error) {
		// A set, so a body of tens of thousands of members costs linear
		// time inside the organisation's write transaction, not quadratic.
		set := map[string]bool{}
		for _, id := range ids {
			set[id] = true
		}
		for _, op := range ops {
			if err := patchMembers(set, op); err != nil {
				return nil, err
			}
		}
		return slices.Collect(maps.Keys(set)), nil
	})
	if err != nil {
		return scim.Resource{}, scimError(err)
	}
	return groupResource(g), nil
}

// memberIDs reads the user IDs of a members value.
func memberIDs(v any) []string {
	var ids []string
	items, _ := v.([]any)
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			if id := str(m, "value"); id != "" {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// patchMembers applies one operation to a group's set of member IDs. A
// displayName change is ignored: the option's name is Phoneset's.
func patchMembers(ids map[string]bool, op scim.PatchOperation) error {
	if op.Path == nil {
		vals, _ := op.Value.(map[string]any)
		for k, v := range vals {
			p, err := filter.ParsePath([]byte(k))
			if err != nil {
				return scimerrors.ScimErrorInvalidPath
			}
			if err := patchMembers(ids, scim.PatchOperation{Op: op.Op, Path: &p, Value: v}); err != nil {
				return err
			}
		}
		return nil
	}
	if !strings.EqualFold(op.Path.AttributePath.AttributeName, "members") {
		return nil
	}
	switch op.Op {
	case scim.PatchOperationAdd:
		for _, id := range memberIDs(op.Value) {
			ids[id] = true
		}
	case scim.PatchOperationReplace:
		clear(ids)
		for _, id := range memberIDs(op.Value) {
			ids[id] = true
		}
	case scim.PatchOperationRemove:
		if op.Path.ValueExpression == nil {
			if op.Value == nil {
				clear(ids)
			}
			for _, id := range memberIDs(op.Value) { // Entra: the members in the value
				delete(ids, id)
			}
			return nil
		}
		// members[value eq "id"]
		e, ok := op.Path.ValueExpression.(*filter.AttributeExpression)
		if !ok || e.Operator != filter.EQ || !strings.EqualFold(e.AttributePath.AttributeName, "value") {
			return scimerrors.ScimErrorInvalidFilter
		}
		id, _ := e.CompareValue.(string)
		delete(ids, id)
	}
	return nil
}
