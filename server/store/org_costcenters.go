package store

import (
	"context"
	"time"

	"github.com/phoneset/phoneset/api"
)

// CostCenters lists the org's cost centers by name, each with its users.
func (q Q) CostCenters(ctx context.Context, orgID string) ([]api.CostCenter, error) {
	cs, err := list(ctx, q, func(sc scanner) (api.CostCenter, error) {
		var c api.CostCenter
		err := sc.Scan(&c.ID, &c.Name, &c.Version)
		return c, err
	}, `SELECT id, name, version FROM cost_centers WHERE org_id = ? ORDER BY name_norm, id`, orgID)
	if err != nil {
		return nil, err
	}
	m, err := q.members(ctx, `SELECT m.cost_center_id, m.user_id, '' FROM cost_center_users m
		JOIN cost_centers c ON c.id = m.cost_center_id WHERE c.org_id = ? ORDER BY m.user_id`, orgID)
	if err != nil {
		return nil, err
	}
	for i := range cs {
		cs[i].UserIDs = orEmpty(m[cs[i].ID])
	}
	return cs, nil
}

// CostCenter loads one of the org's cost centers.
func (q Q) CostCenter(ctx context.Context, orgID, id string) (*api.CostCenter, error) {
	cs, err := q.CostCenters(ctx, orgID)
	return byID(cs, err, func(c api.CostCenter) string { return c.ID }, id)
}

// CreateCostCenter adds a cost center; ErrConflict when the name is taken.
func (q Q) CreateCostCenter(ctx context.Context, orgID string, c *api.CostCenter, at time.Time) error {
	_, err := q.exec(ctx, `INSERT INTO cost_centers (id, org_id, name, name_norm, created_at) VALUES (?, ?, ?, ?, ?)`,
		c.ID, orgID, c.Name, NormName(c.Name), Micros(at))
	c.Version = 1
	return classify(err)
}

// RenameCostCenter renames a cost center still at version.
func (q Q) RenameCostCenter(ctx context.Context, orgID, id, name string, version int64) error {
	return q.execOne(ctx, `UPDATE cost_centers SET name = ?, name_norm = ?, version = version + 1
		WHERE org_id = ? AND id = ? AND version = ?`, name, NormName(name), orgID, id, version)
}

// BumpCostCenter moves a cost center to its next version.
func (q Q) BumpCostCenter(ctx context.Context, orgID, id string) error {
	return notFoundIfStale(q.execOne(ctx, `UPDATE cost_centers SET version = version + 1 WHERE org_id = ? AND id = ?`, orgID, id))
}

// DeleteCostCenter removes a cost center; its users are in none.
func (q Q) DeleteCostCenter(ctx context.Context, orgID, id string) error {
	return notFoundIfStale(q.execOne(ctx, `DELETE FROM cost_centers WHERE org_id = ? AND id = ?`, orgID, id))
}

// SetCostCenterUsers makes userIDs exactly the cost center's users, moving
// them out of any other.
func (q Q) SetCostCenterUsers(ctx context.Context, id string, userIDs []string) error {
	if _, err := q.exec(ctx, `DELETE FROM cost_center_users WHERE cost_center_id = ?`, id); err != nil {
		return err
	}
	for _, u := range userIDs {
		if _, err := q.exec(ctx, `INSERT INTO cost_center_users (user_id, cost_center_id) VALUES (?, ?)
			ON CONFLICT (user_id) DO UPDATE SET cost_center_id = excluded.cost_center_id`, u, id); err != nil {
			return err
		}
	}
	return nil
}
