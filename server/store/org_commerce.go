package store

import (
	"context"
	"time"

	"github.com/phoneset/phoneset/api"
)

// PutProduct adds a product to the org's price list or updates it.
func (q Q) PutProduct(ctx context.Context, orgID string, p api.Product, sortOrder int) error {
	_, err := q.exec(ctx, `INSERT INTO org_products (org_id, sku, kind, name, unit_price, currency, sort_order)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (org_id, sku) DO UPDATE SET kind = excluded.kind, name = excluded.name,
		unit_price = excluded.unit_price, currency = excluded.currency, sort_order = excluded.sort_order`,
		orgID, p.SKU, p.Kind, p.Name, p.UnitPrice, p.Currency, sortOrder)
	return err
}

// Products lists the org's price list in order.
func (q Q) Products(ctx context.Context, orgID string) ([]api.Product, error) {
	return list(ctx, q, func(sc scanner) (api.Product, error) {
		var p api.Product
		err := sc.Scan(&p.SKU, &p.Kind, &p.Name, &p.UnitPrice, &p.Currency)
		return p, err
	}, `SELECT sku, kind, name, unit_price, currency FROM org_products WHERE org_id = ? ORDER BY sort_order, sku`, orgID)
}

// AddHolding adds n of a product to what the org holds.
func (q Q) AddHolding(ctx context.Context, orgID, sku string, n int64) error {
	_, err := q.exec(ctx, `INSERT INTO org_holdings (org_id, sku, quantity) VALUES (?, ?, ?)
		ON CONFLICT (org_id, sku) DO UPDATE SET quantity = org_holdings.quantity + excluded.quantity`, orgID, sku, n)
	return err
}

// Holdings maps each product the org holds to its quantity.
func (q Q) Holdings(ctx context.Context, orgID string) (map[string]int64, error) {
	return q.metricMap(ctx, `SELECT sku, quantity FROM org_holdings WHERE org_id = ?`, orgID)
}

// AssignedLicenses maps each license SKU to how many of the org's users
// hold one.
func (q Q) AssignedLicenses(ctx context.Context, orgID string) (map[string]int64, error) {
	return q.metricMap(ctx, `SELECT l.sku, COUNT(*) FROM user_licenses l JOIN users u ON u.id = l.user_id
		WHERE u.org_id = ? GROUP BY l.sku`, orgID)
}

// AssignLicense gives a user a license; added is false when they had it.
func (q Q) AssignLicense(ctx context.Context, userID, sku string, at time.Time) (added bool, err error) {
	res, err := q.exec(ctx, `INSERT INTO user_licenses (user_id, sku, assigned_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
		userID, sku, Micros(at))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// UnassignLicense takes a license from a user; removed is false when they
// had none.
func (q Q) UnassignLicense(ctx context.Context, userID, sku string) (removed bool, err error) {
	res, err := q.exec(ctx, `DELETE FROM user_licenses WHERE user_id = ? AND sku = ?`, userID, sku)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// CreateOrder records an order and its lines.
func (q Q) CreateOrder(ctx context.Context, orgID string, o *api.Order) error {
	if _, err := q.exec(ctx, `INSERT INTO org_orders (id, org_id, ordered_by, ordered_by_name, ordered_at, currency, total)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, o.ID, orgID, o.ByID, o.By, Micros(o.At), o.Currency, o.Total); err != nil {
		return classify(err)
	}
	for i, l := range o.Lines {
		if _, err := q.exec(ctx, `INSERT INTO org_order_lines (order_id, line, sku, name, quantity, unit_price)
			VALUES (?, ?, ?, ?, ?, ?)`, o.ID, i, l.SKU, l.Name, l.Quantity, l.UnitPrice); err != nil {
			return err
		}
	}
	return nil
}

// Orders lists the org's latest orders, newest first.
func (q Q) Orders(ctx context.Context, orgID string, limit int) ([]api.Order, error) {
	rows, err := q.query(ctx, `SELECT o.id, o.ordered_by, o.ordered_by_name, o.ordered_at, o.currency, o.total,
		l.sku, l.name, l.quantity, l.unit_price
		FROM (SELECT * FROM org_orders WHERE org_id = ? ORDER BY ordered_at DESC, id LIMIT ?) o
		JOIN org_order_lines l ON l.order_id = o.id
		ORDER BY o.ordered_at DESC, o.id, l.line`, orgID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []api.Order{}
	for rows.Next() {
		var o api.Order
		var l api.OrderLine
		var at int64
		if err := rows.Scan(&o.ID, &o.ByID, &o.By, &at, &o.Currency, &o.Total, &l.SKU, &l.Name, &l.Quantity, &l.UnitPrice); err != nil {
			return nil, err
		}
		l.Total = l.Quantity * l.UnitPrice
		if n := len(out); n > 0 && out[n-1].ID == o.ID {
			out[n-1].Lines = append(out[n-1].Lines, l)
			continue
		}
		o.At = FromMicros(at)
		o.Lines = []api.OrderLine{l}
		out = append(out, o)
	}
	return out, rows.Err()
}
