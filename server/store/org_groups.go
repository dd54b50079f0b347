package store

import (
	"context"
	"strings"
	"time"

	"github.com/phoneset/phoneset/api"
)

// NormName is the form names of cost centers, categories and options are
// compared in.
func NormName(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// members groups rows of (group ID, user ID) by group.
func (q Q) members(ctx context.Context, query string, args ...any) (map[string][]string, error) {
	pairs, err := q.pairs(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, p := range pairs {
		out[p[0]] = append(out[p[0]], p[1])
	}
	return out, nil
}

func orEmpty(ids []string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}

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

// byID picks the item with the ID from a list as it was loaded.
func byID[T any](items []T, err error, idOf func(T) string, id string) (*T, error) {
	if err != nil {
		return nil, err
	}
	for i := range items {
		if idOf(items[i]) == id {
			return &items[i], nil
		}
	}
	return nil, ErrNotFound
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

// OrgReasonCodes lists the org's reason codes with their versions.
func (q Q) OrgReasonCodes(ctx context.Context, orgID string) ([]api.OrgReasonCode, error) {
	return list(ctx, q, func(sc scanner) (api.OrgReasonCode, error) {
		var rc api.OrgReasonCode
		err := sc.Scan(&rc.Code, &rc.Label, &rc.Retired, &rc.Version)
		return rc, err
	}, `SELECT code, label, retired, version FROM reason_codes WHERE org_id = ? ORDER BY sort_order, code`, orgID)
}

// UpdateReasonCode writes a reason code's label and retirement if it is
// still at version.
func (q Q) UpdateReasonCode(ctx context.Context, orgID string, rc api.OrgReasonCode, version int64) error {
	return q.execOne(ctx, `UPDATE reason_codes SET label = ?, retired = ?, version = version + 1
		WHERE org_id = ? AND code = ? AND version = ?`, rc.Label, rc.Retired, orgID, rc.Code, version)
}

// Categories lists the org's structure: categories by creation, options in
// the order added, each with its users.
func (q Q) Categories(ctx context.Context, orgID string) ([]api.Category, error) {
	cs, err := list(ctx, q, func(sc scanner) (api.Category, error) {
		c := api.Category{Options: []api.CategoryOption{}}
		err := sc.Scan(&c.ID, &c.Name, &c.Version)
		return c, err
	}, `SELECT id, name, version FROM org_categories WHERE org_id = ? ORDER BY created_at, id`, orgID)
	if err != nil || len(cs) == 0 {
		return cs, err
	}
	opts, err := q.pairs(ctx, `SELECT o.category_id, o.id, o.name FROM org_options o
		JOIN org_categories c ON c.id = o.category_id WHERE c.org_id = ? ORDER BY o.sort_order, o.id`, orgID)
	if err != nil {
		return nil, err
	}
	holders, err := q.members(ctx, `SELECT m.option_id, m.user_id, '' FROM user_options m
		JOIN org_categories c ON c.id = m.category_id WHERE c.org_id = ? ORDER BY m.user_id`, orgID)
	if err != nil {
		return nil, err
	}
	idx := make(map[string]int, len(cs))
	for i := range cs {
		idx[cs[i].ID] = i
	}
	for _, o := range opts {
		i := idx[o[0]]
		cs[i].Options = append(cs[i].Options, api.CategoryOption{ID: o[1], Name: o[2], UserIDs: orEmpty(holders[o[1]])})
	}
	return cs, nil
}

// Category loads one of the org's categories.
func (q Q) Category(ctx context.Context, orgID, id string) (*api.Category, error) {
	cs, err := q.Categories(ctx, orgID)
	return byID(cs, err, func(c api.Category) string { return c.ID }, id)
}

// CreateCategory adds a category; ErrConflict when its name is taken.
func (q Q) CreateCategory(ctx context.Context, orgID string, c *api.Category, at time.Time) error {
	if _, err := q.exec(ctx, `INSERT INTO org_categories (id, org_id, name, name_norm, created_at) VALUES (?, ?, ?, ?, ?)`,
		c.ID, orgID, c.Name, NormName(c.Name), Micros(at)); err != nil {
		return classify(err)
	}
	c.Version = 1
	return nil
}

// UpdateCategory renames a category still at version and moves it to the
// next version.
func (q Q) UpdateCategory(ctx context.Context, orgID, id, name string, version int64) error {
	return q.execOne(ctx, `UPDATE org_categories SET name = ?, name_norm = ?, version = version + 1
		WHERE org_id = ? AND id = ? AND version = ?`, name, NormName(name), orgID, id, version)
}

// DeleteCategory removes a category, its options and who held them.
func (q Q) DeleteCategory(ctx context.Context, orgID, id string) error {
	return notFoundIfStale(q.execOne(ctx, `DELETE FROM org_categories WHERE org_id = ? AND id = ?`, orgID, id))
}

// AddOption appends an option to a category; ErrConflict when the name is
// taken there.
func (q Q) AddOption(ctx context.Context, categoryID string, o api.CategoryOption) error {
	_, err := q.exec(ctx, `INSERT INTO org_options (id, category_id, name, name_norm, sort_order)
		VALUES (?, ?, ?, ?, (SELECT COUNT(*) FROM org_options WHERE category_id = ?))`,
		o.ID, categoryID, o.Name, NormName(o.Name), categoryID)
	return classify(err)
}

// DeleteOption removes an option of a category; its users lose it.
func (q Q) DeleteOption(ctx context.Context, categoryID, id string) error {
	return notFoundIfStale(q.execOne(ctx, `DELETE FROM org_options WHERE category_id = ? AND id = ?`, categoryID, id))
}

// SetOptionUsers makes userIDs exactly the option's holders; each leaves
// any other option of the category.
func (q Q) SetOptionUsers(ctx context.Context, categoryID, optionID string, userIDs []string) error {
	if _, err := q.exec(ctx, `DELETE FROM user_options WHERE option_id = ?`, optionID); err != nil {
		return err
	}
	for _, u := range userIDs {
		if _, err := q.exec(ctx, `INSERT INTO user_options (user_id, category_id, option_id) VALUES (?, ?, ?)
			ON CONFLICT (user_id, category_id) DO UPDATE SET option_id = excluded.option_id`, u, categoryID, optionID); err != nil {
			return err
		}
	}
	return nil
}

// SMSZoneState is how an org has set one SMS zone.
type SMSZoneState struct {
	Scope   string // "" when the zone is disabled
	UserIDs []string
}

// SMSZones maps each enabled zone to its state.
func (q Q) SMSZones(ctx context.Context, orgID string) (map[string]SMSZoneState, error) {
	pairs, err := q.pairs(ctx, `SELECT zone, scope, '' FROM sms_zones WHERE org_id = ?`, orgID)
	if err != nil {
		return nil, err
	}
	users, err := q.members(ctx, `SELECT zone, user_id, '' FROM sms_zone_users WHERE org_id = ? ORDER BY user_id`, orgID)
	if err != nil {
		return nil, err
	}
	out := map[string]SMSZoneState{}
	for _, p := range pairs {
		out[p[0]] = SMSZoneState{Scope: p[1], UserIDs: orEmpty(users[p[0]])}
	}
	return out, nil
}

// PutSMSZone replaces a zone's state; an empty scope disables it.
func (q Q) PutSMSZone(ctx context.Context, orgID, zone string, st SMSZoneState) error {
	if _, err := q.exec(ctx, `DELETE FROM sms_zone_users WHERE org_id = ? AND zone = ?`, orgID, zone); err != nil {
		return err
	}
	if _, err := q.exec(ctx, `DELETE FROM sms_zones WHERE org_id = ? AND zone = ?`, orgID, zone); err != nil {
		return err
	}
	if st.Scope == "" {
		return nil
	}
	if _, err := q.exec(ctx, `INSERT INTO sms_zones (org_id, zone, scope) VALUES (?, ?, ?)`, orgID, zone, st.Scope); err != nil {
		return err
	}
	for _, u := range st.UserIDs {
		if _, err := q.exec(ctx, `INSERT INTO sms_zone_users (org_id, zone, user_id) VALUES (?, ?, ?)`, orgID, zone, u); err != nil {
			return classify(err)
		}
	}
	return nil
}

// SMSTypesAllowed lists the system SMS types the org allows.
func (q Q) SMSTypesAllowed(ctx context.Context, orgID string) ([]string, error) {
	return list(ctx, q, scanOne[string], `SELECT msg_type FROM sms_message_types WHERE org_id = ? ORDER BY msg_type`, orgID)
}

// SetSMSTypes makes types exactly the allowed system SMS types.
func (q Q) SetSMSTypes(ctx context.Context, orgID string, types []string) error {
	if _, err := q.exec(ctx, `DELETE FROM sms_message_types WHERE org_id = ?`, orgID); err != nil {
		return err
	}
	for _, t := range types {
		if _, err := q.exec(ctx, `INSERT INTO sms_message_types (org_id, msg_type) VALUES (?, ?)`, orgID, t); err != nil {
			return classify(err)
		}
	}
	return nil
}

// BumpSMS moves the SMS settings to version+1 if they are at version.
func (q Q) BumpSMS(ctx context.Context, orgID string, version int64) error {
	return q.execOne(ctx, `UPDATE orgs SET version = version + 1, sms_version = sms_version + 1
		WHERE id = ? AND sms_version = ?`, orgID, version)
}
