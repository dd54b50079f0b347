package server

import (
	"context"
	"errors"
	"net/http"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server/mail"
	"github.com/phoneset/phoneset/server/store"
)

// orgUsers lists the org's members matching f, marking the owner.
func (s *Server) orgUsers(ctx context.Context, q store.Q, orgID string, f store.MemberFilter) ([]api.OrgUser, error) {
	o, err := q.OrgProfileByID(ctx, orgID)
	if err != nil {
		return nil, err
	}
	users, err := q.OrgMembers(ctx, orgID, f)
	if err != nil {
		return nil, err
	}
	for i := range users {
		users[i].Owner = users[i].ID == o.OwnerID
	}
	return users, nil
}

// orgUser loads one member of the admin's org; 404 for anyone else.
func (s *Server) orgUser(ctx context.Context, q store.Q, orgID, userID string) (api.OrgUser, error) {
	users, err := s.orgUsers(ctx, q, orgID, store.MemberFilter{UserID: userID})
	if err != nil {
		return api.OrgUser{}, err
	}
	if len(users) == 0 {
		return api.OrgUser{}, &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound, Message: "no such user in your organisation"}
	}
	return users[0], nil
}

func (s *Server) listOrgUsers(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	v := r.URL.Query()
	f := store.MemberFilter{Option: v.Get("option"), CostCenter: v.Get("cost_center"), License: v.Get("license"), Query: v.Get("q")}
	if len(f.Query) > 100 {
		return badRequest("the search is too long", map[string]*api.Reason{"q": {Code: api.ReasonTooLong, Args: api.Args{"max": 100}}})
	}
	users, err := s.orgUsers(r.Context(), s.st.Q(), a.OrgID, f)
	if err != nil {
		return err
	}
	if wantsCSV(r) {
		return s.exportUsers(w, r, a, users)
	}
	writeJSON(w, http.StatusOK, users)
	return nil
}

var errOwnerOnly = api.Refused(http.StatusForbidden, api.CodeForbidden, api.Because(api.ReasonOwnerOnly))

// emailTarget is the member whose address admin a sets: 404 outside a's
// organisation, 403 for the owner unless a is the owner, since an address
// is a password reset away from the account.
func (s *Server) emailTarget(ctx context.Context, q store.Q, a *adminCall, id string) (*store.User, error) {
	u, err := q.UserByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && u.OrgID != a.OrgID) {
		return nil, &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound, Message: "no such user in your organisation"}
	}
	if err != nil {
		return nil, err
	}
	o, err := q.OrgProfileByID(ctx, a.OrgID)
	if err != nil {
		return nil, err
	}
	if u.ID == o.OwnerID && a.UserID != o.OwnerID {
		return nil, errOwnerOnly
	}
	return u, nil
}

// setUserEmail lets an admin set a member's email address at once, with
// the admin's own password. It replaces any change the member had pending;
// both addresses are told.
func (s *Server) setUserEmail(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	req, version, err := conditional[api.EmailSet](w, r)
	if err != nil {
		return err
	}
	if why := api.ValidateEmail(req.Email); why != nil {
		return api.Invalid(map[string]*api.Reason{api.FieldEmail: why})
	}
	ctx := r.Context()
	// Who may be changed is settled before the password is tried, so a
	// refusal never costs one of the admin's password attempts.
	if _, err := s.emailTarget(ctx, s.st.Q(), a, r.PathValue("id")); err != nil {
		return err
	}
	if err := s.proveIdentity(ctx, a.user, req.Password, api.FieldPassword); err != nil {
		return err
	}
	var old string
	err = s.st.Tx(ctx, func(q store.Q) error {
		u, err := s.emailTarget(ctx, q, a, r.PathValue("id"))
		if err != nil {
			return err
		}
		same := u.Email == req.Email
		if err := checkWrite(u.ProfileVersion, version, same); err != nil || same {
			return err
		}
		if err := q.DeleteVerification(ctx, u.ID, store.PurposeEmailChange); err != nil {
			return err
		}
		var d diff
		d.str(api.FieldEmail, u.Email, req.Email)
		d.str(api.FieldPendingEmail, u.PendingEmail, "")
		old, u.Email, u.PendingEmail = u.Email, req.Email, ""
		if err := q.SaveProfile(ctx, u, version); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return conflict(api.FieldEmail, api.Because(api.ReasonTaken))
			}
			return err
		}
		return s.orgAudit(ctx, q, a, "email.set_by_admin", userRes(u.ID, "profile"), d)
	})
	if err != nil && !errors.Is(err, errApplied) {
		return err
	}
	if old != "" {
		if err := s.notifyEmailSet(ctx, old, req.Email); err != nil {
			return err
		}
	}
	return s.writeOrgUser(ctx, w, a.OrgID, r.PathValue("id"))
}

func (s *Server) writeOrgUser(ctx context.Context, w http.ResponseWriter, orgID, userID string) error {
	u, err := s.orgUser(ctx, s.st.Q(), orgID, userID)
	if err != nil {
		return err
	}
	writeVersioned(w, http.StatusOK, u.ProfileVersion, u)
	return nil
}

// grantAdmin gives a member permission "account".
func (s *Server) grantAdmin(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	ctx := r.Context()
	id := r.PathValue("id")
	err := s.orgTx(ctx, a, func(q store.Q) error {
		u, err := s.orgUser(ctx, q, a.OrgID, id)
		if err != nil || u.Admin {
			return err
		}
		if err := q.Grant(ctx, id, api.PermAccount); err != nil {
			return err
		}
		return s.orgAudit(ctx, q, a, "permission.grant", userRes(id, "permissions"), diff{{api.PermAccount, "not granted", "granted"}})
	})
	if err != nil {
		return err
	}
	return s.writeOrgUser(ctx, w, a.OrgID, id)
}

// revokeAdmin takes permission "account" away, unless that would leave
// the org without an admin or the member is the account owner.
func (s *Server) revokeAdmin(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	ctx := r.Context()
	id := r.PathValue("id")
	err := s.orgTx(ctx, a, func(q store.Q) error {
		u, err := s.orgUser(ctx, q, a.OrgID, id)
		if err != nil || !u.Admin {
			return err
		}
		if u.Owner {
			return refuse("permission", api.Because(api.ReasonOwnerKeepsAdmin))
		}
		n, err := q.CountWithPermission(ctx, a.OrgID, api.PermAccount)
		if err != nil {
			return err
		}
		if n <= 1 {
			return refuse("permission", api.Because(api.ReasonAdminMustRemain))
		}
		if _, err := q.Revoke(ctx, id, api.PermAccount); err != nil {
			return err
		}
		return s.orgAudit(ctx, q, a, "permission.revoke", userRes(id, "permissions"), diff{{api.PermAccount, "granted", "not granted"}})
	})
	if err != nil {
		return err
	}
	return s.writeOrgUser(ctx, w, a.OrgID, id)
}

// notifyEmailSet tells a member, at the old and the new address, that an
// admin changed their email address.
func (s *Server) notifyEmailSet(ctx context.Context, old, next string) error {
	body := "An administrator of your organisation changed the email address of your Phoneset account from " +
		old + " to " + next + ".\nIf you did not expect this, contact your administrator."
	for _, to := range []string{old, next} {
		if err := s.deliver(ctx, s.mail, mail.Message{Channel: mail.Email, To: to,
			Subject: "Your Phoneset email address was changed", Body: body}); err != nil {
			return err
		}
	}
	return nil
}
