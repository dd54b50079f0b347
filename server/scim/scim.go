// Package scim serves SCIM 2.0 (RFC 7643, RFC 7644) for identity
// providers such as Entra ID and Okta: /scim/v2/Users are an
// organisation's people and /scim/v2/Groups its structure options. The
// protocol (routing, schemas, filters, PATCH parsing, errors) is
// github.com/elimity-com/scim's; this package maps its resources onto a
// server.Directory, which confines every call to the organisation of the
// request's SCIM token.
//
// Importing the package links SCIM into a program's backend: only
// cmd/phoneset-server does, so the desktop app's embedded backend, which
// no identity provider reaches, stays smaller.
package scim

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/elimity-com/scim"
	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/elimity-com/scim/optional"
	"github.com/elimity-com/scim/schema"

	"github.com/phoneset/phoneset/server"
)

// maxResults is the largest page a list answers with.
const maxResults = 200

// maxPatchOps bounds a PATCH's operations, which are applied inside the
// organisation's write transaction; identity providers send a handful
// (Entra ID batches group members into the values of one operation).
const maxPatchOps = 1000

var errTooManyOps = scimerrors.ScimErrorBadRequest("A PATCH has at most " + strconv.Itoa(maxPatchOps) + " operations; send the rest in another.")

func init() {
	// Entra ID sends booleans as strings ("False"); RFC 7643 wants JSON
	// booleans, which are accepted as well.
	schema.SetAllowStringValues(true)
	server.RegisterSCIM(Handler)
}

// Handler serves SCIM over d; requests arrive with the mount path
// (server.SCIMPath) removed.
func Handler(d *server.Directory) http.Handler {
	s, err := scim.NewServer(&scim.ServerArgs{
		ServiceProviderConfig: &scim.ServiceProviderConfig{
			DocumentationURI: optional.NewString("https://github.com/phoneset/phoneset#scim"),
			AuthenticationSchemes: []scim.AuthenticationScheme{{
				Type: scim.AuthenticationTypeOauthBearerToken, Name: "Bearer token", Primary: true,
				Description: "A SCIM token an organisation admin creates in Phoneset (Organisation → Users).",
			}},
			MaxResults:       maxResults,
			SupportFiltering: true,
			SupportPatch:     true,
		},
		ResourceTypes: []scim.ResourceType{
			{
				ID: optional.NewString("User"), Name: "User", Endpoint: "/Users",
				Description: optional.NewString("People of the organisation"),
				Schema:      schema.CoreUserSchema(),
				// Entra ID's default mappings patch enterprise attributes;
				// they validate and are ignored.
				SchemaExtensions: []scim.SchemaExtension{{Schema: schema.ExtensionEnterpriseUser()}},
				Handler:          users{d},
			},
			{
				ID: optional.NewString("Group"), Name: "Group", Endpoint: "/Groups",
				Description: optional.NewString("Options of the organisation's structure (e.g. an office)"),
				Schema:      schema.CoreGroupSchema(),
				Handler:     groups{d},
			},
		},
	}, scim.WithBaseURL(d.BaseURL()))
	if err != nil {
		panic("scim: " + err.Error()) // the arguments above are fixed
	}
	return s
}

// scimError maps a Directory's errors onto SCIM's.
func scimError(err error) error {
	var inv *server.DirInvalid
	var se scimerrors.ScimError
	switch {
	case errors.As(err, &se):
		return se
	case errors.Is(err, server.ErrDirNotFound):
		return scimerrors.ScimError{Status: http.StatusNotFound, Detail: "Resource not found."}
	case errors.Is(err, server.ErrDirConflict):
		return scimerrors.ScimErrorUniqueness
	case errors.As(err, &inv):
		return scimerrors.ScimError{ScimType: scimerrors.ScimTypeInvalidValue, Status: http.StatusBadRequest, Detail: inv.Error()}
	case errors.Is(err, context.Canceled):
		return err
	}
	return err // a 500 that says only what the server's log says
}

// page cuts a list to the request's page: startIndex is 1-based.
func page[T any](items []T, p scim.ListRequestParams) []T {
	start := min(max(p.StartIndex, 1)-1, len(items))
	end := min(start+max(p.Count, 0), len(items))
	return items[start:end]
}

// version is a resource's ETag (RFC 7644 section 3.14).
func version(v int64) string { return `W/"` + strconv.FormatInt(v, 10) + `"` }

// str reads a string attribute of a decoded resource.
func str(m map[string]any, name string) string {
	for k, v := range m {
		if strings.EqualFold(k, name) {
			s, _ := v.(string)
			return s
		}
	}
	return ""
}

// sub reads a complex attribute of a decoded resource.
func sub(m map[string]any, name string) map[string]any {
	for k, v := range m {
		if strings.EqualFold(k, name) {
			c, _ := v.(map[string]any)
			return c
		}
	}
	return nil
}

// list reads a multi-valued attribute of a decoded resource.
func list(m map[string]any, name string) []map[string]any {
	var out []map[string]any
	for k, v := range m {
		if !strings.EqualFold(k, name) {
			continue
		}
		items, _ := v.([]any)
		for _, it := range items {
			if c, ok := it.(map[string]any); ok {
				out = append(out, c)
			}
		}
	}
	return out
}
