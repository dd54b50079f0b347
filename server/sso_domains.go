package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server/store"
)

// Email domains of single sign-on are proven by DNS, as Slack, Atlassian
// and Okta do: the organisation publishes a TXT record only the domain's
// owner can publish. Until then its claim is pending: it routes no
// sign-ins, links and creates no accounts, and blocks no other
// organisation. Whoever verifies first has the domain; removing it frees
// it. Subdomains are domains of their own.

const (
	// dnsTimeout bounds one verification's lookup.
	dnsTimeout = 5 * time.Second
	// verifyLimit is how many DNS checks an organisation may start in
	// verifyWindow: a check makes the server query DNS.
	verifyLimit  = 20
	verifyWindow = 15 * time.Minute
)

// newResolver is the system's resolver, or one that asks only the DNS
// server at addr (host:port).
func newResolver(addr string) (*net.Resolver, error) {
	if addr == "" {
		return net.DefaultResolver, nil
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, fmt.Errorf("dns server %q: %w", addr, err)
	}
	var d net.Dialer
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return d.DialContext(ctx, network, addr)
	}}, nil
}

// domainChallenge is the TXT value that proves orgID owns domain. It is
// derived from the server secret rather than random and stored: the tab
// shows it at every visit (a stored hash could not be shown again), it is
// the same after removing and re-adding the domain (a record already
// published keeps working), it differs per organisation (one's published
// record proves nothing for another), and nobody without the secret can
// compute it.
func (s *Server) domainChallenge(orgID, domain string) string {
	return api.SSOChallengeValuePrefix + s.seal.derive("sso domain\x00"+orgID+"\x00"+domain)
}

func (s *Server) domainView(orgID string, d store.DomainClaim) api.SSODomain {
	v := api.SSODomain{Domain: d.Domain, State: api.SSODomainPending, Failure: d.Failure,
		RecordName: api.SSOChallengePrefix + d.Domain, RecordValue: s.domainChallenge(orgID, d.Domain)}
	if d.Verified() {
		v.State, v.VerifiedAt = api.SSODomainVerified, &d.VerifiedAt
	}
	if !d.CheckedAt.IsZero() {
		v.CheckedAt = &d.CheckedAt
	}
	return v
}

// checkChallenge looks up domain's challenge record and returns "" when a
// TXT record there has the value want, else the reason it does not.
func (s *Server) checkChallenge(ctx context.Context, domain, want string) string {
	ctx, cancel := context.WithTimeout(ctx, dnsTimeout)
	defer cancel()
	// Absolute, so no search domain is tried.
	txts, err := s.dns.LookupTXT(ctx, api.SSOChallengePrefix+domain+".")
	var de *net.DNSError
	switch {
	case errors.As(err, &de) && de.IsNotFound:
		return api.ReasonDNSRecordMissing
	case err != nil:
		s.log.Warn("sso: DNS lookup failed", "domain", domain, "err", err)
		return api.ReasonDNSUnavailable
	}
	for _, t := range txts {
		if strings.TrimSpace(t) == want {
			return ""
		}
	}
	if len(txts) == 0 {
		return api.ReasonDNSRecordMissing
	}
	return api.ReasonDNSRecordMismatch
}

// domainRefusal is the answer to a check that did not verify.
func domainRefusal(reason string) error {
	switch reason {
	case api.ReasonDNSUnavailable:
		return &api.Error{Status: http.StatusServiceUnavailable, Code: api.CodeUnavailable, Message: "DNS did not answer",
			Reason: api.Because(reason), RetryAfter: 30 * time.Second}
	case api.ReasonDomainTaken:
		return api.Refused(http.StatusConflict, api.CodeConflict, api.Because(reason))
	}
	return api.Refused(http.StatusUnprocessableEntity, api.CodeInvalid, api.Because(reason))
}

// markDomainVerified verifies orgID's pending claim on domain, audited as
// p: store.ErrConflict when another organisation has the domain,
// store.ErrNotFound when there is no pending claim.
func (s *Server) markDomainVerified(ctx context.Context, p *principal, orgID, domain string) error {
	return s.st.Tx(ctx, func(q store.Q) error {
		if err := q.VerifySSODomain(ctx, orgID, domain, s.now()); err != nil {
			return err
		}
		return s.auditPeople(ctx, q, p, orgID, "sso.domain_verify", "org/"+orgID+"/sso/domains/"+domain,
			diff{{"state", api.SSODomainPending, api.SSODomainVerified}})
	})
}

// verifySSODomain checks a claimed domain's TXT record. A verified claim
// answers as it is, without a lookup. A check that does not verify leaves
// the claim pending with its reason, for the tab to show.
func (s *Server) verifySSODomain(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	domain := strings.ToLower(r.PathValue("domain"))
	if !validDomain(domain) {
		return api.Invalid(map[string]*api.Reason{"domain": api.Because(api.ReasonDomainFormat)})
	}
	ctx := r.Context()
	claim, err := s.st.Q().SSODomainClaim(ctx, a.OrgID, domain)
	if errors.Is(err, store.ErrNotFound) {
		return api.ErrNotFound
	}
	if err != nil || claim.Verified() {
		if err == nil {
			writeJSON(w, http.StatusOK, s.domainView(a.OrgID, claim))
		}
		return err
	}
	limits := []limit{{"sso-verify:org:" + a.OrgID, verifyLimit, verifyWindow}}
	if err := s.checkLimits(ctx, limits); err != nil {
		return err
	}
	s.hitLimits(ctx, limits)
	reason := s.checkChallenge(ctx, domain, s.domainChallenge(a.OrgID, domain))
	if reason == "" {
		switch err := s.markDomainVerified(ctx, a.principal, a.OrgID, domain); {
		case errors.Is(err, store.ErrConflict):
			reason = api.ReasonDomainTaken
		case err != nil && !errors.Is(err, store.ErrNotFound): // not found: verified in parallel, or removed
			return err
		}
	}
	if reason != "" {
		if err := s.st.Q().FailSSODomain(ctx, a.OrgID, domain, s.now(), reason); err != nil {
			return err
		}
		return domainRefusal(reason)
	}
	if claim, err = s.st.Q().SSODomainClaim(ctx, a.OrgID, domain); errors.Is(err, store.ErrNotFound) {
		return api.ErrNotFound
	} else if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.domainView(a.OrgID, claim))
	return nil
}

// VerifyDomain marks a domain an organisation has claimed verified
// without asking DNS: for operators who run the organisation's DNS
// themselves (on premises). Audited as the operator. It reports whether
// the domain was pending.
func (s *Server) VerifyDomain(ctx context.Context, orgID, domain string) (bool, error) {
	domain = strings.ToLower(strings.TrimSpace(domain))
	claim, err := s.st.Q().SSODomainClaim(ctx, orgID, domain)
	if errors.Is(err, store.ErrNotFound) {
		return false, &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound,
			Message: fmt.Sprintf("organisation %s has not added %s to its single sign-on domains", orgID, domain)}
	}
	if err != nil || claim.Verified() {
		return false, err
	}
	if err := s.markDomainVerified(ctx, operator, orgID, domain); errors.Is(err, store.ErrConflict) {
		return false, conflict("domain", api.Because(api.ReasonDomainTaken))
	} else if err != nil {
		return false, err
	}
	return true, nil
}

// logUnprovenSSO tells the operator of organisations whose single sign-on
// routes nobody, as claims made before domains were proven are pending.
func (s *Server) logUnprovenSSO(ctx context.Context) {
	n, err := s.st.Q().UnprovenSSOOrgs(ctx)
	if err != nil || n == 0 {
		return
	}
	s.log.Warn("sso: organisations have single sign-on on but no verified email domain, so nobody signs in through it; "+
		"their admins verify domains in the Organisation tab, or the operator runs phoneset-server org verify-domain", "organisations", n)
}
