package store

import (
	"context"
	"time"
	"unicode/utf8"

	"github.com/phoneset/phoneset/api"
)

// OrgAuditFilter selects an org's audit events for admins; empty fields
// match everything.
type OrgAuditFilter struct {
	OrgID string
	// User matches events the user made and events about their account.
	User string
	// Action and Resource match exactly or as a prefix ending at a "." or
	// "/" boundary: "org" matches "org.update", "user/x" matches
	// "user/x/profile".
	Action, Resource string
	From, To         time.Time // To is exclusive
	BeforeID         int64
	Limit            int // 1–1000
}

// MaxAuditPage is the most events one OrgAudit call returns.
const MaxAuditPage = 1000

// prefixMatch is "col equals v, or starts with v+sep".
func prefixMatch(col, v, sep string) (string, []any) {
	return ` AND (` + col + ` = ? OR substr(` + col + `, 1, ?) = ?)`, []any{v, utf8.RuneCountInString(v + sep), v + sep}
}

// OrgAudit lists matching events, newest first.
func (q Q) OrgAudit(ctx context.Context, f OrgAuditFilter) ([]api.AuditEvent, error) {
	query := `SELECT id, at, actor_id, actor, ip, action, resource, field, old_value, new_value FROM audit_events WHERE org_id = ?`
	args := []any{f.OrgID}
	if f.User != "" {
		res := "user/" + f.User
		query += ` AND (actor_id = ? OR resource = ? OR substr(resource, 1, ?) = ?)`
		args = append(args, f.User, res, utf8.RuneCountInString(res)+1, res+"/")
	}
	if f.Action != "" {
		cond, a := prefixMatch("action", f.Action, ".")
		query += cond
		args = append(args, a...)
	}
	if f.Resource != "" {
		cond, a := prefixMatch("resource", f.Resource, "/")
		query += cond
		args = append(args, a...)
	}
	if !f.From.IsZero() {
		query += ` AND at >= ?`
		args = append(args, Micros(f.From))
	}
	if !f.To.IsZero() {
		query += ` AND at < ?`
		args = append(args, Micros(f.To))
	}
	if f.BeforeID > 0 {
		query += ` AND id < ?`
		args = append(args, f.BeforeID)
	}
	if f.Limit <= 0 || f.Limit > MaxAuditPage {
		f.Limit = 100
	}
	query += ` ORDER BY id DESC LIMIT ?`
	args = append(args, f.Limit)
	return list(ctx, q, func(sc scanner) (api.AuditEvent, error) {
		var e api.AuditEvent
		var at int64
		err := sc.Scan(&e.ID, &at, &e.ActorID, &e.Actor, &e.IP, &e.Action, &e.Resource, &e.Field, &e.Old, &e.New)
		e.At = FromMicros(at)
		return e, err
	}, query, args...)
}
