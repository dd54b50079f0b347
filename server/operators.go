package server

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server/store"
)

// Operators (phoneset-server org …) run one backend for many customers:
// they make organisations, list them and disable them. An organisation's
// owner joins by invitation like anyone else.

// operator is who operators act as in the audit log.
var operator = &principal{ip: "operator", Auth: store.Auth{UserID: "operator"}}

// NewOrg is an organisation an operator makes.
type NewOrg struct {
	Name       string // display and company name
	Number     string // organisation number, unique across the backend
	OwnerEmail string
	OwnerName  string // "" for the address's local part
	TimeZone   string // "" for Europe/Stockholm
	Language   string // "" for en
}

// CreateOrganisation makes an organisation and invites its owner, who
// becomes owner and admin on accepting. base is the public URL the
// emailed link starts with; the link is returned too, for an operator
// without email delivery.
func (s *Server) CreateOrganisation(ctx context.Context, n NewOrg, base string) (orgID, link string, err error) {
	n.TimeZone = cmp.Or(n.TimeZone, "Europe/Stockholm")
	n.Language = cmp.Or(n.Language, "en")
	if n.OwnerName == "" {
		n.OwnerName, _, _ = strings.Cut(n.OwnerEmail, "@")
	}
	fields := map[string]*api.Reason{}
	if why := api.ValidateDisplayName(n.Name); why != nil {
		fields["name"] = why
	}
	if why := api.ValidateDisplayName(n.Number); why != nil {
		fields[api.FieldOrgNumber] = why
	}
	if why := api.ValidateTimeZone(n.TimeZone); why != nil {
		fields[api.FieldTimeZone] = why
	}
	if why := api.ValidateLanguage(n.Language); why != nil {
		fields[api.FieldLanguage] = why
	}
	if len(fields) > 0 {
		return "", "", api.Invalid(fields)
	}
	now := s.now()
	o := &store.Org{ID: newID("org"), DisplayName: n.Name, TimeZone: n.TimeZone, Language: n.Language,
		MembersChooseAvatar: true, MembersChooseCover: true, MembersChangeEmail: true, CycleDay: 1, CreatedAt: now}
	var inv *store.Invitation
	var token string
	err = s.st.Tx(ctx, func(q store.Q) error {
		if _, err := q.OrgIDByNumber(ctx, n.Number); err == nil {
			return conflict(api.FieldOrgNumber, api.Because(api.ReasonTaken))
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err := q.CreateOrg(ctx, o); err != nil {
			return err
		}
		if err := q.SetOrgCompany(ctx, o.ID, n.Name, n.Number, ""); err != nil {
			return err
		}
		if err := s.auditPeople(ctx, q, operator, o.ID, "org.create", "org/"+o.ID,
			diff{{"name", "", n.Name}, {api.FieldOrgNumber, "", n.Number}}); err != nil {
			return err
		}
		inv, token, err = s.invite(ctx, q, operator, o.ID, api.InvitationRequest{Email: n.OwnerEmail, DisplayName: n.OwnerName}, true)
		return err
	})
	if err != nil {
		return "", "", err
	}
	link = strings.TrimRight(base, "/") + "/v1/invitations/accept?token=" + token
	return o.ID, link, s.sendInvitation(ctx, strings.TrimRight(base, "/"), inv, token)
}

// Organisations lists every organisation, oldest first.
func (s *Server) Organisations(ctx context.Context) ([]store.OrgRow, error) {
	return s.st.Q().OrgRows(ctx)
}

// DisableOrganisation stops an organisation: its members' sessions end,
// their tokens and API keys stop working at once, and nobody of it can
// sign in, reset a password or accept an invitation. Its data stays.
// It returns how many sessions ended.
func (s *Server) DisableOrganisation(ctx context.Context, orgID string) (int64, error) {
	var n int64
	err := s.st.Tx(ctx, func(q store.Q) error {
		at, err := q.OrgDisabledAt(ctx, orgID)
		if errors.Is(err, store.ErrNotFound) {
			return &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound, Message: "no organisation " + orgID}
		}
		if err != nil || !at.IsZero() {
			return err
		}
		if n, err = q.DisableOrg(ctx, orgID, s.now()); err != nil {
			return err
		}
		return s.auditPeople(ctx, q, operator, orgID, "org.disable", "org/"+orgID, diff{{"enabled", "true", "false"}})
	})
	if err == nil {
		// The operator's command is a process of its own: its notification
		// (NOTIFY on PostgreSQL, a row the server's listener sees on
		// SQLite) ends the running servers' streams at once.
		s.signedOut(orgID, "")
	}
	return n, err
}
