package server

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server/store"
)

// adminCall is a request by an organisation admin.
type adminCall struct {
	*principal
	user *store.User // the admin, for the audit log's "who"
}

type adminFunc func(w http.ResponseWriter, r *http.Request, a *adminCall) error

var errNotAdmin = api.Refused(http.StatusForbidden, api.CodeForbidden, api.Because(api.ReasonNeedsAccountPerm))

// admin guards a /v1/org route: permission "account", read from the
// database on every request so a revoked admin is refused at once.
func (s *Server) admin(h adminFunc) http.Handler {
	return s.authed(func(w http.ResponseWriter, r *http.Request, p *principal) error {
		ctx := r.Context()
		perms, err := s.st.Q().Permissions(ctx, p.UserID)
		if err != nil {
			return err
		}
		if !slices.Contains(perms, api.PermAccount) {
			return errNotAdmin
		}
		u, err := s.st.Q().UserByID(ctx, p.UserID)
		if err != nil {
			return err
		}
		return h(w, r, &adminCall{principal: p, user: u})
	})
}

// adminIdempotent is admin for a POST that creates something: a repeated
// Idempotency-Key replays the first answer instead of creating twice.
func (s *Server) adminIdempotent(h adminFunc) http.Handler {
	return s.admin(func(w http.ResponseWriter, r *http.Request, a *adminCall) error {
		return s.idempotent(func(w http.ResponseWriter, r *http.Request, _ *principal) error {
			return h(w, r, a)
		})(w, r, a.principal)
	})
}

// orgRes names a resource of the admin's org in audit events.
func (a *adminCall) orgRes(sub string) string {
	if sub == "" {
		return "org/" + a.OrgID
	}
	return "org/" + a.OrgID + "/" + sub
}

// orgEvent starts an audit event for an admin's action.
func (s *Server) orgEvent(a *adminCall, action, resource string) api.AuditEvent {
	return api.AuditEvent{At: s.now().UTC(), ActorID: a.UserID, Actor: a.user.DisplayName, IP: a.ip, Action: action, Resource: resource}
}

// orgAudit writes one event per changed field.
func (s *Server) orgAudit(ctx context.Context, q store.Q, a *adminCall, action, resource string, d diff) error {
	for _, c := range d {
		ev := s.orgEvent(a, action, resource)
		ev.Field, ev.Old, ev.New = c.field, c.old, c.new
		if err := q.Audit(ctx, a.OrgID, ev); err != nil {
			return err
		}
	}
	return nil
}

// orgTx runs fn in a transaction that first locks the org row (bumping
// its version, which GET /v1/me is cached on), so org-wide checks such as
// license counts and "one admin remains" see every concurrent change.
func (s *Server) orgTx(ctx context.Context, a *adminCall, fn func(q store.Q) error) error {
	return s.st.Tx(ctx, func(q store.Q) error {
		if err := q.BumpOrg(ctx, a.OrgID); err != nil {
			return err
		}
		return fn(q)
	})
}

// conditional reads a conditional write: its If-Match version and JSON
// body.
func conditional[T any](w http.ResponseWriter, r *http.Request) (T, int64, error) {
	var body T
	version, err := ifMatch(r)
	if err != nil {
		return body, 0, err
	}
	body, err = decode[T](w, r)
	return body, version, err
}

// validName checks an optional new name of something.
func validName(field string, name *string) error {
	if name != nil {
		if why := api.ValidateDisplayName(*name); why != nil {
			return api.Invalid(map[string]*api.Reason{field: why})
		}
	}
	return nil
}

// conflict refuses a value that clashes with what is stored, such as a
// name another one has.
func conflict(field string, why *api.Reason) *api.Error {
	return &api.Error{Status: http.StatusConflict, Code: api.CodeConflict, Message: field + " " + why.String(),
		Fields: map[string]*api.Reason{field: why}}
}

// refuse refuses a change the organisation's state does not allow now; why
// explains the whole request, and names field for clients that mark it.
func refuse(field string, why *api.Reason) *api.Error {
	e := api.Refused(http.StatusConflict, api.CodeConflict, why)
	e.Fields = map[string]*api.Reason{field: why}
	return e
}

func takenName(err error, field string) error {
	if errors.Is(err, store.ErrConflict) {
		return conflict(field, api.Because(api.ReasonTaken))
	}
	return err
}

// knownUsers checks that every ID names a member of the org and returns
// them sorted without repeats, with the members' display names.
func knownUsers(ctx context.Context, q store.Q, orgID, field string, ids []string) ([]string, map[string]string, error) {
	names, err := q.MemberNames(ctx, orgID)
	if err != nil {
		return nil, nil, err
	}
	out := []string{}
	for _, id := range ids {
		if _, ok := names[id]; !ok {
			return nil, nil, api.Invalid(map[string]*api.Reason{field: {Code: api.ReasonUnknownUser, Args: api.Args{"value": id}}})
		}
		out = append(out, id)
	}
	slices.Sort(out)
	return slices.Compact(out), names, nil
}

// nameList renders users for the audit log: their names, sorted.
func nameList(ids []string, names map[string]string) string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, names[id])
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}
