package server

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server/mail"
	"github.com/phoneset/phoneset/server/store"
)

// Sending verification messages costs money and can annoy the recipient:
// a few per user per hour.
func sendLimits(userID string) []limit {
	return []limit{{"send:" + userID, 5, time.Hour}}
}

// requestEmailChange mails a confirmation link to the new address and a
// notice to the current one. The address changes only when the link is
// opened.
func (s *Server) requestEmailChange(w http.ResponseWriter, r *http.Request, p *principal) error {
	req, err := decode[api.EmailChangeRequest](w, r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	u, err := s.st.Q().UserByID(ctx, p.UserID)
	if err != nil {
		return err
	}
	o, err := s.st.Q().OrgByID(ctx, u.OrgID)
	if err != nil {
		return err
	}
	if !o.MembersChangeEmail {
		return api.Refused(http.StatusForbidden, api.CodeForbidden, api.Because(api.ReasonEmailManaged))
	}
	if why := api.ValidateEmail(req.Email); why != nil {
		return api.Invalid(map[string]*api.Reason{api.FieldEmail: why})
	}
	if store.NormEmail(req.Email) == store.NormEmail(u.Email) {
		return api.Invalid(map[string]*api.Reason{api.FieldEmail: api.Because(api.ReasonSameEmail)})
	}
	// Before the lookup, so a stolen token cannot ask which addresses are taken.
	if err := s.freshProof(ctx, p, u, req.Password); err != nil {
		return err
	}
	if other, err := s.st.Q().UserByLogin(ctx, req.Email); err == nil && other.ID != u.ID {
		return conflict(api.FieldEmail, api.Because(api.ReasonTaken))
	}
	if err := s.checkLimits(ctx, sendLimits(u.ID)); err != nil {
		return err
	}
	s.hitLimits(ctx, sendLimits(u.ID))
	token := randomToken(prefixLink)
	now := s.now()
	err = s.st.Tx(ctx, func(q store.Q) error {
		if err := q.PutVerification(ctx, &store.Verification{UserID: u.ID, Purpose: store.PurposeEmailChange,
			Target: req.Email, SecretHash: hashToken(token), ExpiresAt: now.Add(linkTTL), CreatedAt: now}); err != nil {
			return err
		}
		var d diff
		d.str(api.FieldPendingEmail, u.PendingEmail, req.Email)
		u.PendingEmail = req.Email
		if err := q.SaveProfile(ctx, u, u.ProfileVersion); err != nil {
			return err
		}
		return s.audit(r, q, p, u, "email.change_requested", userRes(u.ID, "profile"), d)
	})
	if err != nil {
		return err
	}
	link := s.publicURL(r) + "/v1/email/confirm?token=" + token
	if err := s.deliver(ctx, s.mail, mail.Message{Channel: mail.Email, To: req.Email, Subject: "Confirm your new Phoneset email address",
		Body: "Open this link within 24 hours to make this address the one on your Phoneset account:\n\n" + link +
			"\n\nOr paste this code into Phoneset: " + token + "\n\nIf you did not ask for this, ignore this message."}); err != nil {
		return err
	}
	if err := s.deliver(ctx, s.mail, mail.Message{Channel: mail.Email, To: u.Email, Subject: "Your Phoneset email address is being changed",
		Body: "Someone signed in as you asked to change your email address to " + req.Email + ".\n" +
			"It changes only when the link sent there is opened. If this was not you, change your password."}); err != nil {
		return err
	}
	writeVersioned(w, http.StatusAccepted, u.ProfileVersion, u.Profile())
	return nil
}

// confirmEmailSignedIn is the app's way: POST /v1/me/email/confirm with the
// token from the email. The token must be the signed-in user's.
func (s *Server) confirmEmailSignedIn(w http.ResponseWriter, r *http.Request, p *principal) error {
	req, err := decode[api.TokenRequest](w, r)
	if err != nil {
		return err
	}
	u, err := s.confirmEmail(r, req.Token, p.UserID)
	if err != nil {
		return err
	}
	writeVersioned(w, http.StatusOK, u.ProfileVersion, u.Profile())
	return nil
}

// confirmEmailLink is the emailed link's form post (or a JSON call with
// the token); owning the link is the proof, no session is needed.
func (s *Server) confirmEmailLink(w http.ResponseWriter, r *http.Request) error {
	token, err := postedToken(w, r)
	if err != nil {
		return err
	}
	u, err := s.confirmEmail(r, token, "")
	switch {
	case err != nil && isForm(r):
		return s.failPage(w, "Email address not changed", err)
	case err != nil:
		return err
	case isForm(r):
		return s.donePage(w, "Email address changed", "Your Phoneset account now uses "+u.Email+".")
	}
	writeVersioned(w, http.StatusOK, u.ProfileVersion, u.Profile())
	return nil
}

// postedToken reads a link's token from its page's form post or a JSON
// TokenRequest.
func postedToken(w http.ResponseWriter, r *http.Request) (string, error) {
	if isForm(r) {
		f, err := decodeForm(w, r, "token")
		if err != nil {
			return "", err
		}
		return f.Get("token"), nil
	}
	req, err := decode[api.TokenRequest](w, r)
	return req.Token, err
}

// confirmEmail applies a pending email change. userID, when set, must own
// the token.
func (s *Server) confirmEmail(r *http.Request, token, userID string) (*store.User, error) {
	ctx := r.Context()
	if len(token) > 128 {
		return nil, errBadProof
	}
	v, err := s.st.Q().VerificationBySecret(ctx, store.PurposeEmailChange, hashToken(token))
	if errors.Is(err, store.ErrNotFound) || (err == nil && userID != "" && v.UserID != userID) {
		return nil, errBadProof
	}
	if err != nil {
		return nil, err
	}
	if !s.now().Before(v.ExpiresAt) {
		// The expired link is spent; the pending address goes with it.
		p := &principal{ip: s.clientIP(r), Auth: store.Auth{UserID: v.UserID}}
		return nil, errors.Join(s.clearPending(r, p, store.PurposeEmailChange), errBadProof)
	}
	var u *store.User
	var old, undo string
	p := &principal{ip: s.clientIP(r), Auth: store.Auth{UserID: v.UserID}}
	err = s.st.Tx(ctx, func(q store.Q) error {
		if u, err = spend(ctx, q, v); err != nil {
			return err
		}
		var d diff
		d.str(api.FieldEmail, u.Email, v.Target)
		old, u.Email, u.PendingEmail = u.Email, v.Target, ""
		if err := q.SaveProfile(ctx, u, u.ProfileVersion); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return conflict(api.FieldEmail, api.Because(api.ReasonTaken))
			}
			return err
		}
		if err := s.audit(r, q, p, u, "email.change", userRes(u.ID, "profile"), d); err != nil {
			return err
		}
		undo, err = s.offerUndo(ctx, q, u.ID, store.PurposeUndoEmail, old)
		return err
	})
	if err == nil {
		s.announce(r, old, "", "email address", "It is now "+v.Target+".", undo)
	}
	return u, err
}

// clearPending forgets p's pending email or mobile change and its proof.
func (s *Server) clearPending(r *http.Request, p *principal, purpose string) error {
	ctx := r.Context()
	return s.st.Tx(ctx, func(q store.Q) error {
		if err := q.DeleteVerification(ctx, p.UserID, purpose); err != nil {
			return err
		}
		u, err := q.UserByID(ctx, p.UserID)
		if err != nil {
			return err
		}
		var d diff
		if purpose == store.PurposeEmailChange {
			d.str(api.FieldPendingEmail, u.PendingEmail, "")
			u.PendingEmail = ""
		} else {
			d.str(api.FieldPendingMobile, u.PendingMobile, "")
			u.PendingMobile = ""
		}
		if err := q.SaveProfile(ctx, u, u.ProfileVersion); err != nil {
			return err
		}
		return s.audit(r, q, p, u, purpose+"_expired", userRes(u.ID, "profile"), d)
	})
}

// requestMobileChange texts a code to the new number; the number changes
// only when the code is confirmed.
func (s *Server) requestMobileChange(w http.ResponseWriter, r *http.Request, p *principal) error {
	req, err := decode[api.MobileChangeRequest](w, r)
	if err != nil {
		return err
	}
	number, why := api.NormalizeMobile(req.Mobile)
	if why != nil {
		return api.Invalid(map[string]*api.Reason{api.FieldMobile: why})
	}
	ctx := r.Context()
	u, err := s.st.Q().UserByID(ctx, p.UserID)
	if err != nil {
		return err
	}
	if number == u.Mobile {
		return api.Invalid(map[string]*api.Reason{api.FieldMobile: api.Because(api.ReasonSameMobile)})
	}
	if err := s.freshProof(ctx, p, u, req.Password); err != nil {
		return err
	}
	if err := s.checkLimits(ctx, sendLimits(u.ID)); err != nil {
		return err
	}
	s.hitLimits(ctx, sendLimits(u.ID))
	code := randomCode()
	now := s.now()
	err = s.st.Tx(ctx, func(q store.Q) error {
		if err := q.PutVerification(ctx, &store.Verification{UserID: u.ID, Purpose: store.PurposeMobileChange,
			Target: number, SecretHash: codeHash(u.ID, code), ExpiresAt: now.Add(codeTTL), CreatedAt: now}); err != nil {
			return err
		}
		var d diff
		d.str(api.FieldPendingMobile, u.PendingMobile, number)
		u.PendingMobile = number
		if err := q.SaveProfile(ctx, u, u.ProfileVersion); err != nil {
			return err
		}
		return s.audit(r, q, p, u, "mobile.change_requested", userRes(u.ID, "profile"), d)
	})
	if err != nil {
		return err
	}
	if err := s.deliver(ctx, s.sms, mail.Message{Channel: mail.SMS, To: number,
		Body: fmt.Sprintf("Your Phoneset verification code is %s. It expires in %d minutes.", code, int(codeTTL/time.Minute))}); err != nil {
		return err
	}
	writeVersioned(w, http.StatusAccepted, u.ProfileVersion, u.Profile())
	return nil
}

// confirmMobile checks the texted code (five tries, ten minutes) and sets
// the number.
func (s *Server) confirmMobile(w http.ResponseWriter, r *http.Request, p *principal) error {
	req, err := decode[api.MobileConfirmRequest](w, r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	v, err := s.useCode(ctx, p.UserID, store.PurposeMobileChange, req.Code)
	if errors.Is(err, store.ErrNotFound) {
		return api.Invalid(map[string]*api.Reason{api.FieldCode: api.Because(api.ReasonNoPendingCode)})
	}
	if errors.Is(err, errBadProof) {
		return s.badCode(r, p)
	}
	if err != nil {
		return err
	}
	var u *store.User
	var old, undo string
	err = s.st.Tx(ctx, func(q store.Q) error {
		if u, err = spend(ctx, q, v); err != nil {
			return err
		}
		var d diff
		d.str(api.FieldMobile, u.Mobile, v.Target)
		old, u.Mobile, u.PendingMobile = u.Mobile, v.Target, ""
		if err := q.SaveProfile(ctx, u, u.ProfileVersion); err != nil {
			return err
		}
		if err := s.audit(r, q, p, u, "mobile.change", userRes(u.ID, "profile"), d); err != nil {
			return err
		}
		undo, err = s.offerUndo(ctx, q, u.ID, store.PurposeUndoMobile, old)
		return err
	})
	if err != nil {
		return err
	}
	s.announce(r, u.Email, old, "mobile number", "It is now "+v.Target+".", undo)
	writeVersioned(w, http.StatusOK, u.ProfileVersion, u.Profile())
	return nil
}

// badCode answers a wrong mobile code with the tries left, ending the
// change when none are. A try past the last one ends nothing: the last try
// has ended the change already, or is applying the right code.
func (s *Server) badCode(r *http.Request, p *principal) error {
	v, err := s.st.Q().GetVerification(r.Context(), p.UserID, store.PurposeMobileChange)
	if errors.Is(err, store.ErrNotFound) {
		return errBadProof // a concurrent try used or ended it
	}
	if err != nil {
		return err
	}
	left := codeTries - v.Attempts
	live := s.now().Before(v.ExpiresAt)
	if left > 0 && live {
		return api.Invalid(map[string]*api.Reason{api.FieldCode: {Code: api.ReasonWrongCode, Args: api.Args{"tries_left": left}}})
	}
	if left == 0 || !live {
		if err := s.clearPending(r, p, store.PurposeMobileChange); err != nil {
			return err
		}
	}
	return api.Invalid(map[string]*api.Reason{api.FieldCode: api.Because(api.ReasonCodeExpired)})
}
