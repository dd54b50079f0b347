package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server/mail"
	"github.com/phoneset/phoneset/server/store"
)

// undoTTL is how long the owner of the old contacts has to say "this
// wasn't me": long enough to come back from a week away.
const undoTTL = 7 * 24 * time.Hour

// undoPurposes are the verifications an undo link can be; their Target is
// the value the undo restores (none for a password, which is not kept).
var undoPurposes = []string{store.PurposeUndoEmail, store.PurposeUndoMobile, store.PurposeUndoPassword}

// offerUndo stores, in the transaction making a change, the link that
// undoes it, and returns the link's token.
func (s *Server) offerUndo(ctx context.Context, q store.Q, userID, purpose, old string) (string, error) {
	token := randomToken(prefixLink)
	now := s.now()
	err := q.PutVerification(ctx, &store.Verification{UserID: userID, Purpose: purpose, Target: old,
		SecretHash: hashToken(token), ExpiresAt: now.Add(undoTTL), CreatedAt: now})
	return token, err
}

func (s *Server) undoForm(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, page{Title: "Undo a change to your Phoneset account", Action: "/v1/account/undo",
		Token: r.URL.Query().Get("token"), Button: "Undo it",
		Text: "If you did not make this change, undo it: every device is signed out and the API key is revoked."})
}

// undoChange is "this wasn't me": the emailed or texted link's form post,
// or a JSON call with its token. Owning the link is the proof.
func (s *Server) undoChange(w http.ResponseWriter, r *http.Request) error {
	token, err := postedToken(w, r)
	if err != nil {
		return err
	}
	err = s.undo(r, token)
	switch {
	case err != nil && isForm(r):
		return s.failPage(w, "Nothing was undone", err)
	case err != nil:
		return err
	case isForm(r):
		return s.donePage(w, "Change undone", "Every device was signed out and the API key was revoked. If your password was changed, a link to choose a new one was sent to your email address.")
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// undo restores the old email or mobile (a password undo has nothing to
// restore and mails a reset link instead), drops pending changes and
// resets, ends every session and revokes the API key.
func (s *Server) undo(r *http.Request, token string) error {
	ctx := r.Context()
	if len(token) > 128 {
		return errBadProof
	}
	limits := []limit{{"undo:ip:" + s.clientIP(r), 20, time.Hour}}
	if err := s.checkLimits(ctx, limits); err != nil {
		return err
	}
	var v *store.Verification
	err := store.ErrNotFound
	for _, purpose := range undoPurposes {
		if v, err = s.st.Q().VerificationBySecret(ctx, purpose, hashToken(token)); !errors.Is(err, store.ErrNotFound) {
			break
		}
	}
	if v, err = s.liveProof(ctx, v, err, limits); err != nil {
		return err
	}
	var u *store.User
	var reset mail.Message
	p := &principal{ip: s.clientIP(r), Auth: store.Auth{UserID: v.UserID}}
	err = s.st.Tx(ctx, func(q store.Q) error {
		if u, err = spend(ctx, q, v); err != nil {
			return err
		}
		for _, purpose := range []string{store.PurposeEmailChange, store.PurposeMobileChange, store.PurposeResetEmail, store.PurposeResetSMS} {
			if err := q.DeleteVerification(ctx, u.ID, purpose); err != nil {
				return err
			}
		}
		var d diff
		d.str(api.FieldPendingEmail, u.PendingEmail, "")
		d.str(api.FieldPendingMobile, u.PendingMobile, "")
		u.PendingEmail, u.PendingMobile = "", ""
		switch v.Purpose {
		case store.PurposeUndoEmail:
			d.str(api.FieldEmail, u.Email, v.Target)
			u.Email = v.Target
		case store.PurposeUndoMobile:
			d.str(api.FieldMobile, u.Mobile, v.Target)
			u.Mobile = v.Target
		}
		if err := q.SaveProfile(ctx, u, u.ProfileVersion); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return conflict(api.FieldEmail, api.Because(api.ReasonTaken))
			}
			return err
		}
		// Field changes as "email.undo" and the like; one "account.undo" below.
		kind := strings.TrimPrefix(v.Purpose, "undo_")
		if err := s.audit(r, q, p, u, kind+".undo", userRes(u.ID, "profile"), d); err != nil {
			return err
		}
		if v.Purpose == store.PurposeUndoPassword {
			var rv *store.Verification
			rv, reset = s.resetLink(r, u)
			if err := q.PutVerification(ctx, rv); err != nil {
				return err
			}
		}
		n, err := q.DeleteSessionsExcept(ctx, u.ID, "")
		if err != nil {
			return err
		}
		ev := s.event(p, u, "account.undo", userRes(u.ID, kind))
		ev.New = fmt.Sprintf("%d sessions signed out", n)
		if err := q.Audit(ctx, u.OrgID, ev); err != nil {
			return err
		}
		return s.revokeKey(ctx, q, p, u)
	})
	if err != nil {
		return err
	}
	s.signedOut(u.OrgID, u.ID)
	if reset.To != "" {
		return s.deliver(ctx, s.mail, reset)
	}
	return nil
}
