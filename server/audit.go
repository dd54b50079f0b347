package server

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server/store"
)

// newID returns a random identifier with a kind prefix, e.g. "usr_…".
func newID(kind string) string {
	b := make([]byte, 10)
	rand.Read(b)
	return kind + "_" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// userRes names a resource of a user in audit events: "user/ID/sub".
func userRes(userID, sub string) string { return "user/" + userID + "/" + sub }

// event starts an audit event for an action by p on u's account.
func (s *Server) event(p *principal, u *store.User, action, resource string) api.AuditEvent {
	actor := u.DisplayName
	if p.UserID != u.ID {
		actor = p.UserID
	}
	return api.AuditEvent{At: s.now().UTC(), ActorID: p.UserID, Actor: actor, IP: p.ip, Action: action, Resource: resource}
}

// change is one field's old and new value.
type change struct{ field, old, new string }

// diff collects the fields whose values differ.
type diff []change

func (d *diff) str(field, old, new string) {
	if old != new {
		*d = append(*d, change{field, old, new})
	}
}

func (d *diff) bool(field string, old, new bool) {
	d.str(field, strconv.FormatBool(old), strconv.FormatBool(new))
}

func (d *diff) json(field string, old, new any) {
	o, _ := json.Marshal(old)
	n, _ := json.Marshal(new)
	d.str(field, string(o), string(n))
}

// setStr sets *dst to *v when v is given, recording the change.
func (d *diff) setStr(field string, dst, v *string) {
	if v != nil {
		d.str(field, *dst, *v)
		*dst = *v
	}
}

// setBool is setStr for a switch.
func (d *diff) setBool(field string, dst, v *bool) {
	if v != nil {
		d.bool(field, *dst, *v)
		*dst = *v
	}
}

// audit writes one event per changed field.
func (s *Server) audit(r *http.Request, q store.Q, p *principal, u *store.User, action, resource string, d diff) error {
	for _, c := range d {
		ev := s.event(p, u, action, resource)
		ev.Field, ev.Old, ev.New = c.field, c.old, c.new
		if err := q.Audit(r.Context(), u.OrgID, ev); err != nil {
			return err
		}
	}
	return nil
}
