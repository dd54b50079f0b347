package server

import (
	"context"
	"errors"
	"net/http"
	"slices"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/photo"
	"github.com/phoneset/phoneset/server/store"
)

// Fields of PATCH /v1/org that only customer care changes.
var readOnlyOrgFields = map[string]*api.Reason{
	api.FieldCompanyName: api.Because(api.ReasonCustomerCare),
	api.FieldOrgNumber:   api.Because(api.ReasonCustomerCare),
	api.FieldOwner:       api.Because(api.ReasonCustomerCare),
	api.FieldID:          api.Because(api.ReasonReadOnly),
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
	for name, set := range map[string]bool{api.FieldID: body.ID != nil, api.FieldCompanyName: body.CompanyName != nil,
		api.FieldOrgNumber: body.OrgNumber != nil, api.FieldOwner: body.Owner != nil} {
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
		d.str(api.FieldPendingEmail, u.PendingEmail, "")
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
	d.setStr(api.FieldDisplayName, &o.DisplayName, p.DisplayName)
	if p.Address != nil {
		d.setStr(api.FieldAddressStreet, &o.Address.Street, &p.Address.Street)
		d.setStr(api.FieldAddressPostalCode, &o.Address.PostalCode, &p.Address.PostalCode)
		d.setStr(api.FieldAddressCity, &o.Address.City, &p.Address.City)
		d.setStr(api.FieldAddressCountry, &o.Address.Country, &p.Address.Country)
	}
	d.setStr(api.FieldTimeZone, &o.TimeZone, p.TimeZone)
	d.setStr(api.FieldLanguage, &o.Language, p.Language)
	d.setBool(api.FieldMembersChooseAvatar, &o.MembersChooseAvatar, p.MembersChooseAvatar)
	d.setBool(api.FieldMembersChooseCover, &o.MembersChooseCover, p.MembersChooseCover)
	d.setBool(api.FieldMembersChangeEmail, &o.MembersChangeEmail, p.MembersChangeEmail)
	d.setBool(api.FieldCostCentersEnabled, &o.CostCentersEnabled, p.CostCentersEnabled)
	return d
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
	ps, desc, err := renditions(r.Context(), data, kind, crop, mt+" upload")
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
