package store

import (
	"context"
	"strings"

	"github.com/phoneset/phoneset/api"
)

// MemberFilter narrows OrgMembers; empty fields match everyone.
type MemberFilter struct {
	UserID     string
	Option     string
	CostCenter string
	License    string
	Query      string
}

// likePattern matches s anywhere, with LIKE's wildcards in s escaped.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(s)) + "%"
}

// OrgMembers lists the org's users as admins see them, by display name,
// with their admin permission, licenses, cost center and structure
// options. Owner is left for the caller, who knows the org.
func (q Q) OrgMembers(ctx context.Context, orgID string, f MemberFilter) ([]api.OrgUser, error) {
	query := `SELECT u.id, u.username, u.display_name, u.email, u.profile_version, u.deactivated_at <> 0,
		EXISTS (SELECT 1 FROM user_permissions p WHERE p.user_id = u.id AND p.permission = ?),
		COALESCE((SELECT c.cost_center_id FROM cost_center_users c WHERE c.user_id = u.id), '')
		FROM users u WHERE u.org_id = ?`
	args := []any{api.PermAccount, orgID}
	if f.UserID != "" {
		query += ` AND u.id = ?`
		args = append(args, f.UserID)
	}
	if f.Option != "" {
		query += ` AND EXISTS (SELECT 1 FROM user_options o WHERE o.user_id = u.id AND o.option_id = ?)`
		args = append(args, f.Option)
	}
	if f.CostCenter != "" {
		query += ` AND EXISTS (SELECT 1 FROM cost_center_users c WHERE c.user_id = u.id AND c.cost_center_id = ?)`
		args = append(args, f.CostCenter)
	}
	if f.License != "" {
		query += ` AND EXISTS (SELECT 1 FROM user_licenses l WHERE l.user_id = u.id AND l.sku = ?)`
		args = append(args, f.License)
	}
	if f.Query != "" {
		query += ` AND (lower(u.display_name) LIKE ? ESCAPE '\' OR u.username_norm LIKE ? ESCAPE '\' OR u.email_norm LIKE ? ESCAPE '\')`
		p := likePattern(f.Query)
		args = append(args, p, p, p)
	}
	query += ` ORDER BY lower(u.display_name), u.id`
	users, err := list(ctx, q, func(sc scanner) (api.OrgUser, error) {
		u := api.OrgUser{Licenses: []string{}, Options: map[string]string{}}
		err := sc.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Email, &u.ProfileVersion, &u.Deactivated, &u.Admin, &u.CostCenter)
		return u, err
	}, query, args...)
	if err != nil || len(users) == 0 {
		return users, err
	}
	byID := make(map[string]*api.OrgUser, len(users))
	for i := range users {
		byID[users[i].ID] = &users[i]
	}
	pairs, err := q.pairs(ctx, `SELECT l.user_id, l.sku, '' FROM user_licenses l JOIN users u ON u.id = l.user_id
		WHERE u.org_id = ? ORDER BY l.sku`, orgID)
	if err != nil {
		return nil, err
	}
	for _, p := range pairs {
		if u := byID[p[0]]; u != nil {
			u.Licenses = append(u.Licenses, p[1])
		}
	}
	if pairs, err = q.pairs(ctx, `SELECT o.user_id, o.category_id, o.option_id FROM user_options o
		JOIN users u ON u.id = o.user_id WHERE u.org_id = ?`, orgID); err != nil {
		return nil, err
	}
	for _, p := range pairs {
		if u := byID[p[0]]; u != nil {
			u.Options[p[1]] = p[2]
		}
	}
	return users, nil
}

// MemberNames maps each of the org's user IDs to the display name.
func (q Q) MemberNames(ctx context.Context, orgID string) (map[string]string, error) {
	pairs, err := q.pairs(ctx, `SELECT id, display_name, '' FROM users WHERE org_id = ?`, orgID)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(pairs))
	for _, p := range pairs {
		out[p[0]] = p[1]
	}
	return out, nil
}

// PendingEmailUsers lists the org's users with an email change waiting
// for its link.
func (q Q) PendingEmailUsers(ctx context.Context, orgID string) ([]string, error) {
	return list(ctx, q, scanOne[string], `SELECT id FROM users WHERE org_id = ? AND pending_email <> '' ORDER BY id`, orgID)
}

// Revoke takes a permission from a user; removed is false when they did
// not hold it.
func (q Q) Revoke(ctx context.Context, userID, perm string) (removed bool, err error) {
	res, err := q.exec(ctx, `DELETE FROM user_permissions WHERE user_id = ? AND permission = ?`, userID, perm)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return false, err
	}
	_, err = q.exec(ctx, `UPDATE users SET rev = rev + 1 WHERE id = ?`, userID)
	return true, err
}
