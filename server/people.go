package server

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server/mail"
	"github.com/phoneset/phoneset/server/store"
)

// The user lifecycle: invite, create, deactivate, reactivate. Admin routes,
// SCIM, CSV import and operators all go through these functions, so every
// way in checks and audits alike. Each runs in the caller's transaction q.

// invitationKeep is how long an expired invitation stays listed, for a
// resend, before housekeeping drops it.
const invitationKeep = 30 * 24 * time.Hour

// noPassword is the stored hash of an account made without a password
// (SCIM, import): no password verifies against it, so the user signs in
// only after choosing one through a password reset.
const noPassword = "!"

// actorName is who p is in the audit log: their display name, or the ID
// p acts under when it names no user (a SCIM token, an operator).
func actorName(ctx context.Context, q store.Q, p *principal) (string, error) {
	u, err := q.UserByID(ctx, p.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return p.UserID, nil
	}
	if err != nil {
		return "", err
	}
	return u.DisplayName, nil
}

// auditPeople writes one event per changed field of an action by p in
// org orgID.
func (s *Server) auditPeople(ctx context.Context, q store.Q, p *principal, orgID, action, resource string, d diff) error {
	name, err := actorName(ctx, q, p)
	if err != nil {
		return err
	}
	for _, c := range d {
		ev := api.AuditEvent{At: s.now().UTC(), ActorID: p.UserID, Actor: name, IP: p.ip, Action: action, Resource: resource,
			Field: c.field, Old: c.old, New: c.new}
		if err := q.Audit(ctx, orgID, ev); err != nil {
			return err
		}
	}
	return nil
}

// mayLose refuses to deactivate or delete u: not p's own account, not the
// owner, not the last active admin. The caller has locked the org row
// (BumpOrg) so concurrent changes see each other.
func mayLose(ctx context.Context, q store.Q, p *principal, u *store.User) error {
	if p.UserID == u.ID {
		return refuse(api.FieldID, api.Because(api.ReasonNotYourself))
	}
	o, err := q.OrgProfileByID(ctx, u.OrgID)
	if err != nil {
		return err
	}
	if o.OwnerID == u.ID {
		return refuse(api.FieldID, api.Because(api.ReasonOwnerStays))
	}
	perms, err := q.Permissions(ctx, u.ID)
	if err != nil || !slices.Contains(perms, api.PermAccount) || !u.DeactivatedAt.IsZero() {
		return err
	}
	n, err := q.CountWithPermission(ctx, u.OrgID, api.PermAccount)
	if err != nil {
		return err
	}
	if n <= 1 {
		return refuse(api.FieldID, api.Because(api.ReasonAdminMustRemain))
	}
	return nil
}

// deactivateUser stops u at once: every session ends and the API key is
// revoked (so the next request of either is a 401), pending links and codes
// die, licenses go back to the organisation. The row, history and audit
// trail stay. The owner, the last admin and p's own account are refused;
// an inactive user is left as is.
func (s *Server) deactivateUser(ctx context.Context, q store.Q, p *principal, u *store.User) error {
	if err := q.BumpOrg(ctx, u.OrgID); err != nil {
		return err
	}
	u, err := q.UserByID(ctx, u.ID) // as it is now, under the org lock
	if err != nil || !u.DeactivatedAt.IsZero() {
		return err
	}
	if err := mayLose(ctx, q, p, u); err != nil {
		return err
	}
	if err := q.SetDeactivated(ctx, u.ID, s.now()); err != nil {
		return err
	}
	n, err := q.DeleteSessionsExcept(ctx, u.ID, "")
	if err != nil {
		return err
	}
	revoked, err := q.RevokeAPIKey(ctx, u.ID)
	if err != nil {
		return err
	}
	skus, err := q.UnassignAllLicenses(ctx, u.ID)
	if err != nil {
		return err
	}
	if err := q.DeleteVerifications(ctx, u.ID); err != nil {
		return err
	}
	d := diff{{"active", "true", "false"}}
	if n > 0 {
		d.str("sessions", itoa(n), "0")
	}
	if revoked {
		d.str("api_key", "set", "revoked")
	}
	for _, sku := range skus {
		d.str("license."+sku, "assigned", "unassigned")
	}
	return s.auditPeople(ctx, q, p, u.OrgID, "user.deactivate", userRes(u.ID, "active"), d)
}

// reactivateUser lets a deactivated u sign in again. Licenses freed on
// deactivation are not given back: seats may have gone to others since.
func (s *Server) reactivateUser(ctx context.Context, q store.Q, p *principal, u *store.User) error {
	if err := q.BumpOrg(ctx, u.OrgID); err != nil {
		return err
	}
	u, err := q.UserByID(ctx, u.ID)
	if err != nil || u.DeactivatedAt.IsZero() {
		return err
	}
	if err := q.SetDeactivated(ctx, u.ID, time.Time{}); err != nil {
		return err
	}
	return s.auditPeople(ctx, q, p, u.OrgID, "user.reactivate", userRes(u.ID, "active"), diff{{"active", "false", "true"}})
}

// userStart checks what a new account starts with in org orgID: a license
// SKU of the org with a free seat (none assigned, none held for another
// invitation), and structure options of its categories. A full
// organisation is refused with ReasonOrgFull.
func (s *Server) userStart(ctx context.Context, q store.Q, orgID, license string, options map[string]string) error {
	if license != "" {
		p, err := licenseSKU(ctx, q, orgID, license)
		if err != nil {
			return api.Invalid(map[string]*api.Reason{api.FieldLicense: api.Because(api.ReasonNotOnPriceList)})
		}
		use, err := s.licenseUse(ctx, q, orgID)
		if err != nil {
			return err
		}
		if use.free(license) < 1 {
			return refuse(api.FieldLicense, &api.Reason{Code: api.ReasonOrgFull, Args: api.Args{"product": p.Name}})
		}
	}
	if len(options) == 0 {
		return nil
	}
	cats, err := q.Categories(ctx, orgID)
	if err != nil {
		return err
	}
	for catID, optID := range options {
		i := slices.IndexFunc(cats, func(c api.Category) bool { return c.ID == catID })
		if i < 0 {
			return api.Invalid(map[string]*api.Reason{api.FieldOptions: {Code: api.ReasonNotAllowed, Args: api.Args{"value": catID}}})
		}
		if !slices.ContainsFunc(cats[i].Options, func(o api.CategoryOption) bool { return o.ID == optID }) {
			return api.Invalid(map[string]*api.Reason{api.FieldOptions: {Code: api.ReasonNotAnOption, Args: api.Args{"value": optID}}})
		}
	}
	return nil
}

// newUser is an account to create.
type newUser struct {
	// ID is the new account's ID, or "" for a fresh one.
	ID, OrgID                    string
	Username, Email, DisplayName string
	FirstName, LastName          string
	PasswordHash                 string // "" for none: see noPassword
	License                      string
	Options                      map[string]string
	Owner                        bool // becomes the org's owner and admin
}

// createUser makes an active account in nu.OrgID with its license and
// options, and audits it. Taken usernames and addresses, in any case, are
// a 409 on their field.
func (s *Server) createUser(ctx context.Context, q store.Q, p *principal, nu newUser) (*store.User, error) {
	fields := map[string]*api.Reason{}
	if why := api.ValidateUsername(nu.Username); why != nil {
		fields[api.FieldUsername] = why
	}
	if why := api.ValidateEmail(nu.Email); why != nil {
		fields[api.FieldEmail] = why
	}
	if why := api.ValidateDisplayName(nu.DisplayName); why != nil {
		fields[api.FieldDisplayName] = why
	}
	for f, v := range map[string]string{api.FieldFirstName: nu.FirstName, api.FieldLastName: nu.LastName} {
		if why := api.ValidateName(v); why != nil {
			fields[f] = why
		}
	}
	if len(fields) > 0 {
		return nil, api.Invalid(fields)
	}
	if err := q.BumpOrg(ctx, nu.OrgID); err != nil {
		return nil, err
	}
	if err := s.userStart(ctx, q, nu.OrgID, nu.License, nu.Options); err != nil {
		return nil, err
	}
	o, err := q.OrgByID(ctx, nu.OrgID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if nu.PasswordHash == "" {
		nu.PasswordHash = noPassword
	}
	if nu.ID == "" {
		nu.ID = newID("usr")
	}
	u := &store.User{ID: nu.ID, OrgID: nu.OrgID, Username: nu.Username, Email: nu.Email, PasswordHash: nu.PasswordHash,
		PasswordChangedAt: now, FirstName: nu.FirstName, LastName: nu.LastName, DisplayName: nu.DisplayName,
		Language: o.Language, TimeZone: o.TimeZone, Availability: api.Offline, StatusChangedAt: now, CreatedAt: now,
		ProfileVersion: 1, StatusVersion: 1, NotificationsVersion: 1, PhotoVersion: 1}
	if err := q.CreateUser(ctx, u); err != nil {
		if errors.Is(err, store.ErrConflict) {
			if strings.Contains(err.Error(), "email") {
				return nil, conflict(api.FieldEmail, api.Because(api.ReasonTaken))
			}
			return nil, conflict(api.FieldUsername, api.Because(api.ReasonTaken))
		}
		return nil, err
	}
	var d diff
	d.str(api.FieldUsername, "", u.Username)
	d.str(api.FieldEmail, "", u.Email)
	d.str(api.FieldDisplayName, "", u.DisplayName)
	if nu.License != "" {
		if _, err := q.AssignLicense(ctx, u.ID, nu.License, now); err != nil {
			return nil, err
		}
		d.str("license."+nu.License, "unassigned", "assigned")
	}
	for _, cat := range sortedKeys(nu.Options) {
		if err := q.SetUserOption(ctx, u.ID, cat, nu.Options[cat]); err != nil {
			return nil, err
		}
		d.str("option."+cat, "", nu.Options[cat])
	}
	if nu.Owner {
		if err := q.Grant(ctx, u.ID, api.PermAccount); err != nil {
			return nil, err
		}
		if err := q.SetOwner(ctx, u.OrgID, u.ID); err != nil {
			return nil, err
		}
		d.str(api.FieldOwner, "", "true")
	}
	return u, s.auditPeople(ctx, q, p, u.OrgID, "user.create", userRes(u.ID, "profile"), d)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// invite records an invitation to org orgID and returns it with its link's
// token, to be sent (sendInvitation) once q commits. owner makes the
// invitee the org's owner and admin. An address that has an account, or a
// live invitation anywhere, is a 409: an address names one account.
func (s *Server) invite(ctx context.Context, q store.Q, p *principal, orgID string, req api.InvitationRequest, owner bool) (*store.Invitation, string, error) {
	fields := map[string]*api.Reason{}
	if why := api.ValidateEmail(req.Email); why != nil {
		fields[api.FieldEmail] = why
	}
	if why := api.ValidateDisplayName(req.DisplayName); why != nil {
		fields[api.FieldDisplayName] = why
	}
	if len(fields) > 0 {
		return nil, "", api.Invalid(fields)
	}
	if err := q.BumpOrg(ctx, orgID); err != nil {
		return nil, "", err
	}
	if err := s.userStart(ctx, q, orgID, req.License, req.Options); err != nil {
		return nil, "", err
	}
	if _, err := q.UserByLogin(ctx, req.Email); err == nil {
		return nil, "", conflict(api.FieldEmail, api.Because(api.ReasonTaken))
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, "", err
	}
	by, err := actorName(ctx, q, p)
	if err != nil {
		return nil, "", err
	}
	now := s.now()
	token := randomToken(prefixLink)
	inv := &store.Invitation{ID: newID("inv"), OrgID: orgID, Email: req.Email, DisplayName: req.DisplayName,
		License: req.License, Options: req.Options, Owner: owner, InvitedBy: by, SentCount: 1,
		CreatedAt: now, SentAt: now, ExpiresAt: now.Add(api.InvitationTTL)}
	if err := q.CreateInvitation(ctx, inv, hashToken(token), now); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, "", conflict(api.FieldEmail, api.Because(api.ReasonTaken))
		}
		return nil, "", err
	}
	var d diff
	d.str(api.FieldEmail, "", inv.Email)
	d.str(api.FieldDisplayName, "", inv.DisplayName)
	d.str(api.FieldLicense, "", inv.License)
	if len(inv.Options) > 0 {
		d.json(api.FieldOptions, nil, inv.Options)
	}
	if owner {
		d.str(api.FieldOwner, "", "true")
	}
	return inv, token, s.auditPeople(ctx, q, p, orgID, "invitation.create", "org/"+orgID+"/invitations/"+inv.ID, d)
}

// sendInvitation emails an invitation's link; base is the public URL the
// link starts with.
func (s *Server) sendInvitation(ctx context.Context, base string, inv *store.Invitation, token string) error {
	o, err := s.st.Q().OrgByID(ctx, inv.OrgID)
	if err != nil {
		return err
	}
	link := base + "/v1/invitations/accept?token=" + token
	return s.deliver(ctx, s.mail, mail.Message{Channel: mail.Email, To: inv.Email,
		Subject: "You are invited to " + o.DisplayName + " on Phoneset",
		Body: inv.InvitedBy + " invited you to join " + o.DisplayName + " on Phoneset.\n\n" +
			"Open this link within 7 days to choose your username and password:\n\n" + link + "\n\n" +
			"The link works once. If you did not expect this, ignore this message."})
}

var errNoSuchInvitation = &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound, Message: "no such invitation in your organisation"}

// blocked reports whether u may not sign in or reset a password: u is
// deactivated or u's organisation disabled.
func (s *Server) blocked(ctx context.Context, q store.Q, u *store.User) (bool, error) {
	if !u.DeactivatedAt.IsZero() {
		return true, nil
	}
	at, err := q.OrgDisabledAt(ctx, u.OrgID)
	return !at.IsZero(), err
}

var errAccountDisabled = api.Refused(http.StatusUnauthorized, api.CodeUnauthorized, api.Because(api.ReasonAccountDisabled))
