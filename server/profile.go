package server

import (
	"errors"
	"net/http"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server/store"
)

func (s *Server) getProfile(w http.ResponseWriter, r *http.Request, p *principal) error {
	u, err := s.st.Q().UserByID(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	writeVersioned(w, http.StatusOK, u.ProfileVersion, u.Profile())
	return nil
}

func (s *Server) patchProfile(w http.ResponseWriter, r *http.Request, p *principal) error {
	version, err := ifMatch(r)
	if err != nil {
		return err
	}
	patch, err := decode[api.ProfilePatch](w, r)
	if err != nil {
		return err
	}
	if fields := api.ValidatePatch(patch); fields != nil {
		return api.Invalid(fields)
	}
	ctx := r.Context()
	var u *store.User
	err = s.st.Tx(ctx, func(q store.Q) error {
		if u, err = q.UserByID(ctx, p.UserID); err != nil {
			return err
		}
		probe := *u
		if err := checkWrite(u.ProfileVersion, version, len(applyPatch(&probe, patch)) == 0); err != nil {
			return err
		}
		d := applyPatch(u, patch)
		if len(d) == 0 {
			return nil
		}
		if err := q.SaveProfile(ctx, u, version); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return conflict(api.FieldUsername, api.Because(api.ReasonTaken))
			}
			return err
		}
		return s.audit(r, q, p, u, "profile.update", userRes(u.ID, "profile"), d)
	})
	if err != nil && !errors.Is(err, errApplied) {
		return err
	}
	writeVersioned(w, http.StatusOK, u.ProfileVersion, u.Profile())
	return nil
}

// applyPatch sets the fields p carries and returns what changed.
func applyPatch(u *store.User, p api.ProfilePatch) diff {
	var d diff
	d.setStr(api.FieldFirstName, &u.FirstName, p.FirstName)
	d.setStr(api.FieldLastName, &u.LastName, p.LastName)
	d.setStr(api.FieldDisplayName, &u.DisplayName, p.DisplayName)
	d.setStr(api.FieldUsername, &u.Username, p.Username)
	d.setStr(api.FieldLanguage, &u.Language, p.Language)
	d.setStr(api.FieldTimeZone, &u.TimeZone, p.TimeZone)
	d.setBool(api.FieldHideMobile, &u.HideMobile, p.HideMobile)
	d.setBool(api.FieldHideFixed, &u.HideFixed, p.HideFixed)
	if p.ExtraInfo != nil {
		next := append([]api.InfoField{}, (*p.ExtraInfo)...)
		d.json(api.FieldExtraInfo, u.ExtraInfo, next)
		u.ExtraInfo = next
	}
	return d
}
