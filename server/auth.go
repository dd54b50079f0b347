package server

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server/store"
)

// Token lifetimes. The access token is short so a stolen one is worth
// little; the session lives as long as it is refreshed within sessionTTL.
const (
	accessTTL  = 15 * time.Minute
	sessionTTL = 30 * 24 * time.Hour
	// refreshGrace lets a client that lost the answer to a refresh retry
	// with the token it just rotated away; after that, reuse of an old
	// refresh token means it was stolen and ends the session.
	refreshGrace = 30 * time.Second
	// touchEvery throttles last-seen writes to one per session per minute.
	touchEvery = time.Minute
	// freshFor is how long a sign-in or password re-entry lets a session
	// change what a takeover needs (email, mobile) without the password.
	freshFor = 5 * time.Minute
)

// principal is who a request acts as.
type principal struct {
	store.Auth
	apiKey bool // authenticated by API key rather than a session
	ip     string
}

var errWrongCredentials = &api.Error{Status: http.StatusUnauthorized, Code: api.CodeUnauthorized, Message: "wrong username or password"}

// bearer extracts the credential: Authorization: Bearer <token or API
// key>, or X-API-Key: <API key>.
func bearer(r *http.Request) string {
	if k := r.Header.Get("X-API-Key"); k != "" {
		return strings.TrimSpace(k)
	}
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// authenticate resolves the request's credential with one database read,
// so a revoked session or regenerated key stops working at once in every
// process, and counts the request.
func (s *Server) authenticate(r *http.Request) (*principal, error) {
	p, err := s.resolve(r)
	if err != nil {
		return nil, err
	}
	s.usage.count(p.UserID, p.OrgID)
	return p, nil
}

// resolve is authenticate without counting: an event stream checks its
// credential again with it now and then.
func (s *Server) resolve(r *http.Request) (*principal, error) {
	tok := bearer(r)
	if tok == "" || len(tok) > 128 {
		return nil, api.ErrUnauthorized
	}
	ctx := r.Context()
	p := &principal{ip: s.clientIP(r)}
	var err error
	if strings.HasPrefix(tok, prefixAPIKey) {
		p.apiKey = true
		p.Auth, err = s.st.Q().AuthByAPIKey(ctx, hashToken(tok))
	} else {
		p.Auth, err = s.st.Q().AuthByAccess(ctx, hashToken(tok))
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, api.ErrUnauthorized
	case err != nil:
		return nil, err
	}
	now := s.now()
	if !p.apiKey {
		if !now.Before(p.AccessExpiresAt) {
			return nil, &api.Error{Status: http.StatusUnauthorized, Code: api.CodeUnauthorized, Message: "access token expired; refresh it"}
		}
		if now.Sub(p.LastSeenAt) >= touchEvery {
			if err := s.st.Q().TouchSession(ctx, p.SessionID, p.ip, now); err != nil {
				s.log.Warn("touch session failed", "err", err)
			}
		}
	}
	return p, nil
}

type authedFunc func(w http.ResponseWriter, r *http.Request, p *principal) error

// authed requires a session or an API key.
func (s *Server) authed(h authedFunc) http.Handler {
	return s.wrap(func(w http.ResponseWriter, r *http.Request) error {
		p, err := s.authenticate(r)
		if err != nil {
			return err
		}
		return h(w, r, p)
	})
}

// sessionOnly requires a signed-in session: account security (sessions,
// password, API key, deleting the account) is not open to an API key.
func (s *Server) sessionOnly(h authedFunc) http.Handler {
	return s.authed(func(w http.ResponseWriter, r *http.Request, p *principal) error {
		if p.apiKey {
			return api.Refused(http.StatusForbidden, api.CodeForbidden, api.Because(api.ReasonNeedsPassword))
		}
		return h(w, r, p)
	})
}

// limit is a fixed-window throttle kept in the database, so every server
// process counts the same attempts.
type limit struct {
	bucket string
	max    int64
	window time.Duration
}

// accountBucket names kind's counter for what a typed login resolves to:
// the account's ID when it names one (u), so every spelling of the account
// (username, email, other case, spaces) shares one count; otherwise the
// normalised login, so guesses at unknown names are throttled alike and the
// answer never tells whether an account exists.
func accountBucket(kind string, u *store.User, login string) string {
	if u != nil {
		return kind + ":user:" + u.ID
	}
	return kind + ":name:" + strings.ToLower(strings.TrimSpace(login))
}

// userByLogin is the account a typed login names, or nil when none.
func (s *Server) userByLogin(ctx context.Context, login string) (*store.User, error) {
	u, err := s.st.Q().UserByLogin(ctx, login)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return u, err
}

// Throttles on guessing secrets (passwords and texted codes) for the
// account u or, when nil, the typed login. Failed attempts count; a
// success clears the account's count.
func loginLimits(u *store.User, login, ip string) []limit {
	return []limit{
		{accountBucket("login", u, login), 5, 15 * time.Minute},
		{"login:ip:" + ip, 30, 15 * time.Minute},
	}
}

// checkLimits fails with 429 and Retry-After when any limit is used up.
func (s *Server) checkLimits(ctx context.Context, ls []limit) error {
	now := s.now()
	for _, l := range ls {
		win := now.Truncate(l.window)
		n, err := s.st.Q().Hits(ctx, l.bucket, win)
		if err != nil {
			return err
		}
		if n >= l.max {
			e := *api.ErrRateLimited
			e.Message = "too many attempts; try again later"
			e.RetryAfter = win.Add(l.window).Sub(now)
			return &e
		}
	}
	return nil
}

// hitLimits counts one attempt against each limit.
func (s *Server) hitLimits(ctx context.Context, ls []limit) {
	win := s.now()
	for _, l := range ls {
		if _, err := s.st.Q().Hit(ctx, l.bucket, win.Truncate(l.window)); err != nil {
			s.log.Warn("rate counter failed", "err", err)
		}
	}
}

// newTokens makes a fresh token pair for sess, setting its expiry times.
func (s *Server) newTokens(sess *store.Session, now time.Time) (api.Tokens, string, string) {
	access, refresh := randomToken(prefixAccess), randomToken(prefixRefresh)
	sess.AccessExpiresAt = now.Add(accessTTL)
	sess.ExpiresAt = now.Add(sessionTTL)
	sess.LastSeenAt = now
	return api.Tokens{SessionID: sess.ID, AccessToken: access, RefreshToken: refresh, ExpiresAt: sess.AccessExpiresAt.UTC()},
		hashToken(access), hashToken(refresh)
}

func (s *Server) signIn(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[api.SignInRequest](w, r)
	if err != nil {
		return err
	}
	fields := map[string]*api.Reason{}
	if strings.TrimSpace(req.Login) == "" || len(req.Login) > api.MaxEmailLen {
		fields[api.FieldLogin] = api.Because(api.ReasonRequired)
	}
	if req.Password == "" || len(req.Password) > maxPasswordBytes {
		fields[api.FieldPassword] = api.Because(api.ReasonRequired)
	}
	if why := validateDevice(req.Device); why != nil {
		fields[api.FieldDevice] = why
	}
	if len(req.DeviceToken) > 128 {
		fields[api.FieldDeviceToken] = api.Because(api.ReasonTooLong)
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
	limits := loginLimits(u, req.Login, ip)
	if err := s.checkLimits(ctx, limits); err != nil {
		return err
	}
	if u == nil {
		verifyPassword(req.Password, s.dummy(), s.hash)
		s.hitLimits(ctx, limits)
		return errWrongCredentials
	}
	ok, rehash := verifyPassword(req.Password, u.PasswordHash, s.hash)
	if !ok {
		s.hitLimits(ctx, limits)
		ev := s.event(&principal{ip: ip, Auth: store.Auth{UserID: u.ID}}, u, "session.sign_in_failed", userRes(u.ID, "sessions"))
		if err := s.st.Q().Audit(ctx, u.OrgID, ev); err != nil {
			return err
		}
		return errWrongCredentials
	}
	if err := s.passwordAllowed(ctx, u); err != nil {
		return err
	}
	// With a second factor the password alone gives no session, and the
	// failed-attempt count stays until the code is right too: otherwise
	// each sign-in with a stolen password would reset the code lockout.
	need, enrol, err := s.secondFactorNeeded(ctx, u, req.DeviceToken)
	if err != nil {
		return err
	}
	if need {
		return s.challenge(ctx, u, req.Device, enrol)
	}
	if err := s.st.Q().ClearHits(ctx, limits[0].bucket); err != nil {
		return err
	}
	tokens, err := s.openSession(ctx, u, req.Device, ip, "session.create", req.Device, func(q store.Q) error {
		if !rehash {
			return nil
		}
		return q.SetPassword(ctx, u.ID, hashPassword(req.Password, s.hash), u.PasswordChangedAt)
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, tokens)
	return nil
}

// openSession signs u in on device: a new session, audited as action with
// note, in one transaction with also (nil for nothing more).
func (s *Server) openSession(ctx context.Context, u *store.User, device, ip, action, note string, also func(q store.Q) error) (api.Tokens, error) {
	var tokens api.Tokens
	err := s.st.Tx(ctx, func(q store.Q) error {
		var err error
		if tokens, err = s.sessionIn(ctx, q, u, device, ip, action, note); err != nil || also == nil {
			return err
		}
		return also(q)
	})
	return tokens, err
}

// sessionIn is openSession in the caller's transaction q, for a session
// that comes with a new account. A deactivated user or a disabled
// organisation gets none, whatever the way in (password, second factor,
// single sign-on); that is said only to whoever proved who they are.
func (s *Server) sessionIn(ctx context.Context, q store.Q, u *store.User, device, ip, action, note string) (api.Tokens, error) {
	if blocked, err := s.blocked(ctx, q, u); err != nil || blocked {
		return api.Tokens{}, cmp.Or(err, error(errAccountDisabled))
	}
	now := s.now()
	sess := &store.Session{ID: newID("ses"), UserID: u.ID, Device: device, IP: ip, CreatedAt: now, AuthenticatedAt: now}
	tokens, ah, rh := s.newTokens(sess, now)
	p := &principal{ip: ip, Auth: store.Auth{UserID: u.ID, SessionID: sess.ID, OrgID: u.OrgID}}
	if err := q.CreateSession(ctx, sess, ah, rh); err != nil {
		return api.Tokens{}, err
	}
	ev := s.event(p, u, action, userRes(u.ID, "sessions/"+sess.ID))
	ev.New = note
	return tokens, q.Audit(ctx, u.OrgID, ev)
}

var errReauth = api.Refused(http.StatusForbidden, api.CodeForbidden, api.Because(api.ReasonReauthRequired))

// freshProof lets p change what a takeover needs: with the password in the
// request (password, checked and throttled like any re-entry) or within
// freshFor of the session's sign-in or re-authentication. A stolen access
// token alone is not enough.
func (s *Server) freshProof(ctx context.Context, p *principal, u *store.User, password string) error {
	if password != "" {
		return s.proveIdentity(ctx, u, password, api.FieldPassword)
	}
	if p.apiKey || s.now().Sub(p.AuthenticatedAt) >= freshFor {
		return errReauth
	}
	return nil
}

// reauth re-enters the password in a signed-in session, which then counts
// as fresh for freshFor.
func (s *Server) reauth(w http.ResponseWriter, r *http.Request, p *principal) error {
	u, err := s.proven(w, r, p)
	if err != nil {
		return err
	}
	ctx := r.Context()
	err = s.st.Tx(ctx, func(q store.Q) error {
		if err := q.Reauthenticate(ctx, p.SessionID, s.now()); err != nil {
			return err
		}
		return q.Audit(ctx, u.OrgID, s.event(p, u, "session.reauth", userRes(u.ID, "sessions/"+p.SessionID)))
	})
	if errors.Is(err, store.ErrStale) {
		return api.ErrUnauthorized // the session ended meanwhile
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func validateDevice(d string) *api.Reason {
	if d == "" {
		return nil
	}
	return api.ValidateName(d)
}

func (s *Server) refresh(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[api.RefreshRequest](w, r)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(req.RefreshToken, prefixRefresh) || len(req.RefreshToken) > 128 {
		return api.ErrUnauthorized
	}
	ctx := r.Context()
	used := hashToken(req.RefreshToken)
	// A concurrent refresh of the same session can win the conditional
	// update; the loser looks again and finds its token as the previous one.
	for range 3 {
		sess, previous, err := s.st.Q().SessionByRefresh(ctx, used)
		if errors.Is(err, store.ErrNotFound) {
			return api.ErrUnauthorized
		}
		if err != nil {
			return err
		}
		now := s.now()
		if !now.Before(sess.ExpiresAt) {
			if err := s.st.Q().DeleteSession(ctx, sess.UserID, sess.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			return api.ErrUnauthorized
		}
		if previous && now.Sub(sess.RefreshedAt) > refreshGrace {
			if err := s.revokeReused(ctx, r, sess); err != nil {
				return err
			}
			return api.ErrUnauthorized
		}
		sess.IP = s.clientIP(r)
		tokens, ah, rh := s.newTokens(sess, now)
		err = s.st.Q().RotateSession(ctx, sess, used, ah, rh)
		if errors.Is(err, store.ErrStale) {
			continue
		}
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, tokens)
		return nil
	}
	return api.ErrUnauthorized
}

// revokeReused ends a session whose old refresh token came back after the
// grace period: someone else holds a copy.
func (s *Server) revokeReused(ctx context.Context, r *http.Request, sess *store.Session) error {
	u, err := s.st.Q().UserByID(ctx, sess.UserID)
	if err != nil {
		return err
	}
	return s.st.Tx(ctx, func(q store.Q) error {
		if err := q.DeleteSession(ctx, sess.UserID, sess.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		p := &principal{ip: s.clientIP(r), Auth: store.Auth{UserID: u.ID, SessionID: sess.ID}}
		return q.Audit(ctx, u.OrgID, s.event(p, u, "session.refresh_reused", userRes(u.ID, "sessions/"+sess.ID)))
	})
}

func (s *Server) signOut(w http.ResponseWriter, r *http.Request, p *principal) error {
	return s.endSession(w, r, p, p.SessionID)
}

func (s *Server) deleteSession(w http.ResponseWriter, r *http.Request, p *principal) error {
	return s.endSession(w, r, p, r.PathValue("id"))
}

func (s *Server) endSession(w http.ResponseWriter, r *http.Request, p *principal, id string) error {
	ctx := r.Context()
	u, err := s.st.Q().UserByID(ctx, p.UserID)
	if err != nil {
		return err
	}
	err = s.st.Tx(ctx, func(q store.Q) error {
		if err := q.DeleteSession(ctx, p.UserID, id); err != nil {
			return err
		}
		return q.Audit(ctx, u.OrgID, s.event(p, u, "session.delete", userRes(u.ID, "sessions/"+id)))
	})
	if err != nil {
		return err
	}
	s.signedOut(u.OrgID, u.ID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) deleteOtherSessions(w http.ResponseWriter, r *http.Request, p *principal) error {
	ctx := r.Context()
	u, err := s.st.Q().UserByID(ctx, p.UserID)
	if err != nil {
		return err
	}
	var n int64
	err = s.st.Tx(ctx, func(q store.Q) error {
		if n, err = q.DeleteSessionsExcept(ctx, p.UserID, p.SessionID); err != nil {
			return err
		}
		ev := s.event(p, u, "session.delete_others", userRes(u.ID, "sessions"))
		ev.New = itoa(n) + " signed out"
		return q.Audit(ctx, u.OrgID, ev)
	})
	if err != nil {
		return err
	}
	s.signedOut(u.OrgID, u.ID)
	writeJSON(w, http.StatusOK, api.SignedOut{Count: n})
	return nil
}

func (s *Server) listSessions(w http.ResponseWriter, r *http.Request, p *principal) error {
	list, err := s.st.Q().Sessions(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	out := make([]api.Session, 0, len(list))
	for _, ss := range list {
		out = append(out, api.Session{ID: ss.ID, Device: ss.Device, IP: ss.IP, Created: ss.CreatedAt,
			LastSeen: ss.LastSeenAt, Current: ss.ID == p.SessionID})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
