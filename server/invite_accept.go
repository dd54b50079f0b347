package server

import (
	"cmp"
	"context"
	"errors"
	"net/http"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server/store"
)

// passwordRules is the policy in words, for the link pages.
const passwordRules = "8 or more characters with upper and lower case, a digit and a special character; not a common password."

// invitationByToken finds the live invitation a link's token names, or
// errBadProof: wrong, used, revoked, replaced by a resend, expired, or of
// a disabled organisation all look the same.
func (s *Server) invitationByToken(ctx context.Context, token string) (*store.Invitation, error) {
	if len(token) > 128 {
		return nil, errBadProof
	}
	inv, err := s.st.Q().InvitationByToken(ctx, hashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return nil, errBadProof
	}
	if err != nil {
		return nil, err
	}
	if !s.now().Before(inv.ExpiresAt) {
		return nil, errBadProof
	}
	if at, err := s.st.Q().OrgDisabledAt(ctx, inv.OrgID); err != nil || !at.IsZero() {
		return nil, cmp.Or(err, error(errBadProof))
	}
	return inv, nil
}

// invitePage is the invitation's form, with what went wrong with a post
// (postErr) or with the link itself.
func (s *Server) invitePage(w http.ResponseWriter, r *http.Request, token, username string, postErr error) error {
	p := page{Title: "Join Phoneset", Action: "/v1/invitations/accept", Token: token, Button: "Create my account",
		AskUsername: true, Username: username, AskPassword: true, Text: "Choose a username and a password: " + passwordRules}
	inv, err := s.invitationByToken(r.Context(), token)
	switch {
	case err == nil:
		o, err := s.st.Q().OrgByID(r.Context(), inv.OrgID)
		if err != nil {
			return err
		}
		p.Title = "Join " + o.DisplayName + " on Phoneset"
		p.Text = "You are invited as " + inv.Email + ". " + p.Text
	case errors.Is(err, errBadProof):
		_, p.Errors = errorLines(err)
	default:
		return err
	}
	if postErr != nil {
		p.status, p.Errors = errorLines(postErr)
	}
	return s.render(w, p)
}

// acceptForm shows the invitation's page. Only the POST creates the
// account, so a mail scanner that fetches the link changes nothing.
func (s *Server) acceptForm(w http.ResponseWriter, r *http.Request) error {
	return s.invitePage(w, r, r.URL.Query().Get("token"), "", nil)
}

func decodeAccept(w http.ResponseWriter, r *http.Request) (api.InvitationAccept, error) {
	if !isForm(r) {
		return decode[api.InvitationAccept](w, r)
	}
	f, err := decodeForm(w, r, "token", "username", "password")
	if err != nil {
		return api.InvitationAccept{}, err
	}
	return api.InvitationAccept{Token: f.Get("token"), Username: f.Get("username"), Password: f.Get("password"), Device: "browser"}, nil
}

// acceptInvitation creates the invitee's account with the username and
// password they chose and signs them in: the answer is a session, or the
// challenge to enrol a second factor when the organisation requires one. The
// link is spent in the same transaction, so it works once however many
// accepts race.
func (s *Server) acceptInvitation(w http.ResponseWriter, r *http.Request) error {
	req, err := decodeAccept(w, r)
	if err != nil {
		return err
	}
	tokens, err := s.accept(r, req)
	if isForm(r) {
		// The account is made; the app asks for the second factor.
		if _, _, ok := api.ChallengeOf(err); ok {
			err = nil
		}
		if err != nil {
			return s.invitePage(w, r, req.Token, req.Username, err)
		}
		return s.donePage(w, "Welcome to Phoneset", "Your account is ready. Sign in to Phoneset as "+req.Username+" with your new password.")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, tokens)
	return nil
}

func (s *Server) accept(r *http.Request, req api.InvitationAccept) (api.Tokens, error) {
	ctx := r.Context()
	ip := s.clientIP(r)
	// A link cannot be guessed, but guessing is still throttled per
	// address, like the other links.
	limits := loginLimits(nil, "", ip)[1:]
	if err := s.checkLimits(ctx, limits); err != nil {
		return api.Tokens{}, err
	}
	if why := validateDevice(req.Device); why != nil {
		return api.Tokens{}, api.Invalid(map[string]*api.Reason{api.FieldDevice: why})
	}
	inv, err := s.invitationByToken(ctx, req.Token)
	if err != nil {
		if errors.Is(err, errBadProof) {
			s.hitLimits(ctx, limits)
		}
		return api.Tokens{}, err
	}
	fields := map[string]*api.Reason{}
	if why := api.ValidateUsername(req.Username); why != nil {
		fields[api.FieldUsername] = why
	}
	if why := api.ValidatePassword(req.Password, req.Username, inv.Email); why != nil {
		fields[api.FieldPassword] = why
	}
	if len(fields) > 0 {
		return api.Tokens{}, api.Invalid(fields)
	}
	hash := hashPassword(req.Password, s.hash)
	userID := newID("usr")
	p := &principal{ip: ip, Auth: store.Auth{UserID: userID, OrgID: inv.OrgID}}
	var tokens api.Tokens
	var enrol *store.User // made, but the organisation wants a second factor first
	err = s.st.Tx(ctx, func(q store.Q) error {
		if err := q.ConsumeInvitation(ctx, inv.ID, hashToken(req.Token)); errors.Is(err, store.ErrNotFound) {
			return errBadProof
		} else if err != nil {
			return err
		}
		u, err := s.createUser(ctx, q, p, newUser{ID: userID, OrgID: inv.OrgID, Username: req.Username, Email: inv.Email,
			DisplayName: inv.DisplayName, PasswordHash: hash, License: inv.License, Options: inv.Options, Owner: inv.Owner})
		if err != nil {
			return err
		}
		if err := s.auditPeople(ctx, q, p, inv.OrgID, "invitation.accept", "org/"+inv.OrgID+"/invitations/"+inv.ID,
			diff{{api.FieldUsername, "", u.Username}}); err != nil {
			return err
		}
		// A link from a mailbox is not a second factor: where the policy
		// requires one, the new member enrols before any session.
		if required, err := s.secondFactorRequired(ctx, q, u); err != nil || required {
			enrol = u
			return err
		}
		tokens, err = s.sessionIn(ctx, q, u, req.Device, ip, "session.create", req.Device)
		return err
	})
	if err == nil && enrol != nil {
		return api.Tokens{}, s.challenge(ctx, enrol, req.Device, true)
	}
	return tokens, err
}
