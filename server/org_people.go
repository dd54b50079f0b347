package server

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server/store"
)

// The admin routes of the user lifecycle (people.go does the work) and the
// invitee's accept page.

func (s *Server) listInvitations(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	invs, err := s.st.Q().Invitations(r.Context(), a.OrgID)
	if err != nil {
		return err
	}
	now := s.now()
	out := make([]api.Invitation, 0, len(invs))
	for _, i := range invs {
		out = append(out, i.API(now))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// createInvitation invites someone to the admin's organisation by email.
func (s *Server) createInvitation(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	req, err := decode[api.InvitationRequest](w, r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	var inv *store.Invitation
	var token string
	err = s.st.Tx(ctx, func(q store.Q) error {
		inv, token, err = s.invite(ctx, q, a.principal, a.OrgID, req, false)
		return err
	})
	if err != nil {
		return err
	}
	if err := s.sendInvitation(ctx, s.publicURL(r), inv, token); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, inv.API(s.now()))
	return nil
}

// resendInvitation sends an invitation again with a new link, valid for
// another 7 days; the old link stops working.
func (s *Server) resendInvitation(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	ctx := r.Context()
	var inv *store.Invitation
	token := randomToken(prefixLink)
	err := s.orgTx(ctx, a, func(q store.Q) error {
		var err error
		if inv, err = q.InvitationByID(ctx, a.OrgID, r.PathValue("id")); errors.Is(err, store.ErrNotFound) {
			return errNoSuchInvitation
		} else if err != nil {
			return err
		}
		now := s.now()
		if !now.Before(inv.ExpiresAt) {
			// Its license was no longer held: take a seat again if one is free.
			if err := s.userStart(ctx, q, a.OrgID, inv.License, nil); err != nil {
				return err
			}
		}
		old := inv.ExpiresAt
		inv.SentAt, inv.ExpiresAt = now, now.Add(api.InvitationTTL)
		if err := q.ResendInvitation(ctx, inv, hashToken(token)); err != nil {
			return err
		}
		inv.SentCount++
		return s.orgAudit(ctx, q, a, "invitation.resend", a.orgRes("invitations/"+inv.ID),
			diff{{"expires_at", old.UTC().Format(time.RFC3339), inv.ExpiresAt.UTC().Format(time.RFC3339)}})
	})
	if err != nil {
		return err
	}
	if err := s.sendInvitation(ctx, s.publicURL(r), inv, token); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, inv.API(s.now()))
	return nil
}

// revokeInvitation withdraws an invitation: its link stops working and
// any license it held is free again.
func (s *Server) revokeInvitation(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	ctx := r.Context()
	err := s.orgTx(ctx, a, func(q store.Q) error {
		inv, err := q.InvitationByID(ctx, a.OrgID, r.PathValue("id"))
		if errors.Is(err, store.ErrNotFound) {
			return errNoSuchInvitation
		} else if err != nil {
			return err
		}
		if err := q.DeleteInvitation(ctx, a.OrgID, inv.ID); err != nil {
			return err
		}
		return s.orgAudit(ctx, q, a, "invitation.revoke", a.orgRes("invitations/"+inv.ID), diff{{api.FieldEmail, inv.Email, ""}})
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// memberOf loads a user of the admin's organisation; 404 for anyone else.
func memberOf(ctx context.Context, q store.Q, a *adminCall, id string) (*store.User, error) {
	u, err := q.UserByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && u.OrgID != a.OrgID) {
		return nil, &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound, Message: "no such user in your organisation"}
	}
	return u, err
}

func (s *Server) deactivateMember(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	return s.setActive(w, r, a, s.deactivateUser)
}

func (s *Server) reactivateMember(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	return s.setActive(w, r, a, s.reactivateUser)
}

func (s *Server) setActive(w http.ResponseWriter, r *http.Request, a *adminCall,
	change func(context.Context, store.Q, *principal, *store.User) error) error {
	ctx := r.Context()
	id := r.PathValue("id")
	err := s.st.Tx(ctx, func(q store.Q) error {
		u, err := memberOf(ctx, q, a, id)
		if err != nil {
			return err
		}
		return change(ctx, q, a.principal, u)
	})
	if err != nil {
		return err
	}
	s.signedOut(a.OrgID, id) // a deactivated user's streams end now
	return s.writeOrgUser(ctx, w, a.OrgID, id)
}

// deleteMember erases a member on request: their account, photos and
// everything hanging off it go, and the audit log keeps a pseudonym in
// their place. It needs the admin's password (or a fresh sign-in), and is
// refused for the admin's own account, the owner and the last admin.
func (s *Server) deleteMember(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	var req api.PasswordProof
	if r.ContentLength != 0 {
		var err error
		if req, err = decode[api.PasswordProof](w, r); err != nil {
			return err
		}
	}
	ctx := r.Context()
	id := r.PathValue("id")
	// Who may be deleted is settled before the password is tried, so a
	// refusal never costs one of the admin's password attempts.
	check := func(q store.Q) (*store.User, error) {
		u, err := memberOf(ctx, q, a, id)
		if err != nil {
			return nil, err
		}
		return u, mayLose(ctx, q, a.principal, u)
	}
	if _, err := check(s.st.Q()); err != nil {
		return err
	}
	if err := s.freshProof(ctx, a.principal, a.user, req.Password); err != nil {
		return err
	}
	pseudonym := newID("erased")
	err := s.orgTx(ctx, a, func(q store.Q) error {
		u, err := check(q)
		if err != nil {
			return err
		}
		state := "active"
		if !u.DeactivatedAt.IsZero() {
			state = "deactivated"
		}
		personal := []string{u.DisplayName, u.Email, u.PendingEmail, u.Mobile, u.PendingMobile, u.FixedNumber, u.Username,
			strings.TrimSpace(u.FirstName + " " + u.LastName)}
		if err := q.DeleteUser(ctx, u.ID); err != nil {
			return err
		}
		if err := q.Pseudonymise(ctx, a.OrgID, u.ID, pseudonym, personal); err != nil {
			return err
		}
		return s.orgAudit(ctx, q, a, "user.delete", userRes(pseudonym, "account"), diff{{"account", state, "erased"}})
	})
	if err != nil {
		return err
	}
	s.erased(a.OrgID, id)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
