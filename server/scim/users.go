package scim

import (
	"net/http"
	"strings"

	"github.com/elimity-com/scim"
	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/elimity-com/scim/optional"
	filter "github.com/scim2/filter-parser/v2"

	"github.com/phoneset/phoneset/server"
)

// users serves /Users over the organisation's people.
type users struct{ d *server.Directory }

func userResource(u server.DirUser) scim.Resource {
	groups := make([]any, 0, len(u.Groups))
	for _, g := range u.Groups {
		groups = append(groups, map[string]any{"value": g.ID, "display": g.DisplayName, "$ref": "Groups/" + g.ID})
	}
	r := scim.Resource{
		ID: u.ID,
		Attributes: scim.ResourceAttributes{
			"userName":    u.UserName,
			"displayName": u.DisplayName,
			"name":        map[string]any{"givenName": u.GivenName, "familyName": u.FamilyName},
			"emails":      []any{map[string]any{"value": u.Email, "type": "work", "primary": true}},
			"active":      u.Active,
			"groups":      groups,
		},
		Meta: scim.Meta{Created: &u.Created, Version: version(u.Version)},
	}
	if u.ExternalID != "" {
		r.ExternalID = optional.NewString(u.ExternalID)
	}
	return r
}

// fromAttributes fills u with a POSTed or PUT resource: what it leaves out
// is cleared, as PUT replaces (RFC 7644 section 3.5.1), except that a
// missing active keeps the user active.
func fromAttributes(u *server.DirUser, a scim.ResourceAttributes) {
	u.UserName = str(a, "userName")
	u.ExternalID = str(a, "externalId")
	u.DisplayName = str(a, "displayName")
	name := sub(a, "name")
	u.GivenName, u.FamilyName = str(name, "givenName"), str(name, "familyName")
	u.Email = primaryEmail(list(a, "emails"))
	u.Active = true
	for k, v := range a {
		if b, ok := v.(bool); ok && strings.EqualFold(k, "active") {
			u.Active = b
		}
	}
}

// primaryEmail is the primary address of a list, else the work one, else
// the first.
func primaryEmail(emails []map[string]any) string {
	best, rank := "", 0
	for _, e := range emails {
		r := 1
		if strings.EqualFold(str(e, "type"), "work") {
			r = 2
		}
		if p, _ := e["primary"].(bool); p {
			r = 3
		}
		if r > rank {
			best, rank = str(e, "value"), r
		}
	}
	return best
}

func (h users) Create(r *http.Request, a scim.ResourceAttributes) (scim.Resource, error) {
	var u server.DirUser
	fromAttributes(&u, a)
	created, err := h.d.CreateUser(r.Context(), u)
	if err != nil {
		return scim.Resource{}, scimError(err)
	}
	return userResource(created), nil
}

func (h users) Get(r *http.Request, id string) (scim.Resource, error) {
	u, err := h.d.User(r.Context(), id)
	if err != nil {
		return scim.Resource{}, scimError(err)
	}
	return userResource(u), nil
}

// GetAll lists users a page at a time. userName eq "…", what identity
// providers ask before creating someone, is one indexed lookup; other
// filters are tried on every user.
func (h users) GetAll(r *http.Request, p scim.ListRequestParams) (scim.Page, error) {
	ctx := r.Context()
	var all []server.DirUser
	var err error
	if name, ok := userNameEq(p); ok {
		all, err = h.d.UsersByUserName(ctx, name)
	} else {
		all, err = h.d.Users(ctx)
	}
	if err != nil {
		return scim.Page{}, scimError(err)
	}
	var match []scim.Resource
	for _, u := range all {
		res := userResource(u)
		if p.FilterValidator != nil && !isUserNameEq(p) {
			attrs := res.Attributes
			attrs["id"], attrs["externalId"] = u.ID, u.ExternalID
			if p.FilterValidator.PassesFilter(attrs) != nil {
				continue
			}
		}
		match = append(match, res)
	}
	return scim.Page{TotalResults: len(match), Resources: append([]scim.Resource{}, page(match, p)...)}, nil
}

// userNameEq is the name of a userName eq "…" filter.
func userNameEq(p scim.ListRequestParams) (string, bool) {
	if p.FilterValidator == nil {
		return "", false
	}
	e, ok := p.FilterValidator.GetFilter().(*filter.AttributeExpression)
	if !ok || e.Operator != filter.EQ || e.AttributePath.SubAttribute != nil || !strings.EqualFold(e.AttributePath.AttributeName, "userName") {
		return "", false
	}
	s, ok := e.CompareValue.(string)
	return s, ok
}

func isUserNameEq(p scim.ListRequestParams) bool {
	_, ok := userNameEq(p)
	return ok
}

// Replace is PUT: the user becomes what the body says.
func (h users) Replace(r *http.Request, id string, a scim.ResourceAttributes) (scim.Resource, error) {
	u, err := h.d.UpdateUser(r.Context(), id, func(u *server.DirUser) error {
		fromAttributes(u, a)
		return nil
	})
	if err != nil {
		return scim.Resource{}, scimError(err)
	}
	return userResource(u), nil
}

// Delete deactivates: history and the audit trail stay, as when an admin
// deactivates someone in the app.
func (h users) Delete(r *http.Request, id string) error {
	_, err := h.d.UpdateUser(r.Context(), id, func(u *server.DirUser) error {
		u.Active = false
		return nil
	})
	return scimError(err)
}

func (h users) Patch(r *http.Request, id string, ops []scim.PatchOperation) (scim.Resource, error) {
	if len(ops) > maxPatchOps {
		return scim.Resource{}, errTooManyOps
	}
	u, err := h.d.UpdateUser(r.Context(), id, func(u *server.DirUser) error {
		for _, op := range ops {
			if err := patchUser(u, op); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return scim.Resource{}, scimError(err)
	}
	return userResource(u), nil
}

// patchUser applies one validated operation. Attributes Phoneset does not
// keep (title, addresses, enterprise attributes…) are accepted and
// ignored, so an identity provider's default mappings do not fail.
func patchUser(u *server.DirUser, op scim.PatchOperation) error {
	if op.Path == nil {
		// The value is the resource itself: each key is a path.
		vals, _ := op.Value.(map[string]any)
		for k, v := range vals {
			p, err := filter.ParsePath([]byte(k))
			if err != nil {
				return scimerrors.ScimErrorInvalidPath
			}
			if err := patchUser(u, scim.PatchOperation{Op: op.Op, Path: &p, Value: v}); err != nil {
				return err
			}
		}
		return nil
	}
	p := op.Path
	if p.AttributePath.URIPrefix != nil && !strings.EqualFold(*p.AttributePath.URIPrefix, "urn:ietf:params:scim:schemas:core:2.0:User") {
		return nil
	}
	remove := op.Op == scim.PatchOperationRemove
	text := func(dst *string) error {
		if remove {
			*dst = ""
			return nil
		}
		s, ok := op.Value.(string)
		if !ok {
			return scimerrors.ScimErrorInvalidValue
		}
		*dst = s
		return nil
	}
	subName := p.AttributePath.SubAttributeName()
	if subName == "" {
		subName = p.SubAttributeName()
	}
	switch strings.ToLower(p.AttributePath.AttributeName) {
	case "username":
		return text(&u.UserName)
	case "displayname":
		return text(&u.DisplayName)
	case "externalid":
		return text(&u.ExternalID)
	case "active":
		if remove {
			return nil
		}
		b, ok := op.Value.(bool)
		if !ok {
			return scimerrors.ScimErrorInvalidValue
		}
		u.Active = b
	case "name":
		switch strings.ToLower(subName) {
		case "givenname":
			return text(&u.GivenName)
		case "familyname":
			return text(&u.FamilyName)
		case "":
			if remove {
				u.GivenName, u.FamilyName = "", ""
				return nil
			}
			m, _ := op.Value.(map[string]any)
			if v, ok := m["givenName"].(string); ok {
				u.GivenName = v
			}
			if v, ok := m["familyName"].(string); ok {
				u.FamilyName = v
			}
		}
	case "emails":
		if remove {
			return scimerrors.ScimError{ScimType: scimerrors.ScimTypeMutability, Status: http.StatusBadRequest,
				Detail: "Every Phoneset user has an email address; replace it instead."}
		}
		switch v := op.Value.(type) {
		case string: // emails[type eq "work"].value
			if p.ValueExpression != nil && strings.EqualFold(subName, "value") {
				u.Email = v
			}
		case map[string]any: // emails[type eq "work"]
			if s := str(v, "value"); s != "" {
				u.Email = s
			}
		case []any:
			var items []map[string]any
			for _, it := range v {
				if m, ok := it.(map[string]any); ok {
					items = append(items, m)
				}
			}
			if s := primaryEmail(items); s != "" {
				u.Email = s
			}
		}
	}
	return nil
}
