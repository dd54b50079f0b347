package server

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server/mail"
	"github.com/phoneset/phoneset/server/store"
)

// Two-factor sign-in with TOTP (RFC 6238): six digits, 30-second steps,
// SHA-1, which is what every authenticator app supports.
const (
	totpPeriod = 30
	// totpSkew accepts the code of one step either side of now, for clocks
	// that drift and codes typed as they change.
	totpSkew = 1
	// challengeTTL is how long the password step's challenge can be
	// answered; then the user starts again with the password.
	challengeTTL = 5 * time.Minute
	// trustedFor is how long "remember this device" skips the second factor.
	trustedFor = 30 * 24 * time.Hour

	prefixChallenge = "psc_"
	prefixDevice    = "psd_"
	// purposeSecondFactor keeps the sign-in challenge in verifications:
	// one pending per user, consumed atomically.
	purposeSecondFactor = "second_factor"
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

var (
	errWrongTOTP     = api.Invalid(map[string]*api.Reason{api.FieldCode: api.Because(api.ReasonWrongTOTP)})
	errBadChallenge  = api.Refused(http.StatusUnauthorized, api.CodeUnauthorized, api.Because(api.ReasonTokenInvalid))
	errFactorOn      = api.Refused(http.StatusConflict, api.CodeConflict, api.Because(api.ReasonSecondFactorOn))
	errFactorOff     = api.Refused(http.StatusConflict, api.CodeConflict, api.Because(api.ReasonSecondFactorOff))
	errFactorByOrg   = api.Refused(http.StatusConflict, api.CodeConflict, api.Because(api.ReasonSecondFactorRequired))
	recoveryEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)
)

// sealTOTP is the sealing context of a user's TOTP secret: a sealed secret
// copied to another user's row does not open.
func sealTOTP(userID string) string { return "totp:" + userID }

// secondFactorRequired says whether the organisation's policy requires a
// second factor of u.
func (s *Server) secondFactorRequired(ctx context.Context, q store.Q, u *store.User) (bool, error) {
	policy, _, err := q.SecondFactorPolicy(ctx, u.OrgID)
	if err != nil {
		return false, err
	}
	switch policy {
	case api.SecondFactorEveryone:
		return true, nil
	case api.SecondFactorAdmins:
		perms, err := q.Permissions(ctx, u.ID)
		return slices.Contains(perms, api.PermAccount), err
	}
	return false, nil
}

// secondFactorNeeded decides what a correct password leads to: a session
// (neither), a code (need), or enrolment first (need and enrol). A
// remembered device stands in for the code, never for enrolment.
func (s *Server) secondFactorNeeded(ctx context.Context, u *store.User, deviceToken string) (need, enrol bool, err error) {
	q := s.st.Q()
	f, err := q.SecondFactorOf(ctx, u.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return false, false, err
	}
	if f.Confirmed() {
		if strings.HasPrefix(deviceToken, prefixDevice) {
			trusted, err := q.TrustedDevice(ctx, hashToken(deviceToken), u.ID, s.now())
			if err != nil || trusted {
				return false, false, err
			}
		}
		return true, false, nil
	}
	required, err := s.secondFactorRequired(ctx, q, u)
	return required, required, err
}

// challenge stores a sign-in challenge for u and returns the 401 that
// carries it. No session exists until it is answered.
func (s *Server) challenge(ctx context.Context, u *store.User, device string, enrol bool) error {
	tok := randomToken(prefixChallenge)
	now := s.now()
	v := &store.Verification{UserID: u.ID, Purpose: purposeSecondFactor, Target: device, SecretHash: hashToken(tok),
		ExpiresAt: now.Add(challengeTTL), CreatedAt: now}
	if err := s.st.Q().PutVerification(ctx, v); err != nil {
		return err
	}
	return &api.Error{Status: http.StatusUnauthorized, Code: api.CodeSecondFactorRequired,
		Message: "enter the code from your authenticator app",
		Reason:  &api.Reason{Code: api.ReasonSecondFactor, Args: api.Args{"challenge": tok, "enrol": enrol}}}
}

// challenged resolves a challenge token to its pending challenge and user.
func (s *Server) challenged(ctx context.Context, tok string) (*store.Verification, *store.User, error) {
	if !strings.HasPrefix(tok, prefixChallenge) || len(tok) > api.MaxChallengeLen {
		return nil, nil, errBadChallenge
	}
	v, err := s.st.Q().VerificationBySecret(ctx, purposeSecondFactor, hashToken(tok))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, errBadChallenge
	}
	if err != nil {
		return nil, nil, err
	}
	if !s.now().Before(v.ExpiresAt) {
		return nil, nil, errBadChallenge
	}
	u, err := s.st.Q().UserByID(ctx, v.UserID)
	if err != nil {
		return nil, nil, err
	}
	return v, u, nil
}

// proof is an accepted second factor, spent by spend in the transaction
// that acts on it.
type proof struct {
	step     int64  // the TOTP step, or 0 for a recovery code
	recovery string // the recovery code's hash
}

// spend uses the proof up: a replayed code or a recovery code used
// meanwhile fails with errWrongTOTP and rolls the transaction back.
func (pr proof) spend(ctx context.Context, q store.Q, userID string) error {
	var err error
	if pr.recovery != "" {
		err = q.UseRecoveryCode(ctx, userID, pr.recovery)
	} else {
		err = q.UseTOTPStep(ctx, userID, pr.step)
	}
	if errors.Is(err, store.ErrStale) || errors.Is(err, store.ErrNotFound) {
		return errWrongTOTP
	}
	return err
}

// totpCode is a typed six-digit code without the spaces people type, or
// "" when it is not six ASCII digits.
func totpCode(code string) string {
	c := strings.ReplaceAll(code, " ", "")
	if len(c) != 6 || strings.Trim(c, "0123456789") != "" {
		return ""
	}
	return c
}

// recoveryHash is how a recovery code is stored: hashed with its user, in
// the form it is typed in any case, with or without dashes and spaces.
func recoveryHash(userID, code string) string {
	c := strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(code))
	return hashToken("recovery:" + userID + ":" + c)
}

// newRecoveryCodes makes ten codes of 80 random bits as xxxx-xxxx-xxxx-xxxx
// and their hashes.
func newRecoveryCodes(userID string) (codes, hashes []string) {
	for range api.RecoveryCodes {
		b := make([]byte, 10)
		rand.Read(b)
		c := strings.ToLower(recoveryEncoding.EncodeToString(b))
		codes = append(codes, c[0:4]+"-"+c[4:8]+"-"+c[8:12]+"-"+c[12:16])
		hashes = append(hashes, recoveryHash(userID, c))
	}
	return codes, hashes
}

// checkCode tests a code against f: a TOTP code of a step after the last
// one used, or (once enrolled) a recovery code. Failures count against the
// limits, so codes are guessed no faster than passwords.
func (s *Server) checkCode(ctx context.Context, f *store.SecondFactor, code string, limits []limit) (proof, error) {
	if err := s.checkLimits(ctx, limits); err != nil {
		return proof{}, err
	}
	pr, ok, err := s.matchCode(ctx, f, code)
	if err != nil {
		return proof{}, err
	}
	if !ok {
		s.hitLimits(ctx, limits)
		return proof{}, errWrongTOTP
	}
	return pr, nil
}

func (s *Server) matchCode(ctx context.Context, f *store.SecondFactor, code string) (proof, bool, error) {
	if len(code) > api.MaxCodeLen {
		return proof{}, false, nil
	}
	if c := totpCode(code); c != "" {
		secret, err := s.seal.open(f.SecretSealed, sealTOTP(f.UserID))
		if err != nil {
			// Sealed under another server secret: no code can match, and an
			// admin's reset lets the member set it up again.
			s.log.Error("a second factor does not open with this server's secret", "user", f.UserID, "err", err)
			return proof{}, false, nil
		}
		now := s.now().Unix() / totpPeriod
		var step int64
		for d := int64(-totpSkew); d <= totpSkew; d++ {
			want, err := totp.GenerateCodeCustom(secret, time.Unix((now+d)*totpPeriod, 0), totpOpts)
			if err != nil {
				return proof{}, false, err
			}
			if subtle.ConstantTimeCompare([]byte(want), []byte(c)) == 1 && now+d > f.LastStep {
				step = now + d
			}
		}
		return proof{step: step}, step != 0, nil
	}
	if !f.Confirmed() {
		return proof{}, false, nil
	}
	h := recoveryHash(f.UserID, code)
	ok, err := s.st.Q().HasRecoveryCode(ctx, f.UserID, h)
	return proof{recovery: h}, ok, err
}

// signInSecondFactor answers a sign-in challenge with a code: the session
// starts here, and the challenge is spent with it.
func (s *Server) signInSecondFactor(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[api.SecondFactorRequest](w, r)
	if err != nil {
		return err
	}
	if req.Code == "" {
		return api.Invalid(map[string]*api.Reason{api.FieldCode: api.Because(api.ReasonRequired)})
	}
	ctx := r.Context()
	v, u, err := s.challenged(ctx, req.Challenge)
	if err != nil {
		return err
	}
	ip := s.clientIP(r)
	limits := loginLimits(u, "", ip)
	f, err := s.st.Q().SecondFactorOf(ctx, u.ID)
	if errors.Is(err, store.ErrNotFound) {
		return errWrongTOTP // enrolment not started: no code can be right
	}
	if err != nil {
		return err
	}
	pr, err := s.checkCode(ctx, f, req.Code, limits)
	if err != nil {
		return s.auditFailedFactor(ctx, u, ip, err)
	}
	now := s.now()
	var codes, hashes []string
	enrolling := !f.Confirmed()
	if enrolling {
		codes, hashes = newRecoveryCodes(u.ID)
	}
	var deviceToken string
	tokens, err := s.openSession(ctx, u, v.Target, ip, "session.create", v.Target, func(q store.Q) error {
		if err := q.ConsumeVerification(ctx, v); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return errBadChallenge
			}
			return err
		}
		if err := pr.spend(ctx, q, u.ID); err != nil {
			return err
		}
		p := &principal{ip: ip, Auth: store.Auth{UserID: u.ID, OrgID: u.OrgID}}
		if enrolling {
			if err := q.ConfirmSecondFactor(ctx, u.ID, now); err != nil {
				return err
			}
			if err := q.SetRecoveryCodes(ctx, u.ID, hashes); err != nil {
				return err
			}
			if err := s.auditFactor(ctx, q, p, u, "second_factor.enable", "off", "on"); err != nil {
				return err
			}
		}
		if pr.recovery != "" {
			if err := s.auditFactor(ctx, q, p, u, "second_factor.recovery_code_used", "", ""); err != nil {
				return err
			}
		}
		if req.RememberDevice {
			deviceToken = randomToken(prefixDevice)
			return q.AddTrustedDevice(ctx, hashToken(deviceToken), u.ID, now.Add(trustedFor), now)
		}
		return nil
	})
	if errors.Is(err, errWrongTOTP) {
		s.hitLimits(ctx, limits) // a replayed code counts as a wrong one
		return s.auditFailedFactor(ctx, u, ip, err)
	}
	if err != nil {
		return err
	}
	if err := s.st.Q().ClearHits(ctx, limits[0].bucket); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, api.SecondFactorTokens{SessionID: tokens.SessionID, AccessToken: tokens.AccessToken,
		RefreshToken: tokens.RefreshToken, ExpiresAt: tokens.ExpiresAt, DeviceToken: deviceToken, RecoveryCodes: codes})
	return nil
}

// auditFailedFactor records a wrong second factor and returns err.
func (s *Server) auditFailedFactor(ctx context.Context, u *store.User, ip string, err error) error {
	if errors.Is(err, errWrongTOTP) {
		ev := s.event(&principal{ip: ip, Auth: store.Auth{UserID: u.ID}}, u, "session.second_factor_failed", userRes(u.ID, "sessions"))
		if aerr := s.st.Q().Audit(ctx, u.OrgID, ev); aerr != nil {
			return aerr
		}
	}
	return err
}

func (s *Server) auditFactor(ctx context.Context, q store.Q, p *principal, u *store.User, action, old, new string) error {
	ev := s.event(p, u, action, userRes(u.ID, "second-factor"))
	ev.Old, ev.New = old, new
	return q.Audit(ctx, u.OrgID, ev)
}

// newEnrolment makes and stores a new pending secret for u.
func (s *Server) newEnrolment(ctx context.Context, u *store.User) (api.TOTPEnrolment, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "Phoneset", AccountName: u.Email, Period: totpPeriod,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return api.TOTPEnrolment{}, err
	}
	err = s.st.Q().PutPendingSecondFactor(ctx, u.ID, s.seal.seal(key.Secret(), sealTOTP(u.ID)), s.now())
	if errors.Is(err, store.ErrStale) {
		return api.TOTPEnrolment{}, errFactorOn
	}
	return api.TOTPEnrolment{Secret: key.Secret(), URI: key.URL()}, err
}

// enrolAtSignIn gives a user whose organisation requires a second factor
// a secret to enrol, within the sign-in challenge.
func (s *Server) enrolAtSignIn(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[api.ChallengeRequest](w, r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	_, u, err := s.challenged(ctx, req.Challenge)
	if err != nil {
		return err
	}
	en, err := s.newEnrolment(ctx, u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, en)
	return nil
}

func (s *Server) getSecondFactor(w http.ResponseWriter, r *http.Request, p *principal) error {
	ctx := r.Context()
	q := s.st.Q()
	u, err := q.UserByID(ctx, p.UserID)
	if err != nil {
		return err
	}
	var st api.SecondFactorStatus
	f, err := q.SecondFactorOf(ctx, u.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	st.Enabled = f.Confirmed()
	if st.RecoveryCodesLeft, err = q.RecoveryCodesLeft(ctx, u.ID); err != nil {
		return err
	}
	if st.Required, err = s.secondFactorRequired(ctx, q, u); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// startEnrolment shows a new secret, only with the password: a stolen
// access token can neither read a secret nor lock the owner out.
func (s *Server) startEnrolment(w http.ResponseWriter, r *http.Request, p *principal) error {
	u, err := s.proven(w, r, p)
	if err != nil {
		return err
	}
	ctx := r.Context()
	en, err := s.newEnrolment(ctx, u)
	if err != nil {
		return err
	}
	if err := s.auditFactor(ctx, s.st.Q(), p, u, "second_factor.enrol", "", "pending"); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, en)
	return nil
}

// confirmEnrolment turns the second factor on with the first code from
// the app, and answers with the recovery codes.
func (s *Server) confirmEnrolment(w http.ResponseWriter, r *http.Request, p *principal) error {
	req, err := decode[api.CodeRequest](w, r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	u, err := s.st.Q().UserByID(ctx, p.UserID)
	if err != nil {
		return err
	}
	f, err := s.st.Q().SecondFactorOf(ctx, u.ID)
	if errors.Is(err, store.ErrNotFound) {
		return errFactorOff
	}
	if err != nil {
		return err
	}
	if f.Confirmed() {
		return errFactorOn
	}
	pr, err := s.checkCode(ctx, f, req.Code, proofLimits(u.ID))
	if err != nil {
		return err
	}
	codes, hashes := newRecoveryCodes(u.ID)
	err = s.st.Tx(ctx, func(q store.Q) error {
		if err := pr.spend(ctx, q, u.ID); err != nil {
			return err
		}
		if err := q.ConfirmSecondFactor(ctx, u.ID, s.now()); err != nil {
			return err
		}
		if err := q.SetRecoveryCodes(ctx, u.ID, hashes); err != nil {
			return err
		}
		return s.auditFactor(ctx, q, p, u, "second_factor.enable", "off", "on")
	})
	if errors.Is(err, store.ErrStale) {
		return errFactorOn
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.RecoveryCodeList{Codes: codes})
	return nil
}

// disableSecondFactor turns it off with the password and a code, and tells
// the account's email address.
func (s *Server) disableSecondFactor(w http.ResponseWriter, r *http.Request, p *principal) error {
	req, err := decode[api.SecondFactorOff](w, r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	q := s.st.Q()
	u, err := q.UserByID(ctx, p.UserID)
	if err != nil {
		return err
	}
	if err := s.proveIdentity(ctx, u, req.Password, api.FieldPassword); err != nil {
		return err
	}
	f, err := s.confirmedFactor(ctx, u.ID)
	if err != nil {
		return err
	}
	if required, err := s.secondFactorRequired(ctx, q, u); err != nil {
		return err
	} else if required {
		return errFactorByOrg
	}
	pr, err := s.checkCode(ctx, f, req.Code, loginLimits(u, "", p.ip))
	if err != nil {
		return err
	}
	err = s.st.Tx(ctx, func(q store.Q) error {
		if err := pr.spend(ctx, q, u.ID); err != nil {
			return err
		}
		if err := q.DeleteSecondFactor(ctx, u.ID); err != nil {
			return err
		}
		return s.auditFactor(ctx, q, p, u, "second_factor.disable", "on", "off")
	})
	if err != nil {
		return err
	}
	s.announceFactorOff(ctx, u, "You turned off two-factor sign-in for your Phoneset account.")
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// confirmedFactor is the user's second factor in use, or errFactorOff.
func (s *Server) confirmedFactor(ctx context.Context, userID string) (*store.SecondFactor, error) {
	f, err := s.st.Q().SecondFactorOf(ctx, userID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !f.Confirmed()) {
		return nil, errFactorOff
	}
	return f, err
}

// announceFactorOff tells the account's email address that its second
// factor is gone, so a takeover does not go unnoticed.
func (s *Server) announceFactorOff(ctx context.Context, u *store.User, what string) {
	_ = s.deliver(ctx, s.mail, mail.Message{Channel: mail.Email, To: u.Email,
		Subject: "Two-factor sign-in was turned off",
		Body: what + " Signing in now needs only your password.\n\n" +
			"If this was not you, change your password at once and contact your administrator."})
}

// newRecoveryCodeList replaces the recovery codes, with the password.
func (s *Server) newRecoveryCodeList(w http.ResponseWriter, r *http.Request, p *principal) error {
	u, err := s.proven(w, r, p)
	if err != nil {
		return err
	}
	ctx := r.Context()
	if _, err := s.confirmedFactor(ctx, u.ID); err != nil {
		return err
	}
	codes, hashes := newRecoveryCodes(u.ID)
	err = s.st.Tx(ctx, func(q store.Q) error {
		if err := q.SetRecoveryCodes(ctx, u.ID, hashes); err != nil {
			return err
		}
		return s.auditFactor(ctx, q, p, u, "second_factor.recovery_codes", "", "new")
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.RecoveryCodeList{Codes: codes})
	return nil
}

func (s *Server) orgSecondFactor(ctx context.Context, orgID string) (api.OrgSecondFactor, error) {
	q := s.st.Q()
	policy, version, err := q.SecondFactorPolicy(ctx, orgID)
	if err != nil {
		return api.OrgSecondFactor{}, err
	}
	ms, err := q.OrgSecondFactors(ctx, orgID)
	out := api.OrgSecondFactor{Policy: policy, Version: version, Members: make([]api.MemberSecondFactor, 0, len(ms))}
	for _, m := range ms {
		out.Members = append(out.Members, api.MemberSecondFactor{ID: m.ID, DisplayName: m.DisplayName, Admin: m.Admin, Enabled: m.Enabled})
	}
	return out, err
}

func (s *Server) writeOrgSecondFactor(w http.ResponseWriter, ctx context.Context, orgID string) error {
	out, err := s.orgSecondFactor(ctx, orgID)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", api.ETag(out.Version))
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) getOrgSecondFactor(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	return s.writeOrgSecondFactor(w, r.Context(), a.OrgID)
}

// putOrgSecondFactor sets the policy; members it now covers enrol at their
// next sign-in.
func (s *Server) putOrgSecondFactor(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	req, version, err := conditional[api.SecondFactorPolicy](w, r)
	if err != nil {
		return err
	}
	if why := api.ValidateSecondFactorPolicy(req.Policy); why != nil {
		return api.Invalid(map[string]*api.Reason{api.FieldPolicy: why})
	}
	ctx := r.Context()
	old, _, err := s.st.Q().SecondFactorPolicy(ctx, a.OrgID)
	if err != nil {
		return err
	}
	err = s.orgTx(ctx, a, func(q store.Q) error {
		if err := q.SetSecondFactorPolicy(ctx, a.OrgID, req.Policy, version); err != nil {
			return err
		}
		var d diff
		d.str("second_factor_policy", old, req.Policy)
		return s.orgAudit(ctx, q, a, "org.update", a.orgRes(""), d)
	})
	if errors.Is(err, store.ErrStale) {
		return api.ErrStale
	}
	if err != nil {
		return err
	}
	return s.writeOrgSecondFactor(w, ctx, a.OrgID)
}

// resetMemberSecondFactor removes another member's second factor (a lost
// phone), with the admin's password; the member is told by email.
func (s *Server) resetMemberSecondFactor(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	req, err := decode[api.PasswordProof](w, r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	u, err := s.st.Q().UserByID(ctx, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) || (err == nil && u.OrgID != a.OrgID) {
		return api.ErrNotFound
	}
	if err != nil {
		return err
	}
	// One's own goes off on the Security page, with a code too: here it
	// would need only the password.
	if u.ID == a.UserID {
		return refuse(api.FieldID, api.Because(api.ReasonNotYourself))
	}
	if err := s.proveIdentity(ctx, a.user, req.Password, api.FieldPassword); err != nil {
		return err
	}
	err = s.st.Tx(ctx, func(q store.Q) error {
		if err := q.DeleteSecondFactor(ctx, u.ID); err != nil {
			return err
		}
		ev := s.orgEvent(a, "second_factor.reset", userRes(u.ID, "second-factor"))
		ev.Old, ev.New = "on", "off"
		return q.Audit(ctx, a.OrgID, ev)
	})
	if errors.Is(err, store.ErrNotFound) {
		return errFactorOff
	}
	if err != nil {
		return err
	}
	s.announceFactorOff(ctx, u, "An administrator of your organisation reset two-factor sign-in for your Phoneset account.")
	w.WriteHeader(http.StatusNoContent)
	return nil
}
