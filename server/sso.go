package server

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server/store"
)

// Single sign-on (OpenID Connect). The server is the relying party: it
// keeps the client secret, builds the authorization URL, and trades the
// code for tokens, verifying the ID token. The app only opens the system
// browser and catches the redirect on a loopback port (RFC 8252), then
// hands the code back with its PKCE verifier.
//
// A session from single sign-on asks for no second factor: the provider
// enforces the organisation's own factors.

// OIDCProvider is an organisation's provider, secret opened.
type OIDCProvider struct {
	Issuer, ClientID, ClientSecret string
}

// OIDCAuth is one sign-in's parameters, the same for the authorization
// URL and the code exchange.
type OIDCAuth struct {
	RedirectURI, State, Nonce, Challenge string
}

// OIDCIdentity is who a verified ID token names.
type OIDCIdentity struct {
	Issuer, Subject string
	Email           string
	EmailVerified   bool
	Name            string
}

// OIDC is the OpenID Connect client (server/sso). It is wired in by
// phoneset-server only, so the desktop app's embedded backend, which has
// no single sign-on, does not carry its dependencies.
type OIDC interface {
	// AuthURL is where the browser starts the sign-in.
	AuthURL(ctx context.Context, p OIDCProvider, a OIDCAuth) (string, error)
	// Exchange trades a code for tokens and verifies the ID token:
	// signature (the provider's JWKS, refetched when an unknown key
	// appears), issuer, audience, expiry and a.Nonce.
	Exchange(ctx context.Context, p OIDCProvider, a OIDCAuth, code, verifier string) (OIDCIdentity, error)
}

const (
	// ssoLoginTTL is how long the browser may take between start and finish.
	ssoLoginTTL = 10 * time.Minute
	// sealSSO binds sealed client secrets to their purpose.
	sealSSO = "sso client secret "
)

var (
	errSSONotConfigured = api.Refused(http.StatusNotFound, api.CodeNotFound, api.Because(api.ReasonSSONotConfigured))
	errSSOUnavailable   = api.Refused(http.StatusNotFound, api.CodeNotFound, api.Because(api.ReasonSSOUnavailable))
	errSSOFailed        = api.Refused(http.StatusUnauthorized, api.CodeUnauthorized, api.Because(api.ReasonSSOFailed))
	errSSORequired      = api.Refused(http.StatusForbidden, api.CodeForbidden, api.Because(api.ReasonSSORequired))
	errSSONoAccount     = api.Refused(http.StatusForbidden, api.CodeForbidden, api.Because(api.ReasonSSONoAccount))
)

func ssoLimits(ip string) []limit {
	return []limit{{"sso:ip:" + ip, 30, 15 * time.Minute}}
}

func (s *Server) ssoView(c *store.SSO) api.SSOSettings {
	v := api.SSOSettings{Version: c.Version, Enabled: c.Enabled, Issuer: c.Issuer, ClientID: c.ClientID,
		ClientSecretSet: c.ClientSecret != "", Domains: c.DomainNames(), DomainClaims: make([]api.SSODomain, len(c.Domains)),
		SSOOnly: c.SSOOnly, JustInTime: c.JustInTime}
	for i, d := range c.Domains {
		v.DomainClaims[i] = s.domainView(c.OrgID, d)
	}
	return v
}

func (s *Server) getSSO(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	c, err := s.st.Q().OrgSSO(r.Context(), a.OrgID)
	if err != nil {
		return err
	}
	writeVersioned(w, http.StatusOK, c.Version, s.ssoView(c))
	return nil
}

var domainRE = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)

// validDomain accepts a lower-case domain name with a dot, no wildcard.
func validDomain(d string) bool { return len(d) <= 253 && domainRE.MatchString(d) }

// validIssuer accepts https URLs, and http only to loopback (a provider on
// the same machine, as in tests).
func validIssuer(s string) bool {
	u, err := url.Parse(s)
	if err != nil || len(s) > api.MaxSSOURLLen || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return false
	}
	return u.Scheme == "https" || (u.Scheme == "http" && isLoopbackHost(u.Hostname()))
}

func isLoopbackHost(h string) bool {
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// checkToken refuses what cannot be a client ID, secret, code or state.
func checkToken(s string, required bool) *api.Reason {
	switch {
	case s == "" && required:
		return api.Because(api.ReasonRequired)
	case len(s) > api.MaxSSOTokenLen:
		return &api.Reason{Code: api.ReasonTooLong, Args: api.Args{"max": api.MaxSSOTokenLen}}
	case strings.IndexFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f }) >= 0:
		return api.Because(api.ReasonControlChars)
	}
	return nil
}

func (s *Server) putSSO(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	version, err := ifMatch(r)
	if err != nil {
		return err
	}
	req, err := decode[api.SSOSettingsUpdate](w, r)
	if err != nil {
		return err
	}
	fields := map[string]*api.Reason{}
	if (req.Enabled || req.Issuer != "") && !validIssuer(req.Issuer) {
		fields[api.FieldIssuer] = api.Because(api.ReasonURLFormat)
	}
	if why := checkToken(req.ClientID, req.Enabled); why != nil {
		fields[api.FieldClientID] = why
	}
	if req.ClientSecret != nil {
		if why := checkToken(*req.ClientSecret, false); why != nil {
			fields[api.FieldClientSecret] = why
		}
	}
	domains := make([]string, 0, len(req.Domains))
	for _, d := range req.Domains {
		d = strings.ToLower(strings.TrimSpace(d))
		if !validDomain(d) {
			fields[api.FieldDomains] = &api.Reason{Code: api.ReasonDomainFormat}
			break
		}
		domains = append(domains, d)
	}
	slices.Sort(domains)
	domains = slices.Compact(domains)
	switch {
	case len(domains) > api.MaxSSODomains:
		fields[api.FieldDomains] = &api.Reason{Code: api.ReasonTooMany, Args: api.Args{"max": api.MaxSSODomains}}
	case req.Enabled && len(domains) == 0 && fields[api.FieldDomains] == nil:
		fields[api.FieldDomains] = api.Because(api.ReasonRequired)
	}
	if len(fields) > 0 {
		return api.Invalid(fields)
	}
	ctx := r.Context()
	// Whoever sets the provider can sign in as any member: a stolen
	// access token alone is not enough (password in the last 5 minutes).
	if err := s.freshProof(ctx, a.principal, a.user, ""); err != nil {
		return err
	}
	err = s.st.Tx(ctx, func(q store.Q) error {
		old, err := q.OrgSSO(ctx, a.OrgID)
		if err != nil {
			return err
		}
		c := *old
		c.Enabled, c.Issuer, c.ClientID, c.SSOOnly, c.JustInTime = req.Enabled, req.Issuer, req.ClientID, req.SSOOnly, req.JustInTime
		c.Domains = make([]store.DomainClaim, len(domains))
		for i, name := range domains {
			c.Domains[i] = store.DomainClaim{Domain: name}
		}
		var d diff
		d.bool(api.FieldEnabled, old.Enabled, c.Enabled)
		d.str(api.FieldIssuer, old.Issuer, c.Issuer)
		d.str(api.FieldClientID, old.ClientID, c.ClientID)
		if req.ClientSecret != nil {
			// The audit log says that the secret changed, never what it is.
			was, _ := s.openSSOSecret(old)
			if *req.ClientSecret != was {
				c.ClientSecret = ""
				if *req.ClientSecret != "" {
					c.ClientSecret = s.seal.seal(*req.ClientSecret, sealSSO+a.OrgID)
				}
				d.str(api.FieldClientSecret, secretState(old.ClientSecret), secretState(c.ClientSecret)+" (new)")
			}
		}
		d.str(api.FieldDomains, strings.Join(old.DomainNames(), ", "), strings.Join(domains, ", "))
		d.bool("sso_only", old.SSOOnly, c.SSOOnly)
		d.bool("just_in_time", old.JustInTime, c.JustInTime)
		if err := checkWrite(old.Version, version, len(d) == 0); err != nil || len(d) == 0 {
			return err
		}
		if err := q.SaveOrgSSO(ctx, &c, version); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return api.Invalid(map[string]*api.Reason{api.FieldDomains: api.Because(api.ReasonDomainTaken)})
			}
			return err
		}
		return s.orgAudit(ctx, q, a, "sso.update", a.orgRes("sso"), d)
	})
	if err != nil && !errors.Is(err, errApplied) {
		return err
	}
	return s.getSSO(w, r, a)
}

func secretState(sealed string) string {
	if sealed == "" {
		return "none"
	}
	return "set"
}

func (s *Server) openSSOSecret(c *store.SSO) (string, error) {
	if c.ClientSecret == "" {
		return "", nil
	}
	return s.seal.open(c.ClientSecret, sealSSO+c.OrgID)
}

// emailDomain is the lower-case domain of an address.
func emailDomain(email string) string {
	i := strings.LastIndexByte(email, '@')
	if i < 0 {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(email[i+1:]))
}

// validLoopback accepts the app's loopback redirect: http to an IP
// literal of this machine with a port (RFC 8252 §7.3; "localhost" can
// resolve elsewhere).
func validLoopback(s string) bool {
	u, err := url.Parse(s)
	if err != nil || len(s) > api.MaxSSOURLLen || u.Scheme != "http" || u.User != nil || u.Fragment != "" || u.RawQuery != "" {
		return false
	}
	port, err := strconv.Atoi(u.Port())
	return err == nil && port > 0 && port < 65536 && isLoopbackHost(u.Hostname())
}

// pkceS256 is the S256 code challenge of a verifier (RFC 7636).
func pkceS256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

var notUsernameRE = regexp.MustCompile(`[^a-zA-Z0-9._-]+`)

var pkceRE = regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`)

// ssoProvider is the organisation's enabled provider.
func (s *Server) ssoProvider(ctx context.Context, orgID string) (*store.SSO, OIDCProvider, error) {
	c, err := s.st.Q().OrgSSO(ctx, orgID)
	if err != nil {
		return nil, OIDCProvider{}, err
	}
	if !c.Enabled {
		return nil, OIDCProvider{}, errSSONotConfigured
	}
	secret, err := s.openSSOSecret(c)
	if err != nil {
		return nil, OIDCProvider{}, err
	}
	return c, OIDCProvider{Issuer: c.Issuer, ClientID: c.ClientID, ClientSecret: secret}, nil
}

// ssoStart begins a sign-in for the organisation that has verified the
// email's domain and answers with the provider's authorization URL.
func (s *Server) ssoStart(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[api.SSOStartRequest](w, r)
	if err != nil {
		return err
	}
	fields := map[string]*api.Reason{}
	if why := api.ValidateEmail(req.Email); why != nil {
		fields[api.FieldEmail] = why
	}
	if !validLoopback(req.RedirectURI) {
		fields[api.FieldRedirectURI] = api.Because(api.ReasonNotLoopback)
	}
	if !pkceRE.MatchString(req.CodeChallenge) {
		fields[api.FieldCodeChallenge] = api.Because(api.ReasonRequired)
	}
	if req.CodeChallengeMethod != "S256" {
		fields["code_challenge_method"] = api.OneOf(req.CodeChallengeMethod, "S256")
	}
	if len(fields) > 0 {
		return api.Invalid(fields)
	}
	ctx := r.Context()
	limits := ssoLimits(s.clientIP(r))
	if err := s.checkLimits(ctx, limits); err != nil {
		return err
	}
	s.hitLimits(ctx, limits)
	if s.cfg.OIDC == nil {
		return errSSOUnavailable
	}
	orgID, err := s.st.Q().OrgByDomain(ctx, emailDomain(req.Email))
	if errors.Is(err, store.ErrNotFound) {
		return errSSONotConfigured
	}
	if err != nil {
		return err
	}
	_, p, err := s.ssoProvider(ctx, orgID)
	if err != nil {
		return err
	}
	state, nonce := randomToken(""), randomToken("")
	auth := OIDCAuth{RedirectURI: req.RedirectURI, State: state, Nonce: nonce, Challenge: req.CodeChallenge}
	u, err := s.cfg.OIDC.AuthURL(ctx, p, auth)
	if err != nil {
		s.log.Warn("sso: provider unreachable", "org", orgID, "issuer", p.Issuer, "err", err)
		return &api.Error{Status: http.StatusServiceUnavailable, Code: api.CodeUnavailable, Message: "the identity provider did not answer",
			Reason: api.Because(api.ReasonSSOFailed), RetryAfter: 10 * time.Second}
	}
	err = s.st.Q().CreateSSOLogin(ctx, &store.SSOLogin{StateHash: hashToken(state), OrgID: orgID, Nonce: nonce,
		Challenge: req.CodeChallenge, RedirectURI: req.RedirectURI, ExpiresAt: s.now().Add(ssoLoginTTL)})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, api.SSOStart{AuthorizationURL: u, State: state})
	return nil
}

// ssoFinish completes a sign-in: the state names it (once), the verifier
// must match its challenge, and the provider's ID token must verify.
func (s *Server) ssoFinish(w http.ResponseWriter, r *http.Request) error {
	req, err := decode[api.SSOFinishRequest](w, r)
	if err != nil {
		return err
	}
	fields := map[string]*api.Reason{}
	if why := checkToken(req.State, true); why != nil {
		fields[api.FieldState] = why
	}
	if why := checkToken(req.Code, true); why != nil {
		fields[api.FieldCode] = why
	}
	if !pkceRE.MatchString(req.CodeVerifier) {
		fields[api.FieldCodeVerifier] = api.Because(api.ReasonRequired)
	}
	if why := validateDevice(req.Device); why != nil {
		fields[api.FieldDevice] = why
	}
	if len(fields) > 0 {
		return api.Invalid(fields)
	}
	ctx := r.Context()
	ip := s.clientIP(r)
	limits := ssoLimits(ip)
	if err := s.checkLimits(ctx, limits); err != nil {
		return err
	}
	s.hitLimits(ctx, limits)
	if s.cfg.OIDC == nil {
		return errSSOUnavailable
	}
	login, err := s.st.Q().ConsumeSSOLogin(ctx, hashToken(req.State))
	if errors.Is(err, store.ErrNotFound) {
		return errSSOFailed // unknown, or already used: a replay
	}
	if err != nil {
		return err
	}
	if !s.now().Before(login.ExpiresAt) || subtle.ConstantTimeCompare([]byte(pkceS256(req.CodeVerifier)), []byte(login.Challenge)) != 1 {
		return errSSOFailed
	}
	c, p, err := s.ssoProvider(ctx, login.OrgID)
	if err != nil {
		return err
	}
	id, err := s.cfg.OIDC.Exchange(ctx, p, OIDCAuth{RedirectURI: login.RedirectURI, State: req.State, Nonce: login.Nonce,
		Challenge: login.Challenge}, req.Code, req.CodeVerifier)
	if err != nil {
		s.log.Warn("sso: sign-in refused", "org", login.OrgID, "issuer", p.Issuer, "err", err)
		return errSSOFailed
	}
	u, err := s.ssoUser(ctx, c, id, ip)
	if err != nil {
		return err
	}
	tokens, err := s.openSession(ctx, u, req.Device, ip, "session.create_sso", strings.TrimSpace(req.Device+" via "+p.Issuer), nil)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, tokens)
	return nil
}

// ssoUser is the account a verified identity signs in to: the one linked
// to it, else the organisation's account with its verified email (linked
// now), else, when the organisation allows, a new one.
func (s *Server) ssoUser(ctx context.Context, c *store.SSO, id OIDCIdentity, ip string) (*store.User, error) {
	q := s.st.Q()
	u, err := q.UserBySSO(ctx, id.Issuer, id.Subject)
	switch {
	case err == nil && u.OrgID == c.OrgID:
		return u, nil
	case err == nil:
		return nil, errSSONoAccount // linked in another organisation that used this provider
	case !errors.Is(err, store.ErrNotFound):
		return nil, err
	}
	if !id.EmailVerified {
		return nil, api.Refused(http.StatusForbidden, api.CodeForbidden, api.Because(api.ReasonSSOEmailNotVerified))
	}
	if api.ValidateEmail(id.Email) != nil || !c.Owns(emailDomain(id.Email)) {
		return nil, errSSONoAccount
	}
	u, err = q.UserByLogin(ctx, id.Email)
	switch {
	case err == nil && (u.OrgID != c.OrgID || store.NormEmail(u.Email) != store.NormEmail(id.Email)):
		return nil, errSSONoAccount
	case errors.Is(err, store.ErrNotFound) && !c.JustInTime:
		return nil, errSSONoAccount
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return nil, err
	}
	err = s.st.Tx(ctx, func(q store.Q) error {
		if u == nil {
			if u, err = s.ssoCreateUser(ctx, q, c.OrgID, id, ip); err != nil {
				return err
			}
		}
		if err := q.LinkSSO(ctx, id.Issuer, id.Subject, u.ID, s.now()); err != nil {
			return err
		}
		ev := s.event(&principal{ip: ip, Auth: store.Auth{UserID: u.ID}}, u, "sso.link", userRes(u.ID, "sso"))
		ev.New = id.Issuer + " " + id.Subject
		return q.Audit(ctx, c.OrgID, ev)
	})
	if errors.Is(err, store.ErrConflict) {
		return nil, errSSOFailed // a parallel first sign-in linked it
	}
	return u, err
}

// ssoCreateUser makes the account of a just-in-time sign-in through
// createUser, as an admin's or SCIM's are (versions, status history,
// audit), with no password: the person signs in through the provider (or
// sets one through a reset, if the organisation allows passwords). The
// audit names the provider as the actor.
func (s *Server) ssoCreateUser(ctx context.Context, q store.Q, orgID string, id OIDCIdentity, ip string) (*store.User, error) {
	local := id.Email[:strings.LastIndexByte(id.Email, '@')]
	base := strings.Trim(notUsernameRE.ReplaceAllString(local, ""), "._-")
	if len(base) > api.MaxUsernameLen-4 {
		base = base[:api.MaxUsernameLen-4]
	}
	for len(base) < api.MinUsernameLen {
		base += "0"
	}
	name := strings.TrimSpace(id.Name)
	if api.ValidateDisplayName(name) != nil {
		name = base
	}
	p := &principal{ip: ip, Auth: store.Auth{UserID: "sso:" + id.Issuer, OrgID: orgID}}
	for i := 0; ; i++ {
		username := base
		if i > 0 {
			username = fmt.Sprintf("%s%d", base, i+1)
		}
		if _, err := q.UserByLogin(ctx, username); errors.Is(err, store.ErrNotFound) {
			return s.createUser(ctx, q, p, newUser{OrgID: orgID, Username: username, Email: id.Email, DisplayName: name})
		} else if err != nil {
			return nil, err
		}
		if i > 100 {
			return nil, errSSONoAccount
		}
	}
}

// passwordAllowed refuses password sign-in to a member of an organisation
// that signs in with single sign-on only. Admins keep their password, so a
// broken provider cannot lock the organisation out; and until the
// organisation has verified a domain nobody can sign in through its
// provider, so members keep theirs too.
func (s *Server) passwordAllowed(ctx context.Context, u *store.User) error {
	c, err := s.st.Q().OrgSSO(ctx, u.OrgID)
	if err != nil || !c.Enabled || !c.SSOOnly || !c.Proven() {
		return err
	}
	perms, err := s.st.Q().Permissions(ctx, u.ID)
	if err != nil || slices.Contains(perms, api.PermAccount) {
		return err
	}
	return errSSORequired
}
