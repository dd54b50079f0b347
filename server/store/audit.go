package store

import (
	"context"

	"github.com/phoneset/phoneset/api"
)

// Audit appends an event to the org's audit log.
func (q Q) Audit(ctx context.Context, orgID string, e api.AuditEvent) error {
	_, err := q.exec(ctx, `INSERT INTO audit_events (org_id, at, actor_id, actor, ip, action, resource, field, old_value, new_value)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		orgID, Micros(e.At), e.ActorID, e.Actor, e.IP, e.Action, e.Resource, e.Field, e.Old, e.New)
	return err
}

// AuditFilter selects audit events; empty fields match everything.
type AuditFilter struct {
	OrgID    string
	Resource string // exact, or a prefix ending in "/"
	Action   string
	BeforeID int64 // page backwards from this ID; 0 = newest
	Limit    int
}

// AuditEvents lists matching events, newest first.
func (q Q) AuditEvents(ctx context.Context, f AuditFilter) ([]api.AuditEvent, error) {
	query := `SELECT id, at, actor_id, actor, ip, action, resource, field, old_value, new_value FROM audit_events WHERE org_id = ?`
	args := []any{f.OrgID}
	if f.Resource != "" {
		if f.Resource[len(f.Resource)-1] == '/' {
			query += ` AND substr(resource, 1, ?) = ?`
			args = append(args, len(f.Resource), f.Resource)
		} else {
			query += ` AND resource = ?`
			args = append(args, f.Resource)
		}
	}
	if f.Action != "" {
		query += ` AND action = ?`
		args = append(args, f.Action)
	}
	if f.BeforeID > 0 {
		query += ` AND id < ?`
		args = append(args, f.BeforeID)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	query += ` ORDER BY id DESC LIMIT ?`
	args = append(args, f.Limit)
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []api.AuditEvent{}
	for rows.Next() {
		var e api.AuditEvent
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.ActorID, &e.Actor, &e.IP, &e.Action, &e.Resource, &e.Field, &e.Old, &e.New); err != nil {
			return nil, err
		}
		e.At = FromMicros(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
