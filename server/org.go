package server

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/photo"
	"github.com/phoneset/phoneset/server/mail"
	"github.com/phoneset/phoneset/server/store"
)

// adminCall is a request by an organisation admin.
type adminCall struct {
	*principal
	user *store.User // the admin, for the audit log's "who"
}

type adminFunc func(w http.ResponseWriter, r *http.Request, a *adminCall) error

var errNotAdmin = api.Refused(http.StatusForbidden, api.CodeForbidden, api.Because(api.ReasonNeedsAccountPerm))

// admin guards a /v1/org route: permission "account", read from the
// database on every request so a revoked admin is refused at once.
func (s *Server) admin(h adminFunc) http.Handler {
	return s.authed(func(w http.ResponseWriter, r *http.Request, p *principal) error {
		ctx := r.Context()
		perms, err := s.st.Q().Permissions(ctx, p.UserID)
		if err != nil {
			return err
		}
		if !slices.Contains(perms, api.PermAccount) {
			return errNotAdmin
		}
		u, err := s.st.Q().UserByID(ctx, p.UserID)
		if err != nil {
			return err
		}
		return h(w, r, &adminCall{principal: p, user: u})
	})
}

// adminIdempotent is admin for a POST that creates something: a repeated
// Idempotency-Key replays the first answer instead of creating twice.
func (s *Server) adminIdempotent(h adminFunc) http.Handler {
	return s.admin(func(w http.ResponseWriter, r *http.Request, a *adminCall) error {
		return s.idempotent(func(w http.ResponseWriter, r *http.Request, _ *principal) error {
			return h(w, r, a)
		})(w, r, a.principal)
	})
}

// orgRes names a resource of the admin's org in audit events.
func (a *adminCall) orgRes(sub string) string {
	if sub == "" {
		return "org/" + a.OrgID
	}
	return "org/" + a.OrgID + "/" + sub
}

// orgEvent starts an audit event for an admin's action.
func (s *Server) orgEvent(a *adminCall, action, resource string) api.AuditEvent {
	return api.AuditEvent{At: s.now().UTC(), ActorID: a.UserID, Actor: a.user.DisplayName, IP: a.ip, Action: action, Resource: resource}
}

// orgAudit writes one event per changed field.
func (s *Server) orgAudit(ctx context.Context, q store.Q, a *adminCall, action, resource string, d diff) error {
	for _, c := range d {
		ev := s.orgEvent(a, action, resource)
		ev.Field, ev.Old, ev.New = c.field, c.old, c.new
		if err := q.Audit(ctx, a.OrgID, ev); err != nil {
			return err
		}
	}
	return nil
}

// orgTx runs fn in a transaction that first locks the org row (bumping
// its version, which GET /v1/me is cached on), so org-wide checks such as
// license counts and "one admin remains" see every concurrent change.
func (s *Server) orgTx(ctx context.Context, a *adminCall, fn func(q store.Q) error) error {
	return s.st.Tx(ctx, func(q store.Q) error {
		if err := q.BumpOrg(ctx, a.OrgID); err != nil {
			return err
		}
		return fn(q)
	})
}

// conditional reads a conditional write: its If-Match version and JSON
// body.
func conditional[T any](w http.ResponseWriter, r *http.Request) (T, int64, error) {
	var body T
	version, err := ifMatch(r)
	if err != nil {
		return body, 0, err
	}
	body, err = decode[T](w, r)
	return body, version, err
}

// validName checks an optional new name of something.
func validName(field string, name *string) error {
	if name != nil {
		if why := api.ValidateDisplayName(*name); why != nil {
			return api.Invalid(map[string]*api.Reason{field: why})
		}
	}
	return nil
}

// conflict refuses a value that clashes with what is stored, such as a
// name another one has.
func conflict(field string, why *api.Reason) *api.Error {
	return &api.Error{Status: http.StatusConflict, Code: api.CodeConflict, Message: field + " " + why.String(),
		Fields: map[string]*api.Reason{field: why}}
}

// refuse refuses a change the organisation's state does not allow now; why
// explains the whole request, and names field for clients that mark it.
func refuse(field string, why *api.Reason) *api.Error {
	e := api.Refused(http.StatusConflict, api.CodeConflict, why)
	e.Fields = map[string]*api.Reason{field: why}
	return e
}

// Fields of PATCH /v1/org that only customer care changes.
var readOnlyOrgFields = map[string]*api.Reason{
	"company_name": api.Because(api.ReasonCustomerCare),
	"org_number":   api.Because(api.ReasonCustomerCare),
	"owner":        api.Because(api.ReasonCustomerCare),
	"id":           api.Because(api.ReasonReadOnly),
}

// orgPatchBody is PATCH /v1/org as sent: the patch plus the read-only
// fields, so sending one of those gets a reason rather than "unknown".
type orgPatchBody struct {
	api.OrgSettingsPatch
	ID          any `json:"id"`
	CompanyName any `json:"company_name"`
	OrgNumber   any `json:"org_number"`
	Owner       any `json:"owner"`
}

// settingsView is the api.OrgSettings of o.
func (s *Server) settingsView(ctx context.Context, o *store.OrgProfile) (api.OrgSettings, error) {
	q := s.st.Q()
	v := api.OrgSettings{Version: o.SettingsVersion, ID: o.ID, CompanyName: o.CompanyName, OrgNumber: o.OrgNumber,
		DisplayName: o.DisplayName, Address: o.Address, TimeZone: o.TimeZone, Language: o.Language,
		MembersChooseAvatar: o.MembersChooseAvatar, MembersChooseCover: o.MembersChooseCover,
		MembersChangeEmail: o.MembersChangeEmail, CostCentersEnabled: o.CostCentersEnabled}
	if o.OwnerID != "" {
		u, err := q.UserByID(ctx, o.OwnerID)
		switch {
		case err == nil:
			v.Owner = api.OrgOwner{ID: u.ID, DisplayName: u.DisplayName, Email: u.Email}
		case !errors.Is(err, store.ErrNotFound):
			return v, err
		}
	}
	kinds, err := q.OrgPhotoKinds(ctx, o.ID)
	if err != nil {
		return v, err
	}
	v.HasAvatar, v.HasCover = slices.Contains(kinds, api.PhotoAvatar), slices.Contains(kinds, api.PhotoCover)
	return v, nil
}

func (s *Server) writeSettings(ctx context.Context, w http.ResponseWriter, orgID string) error {
	o, err := s.st.Q().OrgProfileByID(ctx, orgID)
	if err != nil {
		return err
	}
	v, err := s.settingsView(ctx, o)
	if err != nil {
		return err
	}
	writeVersioned(w, http.StatusOK, v.Version, v)
	return nil
}

func (s *Server) getOrg(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	return s.writeSettings(r.Context(), w, a.OrgID)
}

// patchOrg edits the company profile, defaults and member switches.
// Turning "members may change their email" off also cancels the email
// changes members have pending.
func (s *Server) patchOrg(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	body, version, err := conditional[orgPatchBody](w, r)
	if err != nil {
		return err
	}
	fields := api.ValidateOrgPatch(body.OrgSettingsPatch)
	for name, set := range map[string]bool{"id": body.ID != nil, "company_name": body.CompanyName != nil,
		"org_number": body.OrgNumber != nil, "owner": body.Owner != nil} {
		if set {
			if fields == nil {
				fields = map[string]*api.Reason{}
			}
			fields[name] = readOnlyOrgFields[name]
		}
	}
	if fields != nil {
		return api.Invalid(fields)
	}
	ctx := r.Context()
	err = s.st.Tx(ctx, func(q store.Q) error {
		o, err := q.OrgProfileByID(ctx, a.OrgID)
		if err != nil {
			return err
		}
		wasOn := o.MembersChangeEmail
		d := applyOrgPatch(o, body.OrgSettingsPatch)
		if err := checkWrite(o.SettingsVersion, version, len(d) == 0); err != nil || len(d) == 0 {
			return err
		}
		if err := q.SaveOrgSettings(ctx, o, version); err != nil {
			return err
		}
		if err := s.orgAudit(ctx, q, a, "org.update", a.orgRes(""), d); err != nil {
			return err
		}
		if wasOn && !o.MembersChangeEmail {
			return s.cancelPendingEmails(ctx, q, a)
		}
		return nil
	})
	if err != nil && !errors.Is(err, errApplied) {
		return err
	}
	return s.writeSettings(ctx, w, a.OrgID)
}

// cancelPendingEmails ends the email changes members asked for before
// admins took email addresses over: their links stop working.
func (s *Server) cancelPendingEmails(ctx context.Context, q store.Q, a *adminCall) error {
	ids, err := q.PendingEmailUsers(ctx, a.OrgID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		u, err := q.UserByID(ctx, id)
		if err != nil {
			return err
		}
		if err := q.DeleteVerification(ctx, id, store.PurposeEmailChange); err != nil {
			return err
		}
		var d diff
		d.str("pending_email", u.PendingEmail, "")
		u.PendingEmail = ""
		if err := q.SaveProfile(ctx, u, u.ProfileVersion); err != nil {
			return err
		}
		if err := s.orgAudit(ctx, q, a, "email.change_cancelled", userRes(id, "profile"), d); err != nil {
			return err
		}
	}
	return nil
}

// applyOrgPatch sets the fields p carries and returns what changed.
func applyOrgPatch(o *store.OrgProfile, p api.OrgSettingsPatch) diff {
	var d diff
	d.setStr("display_name", &o.DisplayName, p.DisplayName)
	if p.Address != nil {
		d.setStr("address.street", &o.Address.Street, &p.Address.Street)
		d.setStr("address.postal_code", &o.Address.PostalCode, &p.Address.PostalCode)
		d.setStr("address.city", &o.Address.City, &p.Address.City)
		d.setStr("address.country", &o.Address.Country, &p.Address.Country)
	}
	d.setStr("time_zone", &o.TimeZone, p.TimeZone)
	d.setStr("language", &o.Language, p.Language)
	d.setBool("members_choose_avatar", &o.MembersChooseAvatar, p.MembersChooseAvatar)
	d.setBool("members_choose_cover", &o.MembersChooseCover, p.MembersChooseCover)
	d.setBool("members_change_email", &o.MembersChangeEmail, p.MembersChangeEmail)
	d.setBool("cost_centers_enabled", &o.CostCentersEnabled, p.CostCentersEnabled)
	return d
}

// setStr sets *dst to *v when v is given, recording the change.
func (d *diff) setStr(field string, dst, v *string) {
	if v != nil {
		d.str(field, *dst, *v)
		*dst = *v
	}
}

// setBool is setStr for a switch.
func (d *diff) setBool(field string, dst, v *bool) {
	if v != nil {
		d.bool(field, *dst, *v)
		*dst = *v
	}
}

// getOrgPhoto answers an admin with the company avatar or default cover.
func (s *Server) getOrgPhoto(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	return s.serveOrgPhoto(w, r, a.OrgID)
}

// putOrgPhoto sets the company avatar or default cover from a JPEG or PNG
// body, through the same intake as members' photos.
func (s *Server) putOrgPhoto(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	kind, version, err := photoWrite(r)
	if err != nil {
		return err
	}
	data, mt, crop, err := readUpload(w, r)
	if err != nil {
		return err
	}
	ps, desc, err := renditions(data, kind, crop, mt+" upload")
	if err != nil {
		return err
	}
	return s.saveOrgPhotos(w, r, a, kind, version, ps, desc)
}

func (s *Server) deleteOrgPhoto(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	kind, version, err := photoWrite(r)
	if err != nil {
		return err
	}
	return s.saveOrgPhotos(w, r, a, kind, version, nil, "none")
}

func (s *Server) saveOrgPhotos(w http.ResponseWriter, r *http.Request, a *adminCall, kind photo.Kind, version int64, ps []store.Photo, desc string) error {
	ctx := r.Context()
	err := s.st.Tx(ctx, func(q store.Q) error {
		o, err := q.OrgProfileByID(ctx, a.OrgID)
		if err != nil {
			return err
		}
		if err := checkVersion(o.SettingsVersion, version); err != nil {
			return err
		}
		kinds, err := q.OrgPhotoKinds(ctx, a.OrgID)
		if err != nil {
			return err
		}
		if err := q.PutOrgPhotos(ctx, a.OrgID, kind.String(), ps); err != nil {
			return err
		}
		if err := q.BumpOrgSettings(ctx, a.OrgID, version); err != nil {
			return err
		}
		old := "none"
		if slices.Contains(kinds, kind.String()) {
			old = "photo"
		}
		action := "org." + kind.String() + ".update"
		if ps == nil {
			action = "org." + kind.String() + ".remove"
		}
		return s.orgAudit(ctx, q, a, action, a.orgRes("photos/"+kind.String()), diff{{kind.String(), old, desc}})
	})
	if err != nil {
		return err
	}
	return s.writeSettings(ctx, w, a.OrgID)
}

// packagePlanNames are the plan names PBX packages are stored as, which
// GET /v1/me/plan shows.
var packagePlanNames = map[string]string{api.PackageLight: "Light", api.PackageUnlimited: "Unlimited"}

// downgradeRefusal says why the org cannot move to a smaller package now,
// or nil.
func downgradeRefusal(o *store.OrgProfile, now time.Time) *api.Reason {
	if !o.ContractOngoing(now) {
		return api.Because(api.ReasonNoContract)
	}
	if now.Before(o.BindingEndsAt) {
		return &api.Reason{Code: api.ReasonBindingPeriod, Args: api.Args{"until": o.BindingEndsAt.Format(time.DateOnly)}}
	}
	return nil
}

func (s *Server) packageView(o *store.OrgProfile) api.PBXPackage {
	now := s.now()
	pkg := strings.ToLower(o.PlanName)
	v := api.PBXPackage{Version: o.PackageVersion, Package: pkg,
		Contract: api.Contract{Ongoing: o.ContractOngoing(now), StartedAt: o.ContractStartedAt,
			EndsAt: o.ContractEndsAt, BindingEndsAt: o.BindingEndsAt},
		DowngradeRefusal: downgradeRefusal(o, now)}
	v.CanDowngrade = v.DowngradeRefusal == nil && slices.Index(api.Packages, pkg) > 0
	return v
}

func (s *Server) getPackage(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	o, err := s.st.Q().OrgProfileByID(r.Context(), a.OrgID)
	if err != nil {
		return err
	}
	v := s.packageView(o)
	writeVersioned(w, http.StatusOK, v.Version, v)
	return nil
}

// putPackage moves to another PBX package: up at any time, down only with
// an ongoing contract outside its binding period.
func (s *Server) putPackage(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	req, version, err := conditional[api.PackageChange](w, r)
	if err != nil {
		return err
	}
	to := slices.Index(api.Packages, req.Package)
	if to < 0 {
		return api.Invalid(map[string]*api.Reason{"package": api.OneOf(req.Package, api.Packages...)})
	}
	ctx := r.Context()
	var o *store.OrgProfile
	err = s.st.Tx(ctx, func(q store.Q) error {
		if o, err = q.OrgProfileByID(ctx, a.OrgID); err != nil {
			return err
		}
		current := strings.ToLower(o.PlanName)
		if err := checkWrite(o.PackageVersion, version, current == req.Package); err != nil || current == req.Package {
			return err
		}
		if to < slices.Index(api.Packages, current) {
			if why := downgradeRefusal(o, s.now()); why != nil {
				return refuse("package", why)
			}
		}
		if err := q.SetOrgPackage(ctx, a.OrgID, packagePlanNames[req.Package], version); err != nil {
			return err
		}
		o.PlanName, o.PackageVersion = packagePlanNames[req.Package], version+1
		return s.orgAudit(ctx, q, a, "org.package.change", a.orgRes("package"), diff{{"package", current, req.Package}})
	})
	if err != nil && !errors.Is(err, errApplied) {
		return err
	}
	v := s.packageView(o)
	writeVersioned(w, http.StatusOK, v.Version, v)
	return nil
}

// notifyEmailSet tells a member, at the old and the new address, that an
// admin changed their email address.
func (s *Server) notifyEmailSet(ctx context.Context, old, next string) error {
	body := "An administrator of your organisation changed the email address of your Phoneset account from " +
		old + " to " + next + ".\nIf you did not expect this, contact your administrator."
	for _, to := range []string{old, next} {
		if err := s.deliver(ctx, s.mail, mail.Message{Channel: mail.Email, To: to,
			Subject: "Your Phoneset email address was changed", Body: body}); err != nil {
			return err
		}
	}
	return nil
}
