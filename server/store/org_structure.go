package store

import (
	"context"
	"time"

	"github.com/phoneset/phoneset/api"
)

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
