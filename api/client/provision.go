package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/phoneset/phoneset/api"
)

// Bulk import and export of users, and the SCIM tokens an organisation
// gives its identity provider.

// CheckUserImport is an import's dry run: it sends a CSV file (or a part of
// one whose first line is firstLine of the whole) and returns every
// problem by line; nothing is written.
func (c *Client) CheckUserImport(ctx context.Context, file []byte, firstLine int) (api.ImportReport, error) {
	var rep api.ImportReport
	var q url.Values
	if firstLine > 1 {
		q = url.Values{"first_line": {strconv.Itoa(firstLine)}}
	}
	err := c.do(ctx, call{method: http.MethodPost, path: orgPath("users", "import", "check"), query: q, raw: file, ctype: "text/csv", out: &rep})
	return rep, err
}

// ExportUsersCSV downloads the organisation's users as CSV.
func (c *Client) ExportUsersCSV(ctx context.Context) ([]byte, error) {
	var b []byte
	err := c.do(ctx, call{method: http.MethodGet, path: orgPath("users"), query: url.Values{"format": {"csv"}}, out: &b})
	return b, err
}

// SCIMTokens lists the organisation's SCIM tokens and whether the server
// serves SCIM.
func (c *Client) SCIMTokens(ctx context.Context) (api.SCIMTokens, error) {
	return fetch[api.SCIMTokens](ctx, c, orgPath("scim", "tokens"))
}

// CreateSCIMToken makes a token; its secret is in the answer only.
func (c *Client) CreateSCIMToken(ctx context.Context, name string) (api.SCIMTokenCreated, error) {
	var t api.SCIMTokenCreated
	err := c.do(ctx, call{method: http.MethodPost, path: orgPath("scim", "tokens"), body: api.NameRequest{Name: name}, out: &t, idemKey: orgIdemKey(ctx)})
	return t, err
}

// RevokeSCIMToken ends a token at once.
func (c *Client) RevokeSCIMToken(ctx context.Context, id string) error {
	return c.do(ctx, call{method: http.MethodDelete, path: orgPath("scim", "tokens", id)})
}

// ImportUsers invites everyone in a CSV file (or a part of one whose first
// line is firstLine of the whole) once it checks clean; a file with
// problems is refused whole.
func (c *Client) ImportUsers(ctx context.Context, file []byte, firstLine int) (api.ImportReport, error) {
	var rep api.ImportReport
	var q url.Values
	if firstLine > 1 {
		q = url.Values{"first_line": {strconv.Itoa(firstLine)}}
	}
	err := c.do(ctx, call{method: http.MethodPost, path: orgPath("users", "import"), query: q, raw: file, ctype: "text/csv", out: &rep, idemKey: orgIdemKey(ctx)})
	return rep, err
}
