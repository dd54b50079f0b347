package store

import (
	"context"
	"strings"
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

// list runs a query and scans every row with scan.
func list[T any](ctx context.Context, q Q, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// scanOne scans a single-column row.
func scanOne[T any](sc scanner) (T, error) {
	var v T
	err := sc.Scan(&v)
	return v, err
}

// pairs reads rows of three strings.
func (q Q) pairs(ctx context.Context, query string, args ...any) ([][3]string, error) {
	return list(ctx, q, func(sc scanner) ([3]string, error) {
		var p [3]string
		err := sc.Scan(&p[0], &p[1], &p[2])
		return p, err
	}, query, args...)
}
