package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/phoneset/phoneset/api"
)

// Supervisors (permission api.PermSupervisor) under /v1/supervisor; the
// server refuses everyone else with 403 and hides agents outside the
// supervisor's scope (404).

// Agents lists the supervisor's agents with their status
// (GET /v1/supervisor/agents).
func (c *Client) Agents(ctx context.Context) ([]api.AgentStatus, error) {
	var out []api.AgentStatus
	err := c.do(ctx, call{method: http.MethodGet, path: "/v1/supervisor/agents", out: &out})
	return out, err
}

// SetAgentStatus sets an agent's status if it is still at version
// (PUT /v1/supervisor/agents/{id}/status).
func (c *Client) SetAgentStatus(ctx context.Context, id string, version int64, u api.StatusUpdate) (api.AgentStatus, error) {
	var out api.AgentStatus
	err := c.do(ctx, call{method: http.MethodPut, path: "/v1/supervisor/agents/" + url.PathEscape(id) + "/status",
		body: u, out: &out, ifMatch: version, hasIf: true})
	return out, err
}

// TimeInStatus is today's time per status of each agent
// (GET /v1/supervisor/time-in-status).
func (c *Client) TimeInStatus(ctx context.Context) ([]api.TimeInStatus, error) {
	var out []api.TimeInStatus
	err := c.do(ctx, call{method: http.MethodGet, path: "/v1/supervisor/time-in-status", out: &out})
	return out, err
}

// TimeInStatusCSV is TimeInStatus as a spreadsheet-safe CSV file.
func (c *Client) TimeInStatusCSV(ctx context.Context) ([]byte, error) {
	var out []byte
	err := c.do(ctx, call{method: http.MethodGet, path: "/v1/supervisor/time-in-status", query: url.Values{"format": {"csv"}}, out: &out})
	return out, err
}

// Supervisors lists the organisation's supervisors and their scopes
// (GET /v1/org/supervisors; admins).
func (c *Client) Supervisors(ctx context.Context) ([]api.Supervisor, error) {
	return fetch[[]api.Supervisor](ctx, c, orgPath("supervisors"))
}

// SetSupervisor makes a member the supervisor of the holders of exactly
// optionIDs (PUT /v1/org/users/{id}/supervisor; admins).
func (c *Client) SetSupervisor(ctx context.Context, userID string, optionIDs []string) (api.Supervisor, error) {
	var out api.Supervisor
	if optionIDs == nil {
		optionIDs = []string{}
	}
	err := c.do(ctx, call{method: http.MethodPut, path: orgPath("users", userID, "supervisor"), body: api.SupervisorScope{OptionIDs: optionIDs}, out: &out})
	return out, err
}

// RevokeSupervisor takes the supervisor role away
// (DELETE /v1/org/users/{id}/supervisor; admins).
func (c *Client) RevokeSupervisor(ctx context.Context, userID string) (api.Supervisor, error) {
	var out api.Supervisor
	err := c.do(ctx, call{method: http.MethodDelete, path: orgPath("users", userID, "supervisor"), out: &out})
	return out, err
}
