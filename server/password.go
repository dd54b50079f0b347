package server

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server/mail"
	"github.com/phoneset/phoneset/server/store"
)

// maxPasswordBytes bounds what is fed to argon2id.
const maxPasswordBytes = 1024

// Lifetimes and tries of proofs sent by email or SMS.
const (
	linkTTL      = 24 * time.Hour // email change link
	resetLinkTTL = time.Hour
	codeTTL      = 10 * time.Minute
	codeTries    = 5
	codeDigits   = 6
)

// proofLimits throttle password re-entry for a signed-in user, so a stolen
// session cannot be used to guess the password.
func proofLimits(userID string) []limit {
	return []limit{{"proof:" + userID, 5, 15 * time.Minute}}
}

// proveIdentity checks a re-entered password. A wrong one is a 422 on
// field, never a 401, which would make clients drop the session.
func (s *Server) proveIdentity(ctx context.Context, u *store.User, password, field string) error {
	limits := proofLimits(u.ID)
	if err := s.checkLimits(ctx, limits); err != nil {
		return err
	}
	if len(password) > maxPasswordBytes {
		return api.Invalid(map[string]*api.Reason{field: api.Because(api.ReasonWrongPassword)})
	}
	if ok, _ := verifyPassword(password, u.PasswordHash, s.hash); !ok {
		s.hitLimits(ctx, limits)
		return api.Invalid(map[string]*api.Reason{field: api.Because(api.ReasonWrongPassword)})
	}
	return nil
}

// checkNewPassword applies the policy of api.CheckPassword to a new
// password for u.
func checkNewPassword(u *store.User, pw, field string) error {
	if why := api.ValidatePassword(pw, u.Username, u.Email); why != nil {
		return api.Invalid(map[string]*api.Reason{field: why})
	}
	return nil
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request, p *principal) error {
	req, err := decode[api.PasswordChangeRequest](w, r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	u, err := s.st.Q().UserByID(ctx, p.UserID)
	if err != nil {
		return err
	}
	if err := s.proveIdentity(ctx, u, req.Current, api.FieldCurrentPassword); err != nil {
		return err
	}
	if err := checkNewPassword(u, req.New, api.FieldNewPassword); err != nil {
		return err
	}
	if req.New == req.Current {
		return api.Invalid(map[string]*api.Reason{api.FieldNewPassword: api.Because(api.ReasonPasswordUnchanged)})
	}
	hash := hashPassword(req.New, s.hash)
	var undo string
	err = s.st.Tx(ctx, func(q store.Q) error {
		if err := s.setPassword(ctx, q, p, u, hash, "password.change", p.SessionID); err != nil {
			return err
		}
		undo, err = s.offerUndo(ctx, q, u.ID, store.PurposeUndoPassword, "")
		return err
	})
	if err != nil {
		return err
	}
	s.signedOut(u.OrgID, u.ID)
	s.announce(r, u.Email, "", "password", "Your other devices were signed out.", undo)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// setPassword stores a new password hash, ends every session but keep and
// drops pending resets.
func (s *Server) setPassword(ctx context.Context, q store.Q, p *principal, u *store.User, hash, action, keep string) error {
	if err := q.SetPassword(ctx, u.ID, hash, s.now()); err != nil {
		return err
	}
	n, err := q.DeleteSessionsExcept(ctx, u.ID, keep)
	if err != nil {
		return err
	}
	// A second-factor challenge was won with the old password.
	for _, purpose := range []string{store.PurposeResetEmail, store.PurposeResetSMS, purposeSecondFactor} {
		if err := q.DeleteVerification(ctx, u.ID, purpose); err != nil {
			return err
		}
	}
	ev := s.event(p, u, action, userRes(u.ID, "password"))
	ev.New = fmt.Sprintf("%d other sessions signed out", n)
	return q.Audit(ctx, u.OrgID, ev)
}

// randomCode is a uniformly random numeric SMS code.
func randomCode() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000))
	return fmt.Sprintf("%0*d", codeDigits, n.Int64())
}

// codeHash binds a short code to its user, so equal codes of two users
// never share a hash.
func codeHash(userID, code string) string { return hashToken(userID + ":" + strings.TrimSpace(code)) }

// resetLimits throttle "forgot password" requests per IP and per account
// (u, or the typed login when it names none).
func resetLimits(u *store.User, login, ip string) []limit {
	return []limit{
		{accountBucket("reset", u, login), 3, time.Hour},
		{"reset:ip:" + ip, 20, time.Hour},
	}
}

// requestPasswordReset answers 202 whether or not the login exists, so it
// cannot be used to find accounts.
func (s *Server) requestPasswordReset(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[api.PasswordResetRequest](w, r)
	if err != nil {
		return err
	}
	fields := map[string]*api.Reason{}
	if strings.TrimSpace(req.Login) == "" || len(req.Login) > api.MaxEmailLen {
		fields[api.FieldLogin] = api.Because(api.ReasonRequired)
	}
	if req.Channel != mail.Email && req.Channel != mail.SMS {
		fields[api.FieldChannel] = api.OneOf(req.Channel, mail.Email, mail.SMS)
	}
	if len(fields) > 0 {
		return api.Invalid(fields)
	}
	ctx := r.Context()
	ip := s.clientIP(r)
	u, err := s.userByLogin(ctx, req.Login)
	if err != nil {
		return err
	}
	if u != nil {
		// A blocked account is answered like an unknown one: nothing sent.
		if blocked, err := s.blocked(ctx, s.st.Q(), u); err != nil {
			return err
		} else if blocked {
			u = nil
		}
	}
	limits := resetLimits(u, req.Login, ip)
	if err := s.checkLimits(ctx, limits); err != nil {
		return err
	}
	s.hitLimits(ctx, limits)
	if u == nil {
		w.WriteHeader(http.StatusAccepted)
		return nil
	}
	now := s.now()
	p := &principal{ip: ip, Auth: store.Auth{UserID: u.ID}}
	v := &store.Verification{UserID: u.ID, CreatedAt: now}
	var msg mail.Message
	var sender mail.Sender
	switch {
	case req.Channel == mail.SMS && u.Mobile != "":
		code := randomCode()
		v.Purpose, v.SecretHash, v.ExpiresAt = store.PurposeResetSMS, codeHash(u.ID, code), now.Add(codeTTL)
		msg = mail.Message{Channel: mail.SMS, To: u.Mobile,
			Body: fmt.Sprintf("Your Phoneset password reset code is %s. It expires in %d minutes.", code, int(codeTTL/time.Minute))}
		sender = s.sms
	case req.Channel == mail.SMS:
		// No verified mobile: say so by email rather than leak it here.
		msg = mail.Message{Channel: mail.Email, To: u.Email, Subject: "Phoneset password reset",
			Body: "Someone asked for a password reset code by text message, but your account has no verified mobile number.\n" +
				"Ask for a reset link by email instead. If it was not you, you can ignore this message."}
		sender = s.mail
		v = nil
	default:
		v, msg = s.resetLink(r, u)
		sender = s.mail
	}
	if v != nil {
		err = s.st.Tx(ctx, func(q store.Q) error {
			if err := q.PutVerification(ctx, v); err != nil {
				return err
			}
			ev := s.event(p, u, "password.reset_requested", userRes(u.ID, "password"))
			ev.New = req.Channel
			return q.Audit(ctx, u.OrgID, ev)
		})
		if err != nil {
			return err
		}
	}
	if err := s.deliver(ctx, sender, msg); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// resetLink makes a password reset link for u and the email carrying it.
func (s *Server) resetLink(r *http.Request, u *store.User) (*store.Verification, mail.Message) {
	token := randomToken(prefixLink)
	now := s.now()
	v := &store.Verification{UserID: u.ID, Purpose: store.PurposeResetEmail, SecretHash: hashToken(token),
		ExpiresAt: now.Add(resetLinkTTL), CreatedAt: now}
	link := s.publicURL(r) + "/v1/password-resets/confirm?token=" + token
	return v, mail.Message{Channel: mail.Email, To: u.Email, Subject: "Reset your Phoneset password",
		Body: "Open this link within an hour to choose a new password:\n\n" + link + "\n\n" +
			"Or paste this code into Phoneset: " + token + "\n\nIf you did not ask for this, ignore this message."}
}

// errBadProof is the one answer to a wrong, used up or expired token or
// code, so none of them tells an attacker more than the others.
var errBadProof = api.Invalid(map[string]*api.Reason{api.FieldToken: api.Because(api.ReasonTokenInvalid)})

// confirmPasswordReset sets a new password with an emailed token or a
// texted code and signs out every session.
func (s *Server) confirmPasswordReset(w http.ResponseWriter, r *http.Request) error {
	req, err := decodeResetConfirm(w, r)
	if err != nil {
		return err
	}
	if err := s.resetPassword(r, req); err != nil {
		if isForm(r) {
			return s.resetPage(w, r, req.Token, err)
		}
		return err
	}
	if isForm(r) {
		return s.donePage(w, "Password changed", "Your new password is set. Sign in to Phoneset with it.")
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) resetPassword(r *http.Request, req api.PasswordResetConfirm) error {
	ctx := r.Context()
	ip := s.clientIP(r)
	link := strings.HasPrefix(req.Token, prefixLink)
	var u *store.User
	var err error
	if !link {
		if u, err = s.userByLogin(ctx, req.Login); err != nil {
			return err
		}
	}
	// A link token cannot be guessed; a six-digit code can, so codes also
	// count against the account, together with its sign-in attempts.
	limits := loginLimits(u, req.Login, ip)
	if link {
		limits = limits[1:]
	}
	if err := s.checkLimits(ctx, limits); err != nil {
		return err
	}
	var v *store.Verification
	switch {
	case link:
		v, err = s.st.Q().VerificationBySecret(ctx, store.PurposeResetEmail, hashToken(req.Token))
		if err == nil {
			u, err = s.st.Q().UserByID(ctx, v.UserID)
		}
	case u == nil:
		err = store.ErrNotFound
	default:
		v, err = s.useCode(ctx, u.ID, store.PurposeResetSMS, req.Token)
	}
	if v, err = s.liveProof(ctx, v, err, limits); err != nil {
		return err
	}
	if blocked, err := s.blocked(ctx, s.st.Q(), u); err != nil || blocked {
		return cmp.Or(err, error(errBadProof))
	}
	if err := checkNewPassword(u, req.Password, api.FieldPassword); err != nil {
		return err
	}
	hash := hashPassword(req.Password, s.hash)
	p := &principal{ip: ip, Auth: store.Auth{UserID: u.ID}}
	var undo string
	err = s.st.Tx(ctx, func(q store.Q) error {
		if err := consume(ctx, q, v); err != nil {
			return err
		}
		if err := s.setPassword(ctx, q, p, u, hash, "password.reset", ""); err != nil {
			return err
		}
		if undo, err = s.offerUndo(ctx, q, u.ID, store.PurposeUndoPassword, ""); err != nil {
			return err
		}
		// Whoever forced the reset may hold the key too.
		return s.revokeKey(ctx, q, p, u)
	})
	if err == nil {
		s.signedOut(u.OrgID, u.ID)
		s.announce(r, u.Email, "", "password", "It was reset, every device was signed out and the API key was revoked.", undo)
	}
	return err
}

// revokeKey revokes u's API key, if any, and audits it.
func (s *Server) revokeKey(ctx context.Context, q store.Q, p *principal, u *store.User) error {
	revoked, err := q.RevokeAPIKey(ctx, u.ID)
	if err != nil || !revoked {
		return err
	}
	return q.Audit(ctx, u.OrgID, s.event(p, u, "api_key.revoke", userRes(u.ID, "api-key")))
}

// liveProof turns the lookup of a proof into the proof or errBadProof: a
// missing or wrong one counts against limits, an expired one is refused.
func (s *Server) liveProof(ctx context.Context, v *store.Verification, err error, limits []limit) (*store.Verification, error) {
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, errBadProof) {
		s.hitLimits(ctx, limits)
		return nil, errBadProof
	}
	if err != nil {
		return nil, err
	}
	if !s.now().Before(v.ExpiresAt) {
		return nil, errBadProof
	}
	return v, nil
}

// consume spends a link or code in the transaction that applies it: of
// concurrent uses exactly one applies; the others are told it is used up.
func consume(ctx context.Context, q store.Q, v *store.Verification) error {
	err := q.ConsumeVerification(ctx, v)
	if errors.Is(err, store.ErrNotFound) {
		return errBadProof
	}
	return err
}

// spend consumes v and loads its user, in the transaction that applies it.
func spend(ctx context.Context, q store.Q, v *store.Verification) (*store.User, error) {
	if err := consume(ctx, q, v); err != nil {
		return nil, err
	}
	return q.UserByID(ctx, v.UserID)
}

// useCode spends one of a code's tries and checks it. The try is taken
// before comparing, so no process can compare more than codeTries times.
func (s *Server) useCode(ctx context.Context, userID, purpose, code string) (*store.Verification, error) {
	v, err := s.st.Q().GetVerification(ctx, userID, purpose)
	if err != nil {
		return nil, err
	}
	n, err := s.st.Q().FailVerification(ctx, userID, purpose)
	if err != nil {
		return nil, err
	}
	if n > codeTries || !s.now().Before(v.ExpiresAt) {
		return nil, errBadProof
	}
	if subtle.ConstantTimeCompare([]byte(codeHash(userID, code)), []byte(v.SecretHash)) != 1 {
		return nil, errBadProof
	}
	return v, nil
}

// announce tells an account's email address, and its mobile number when
// given, that what changed: a takeover never goes unnoticed by the owner of
// the old contacts. The change is made already, so a failed delivery is only
// logged (by deliver), never the request's answer.
func (s *Server) announce(r *http.Request, email, mobile, what, detail, undo string) {
	ctx := r.Context()
	note := "The " + what + " of your Phoneset account was changed. " + detail
	link := s.publicURL(r) + "/v1/account/undo?token=" + undo
	warn := "\n\nIf this was not you, open this link within 7 days to undo it, sign out every device and revoke the API key:\n\n" +
		link + "\n\nOr paste this code into Phoneset: " + undo + "\n\nThen contact your administrator."
	_ = s.deliver(ctx, s.mail, mail.Message{Channel: mail.Email, To: email, Subject: "Your Phoneset " + what + " was changed", Body: note + warn})
	if mobile != "" {
		_ = s.deliver(ctx, s.sms, mail.Message{Channel: mail.SMS, To: mobile, Body: note + " If this was not you, undo it within 7 days: " + link})
	}
}

// deliver sends a message, logging (never showing) delivery failures.
func (s *Server) deliver(ctx context.Context, sender mail.Sender, m mail.Message) error {
	m.At = s.now().UTC()
	if err := sender.Send(ctx, m); err != nil {
		s.log.Error("message delivery failed", "channel", m.Channel, "err", err)
		return api.Refused(http.StatusBadGateway, api.CodeInternal, api.Because(api.ReasonNotSent))
	}
	return nil
}

// publicURL is the base of emailed links: Config.PublicURL, else the
// address the request arrived on. Never the Host header, which the client
// chooses and would let anyone send reset links pointing elsewhere.
func (s *Server) publicURL(r *http.Request) string {
	if s.cfg.PublicURL != "" {
		return strings.TrimRight(s.cfg.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		return scheme + "://" + a.String()
	}
	return scheme + "://localhost"
}
