package server

import (
	"errors"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server/store"
)

var reasonCodeRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)

// slug derives a reason code from its label: "Lunch break" → "lunch_break".
func slug(label string) string {
	var b strings.Builder
	under := false
	for _, r := range strings.ToLower(label) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if under && b.Len() > 0 {
				b.WriteByte('_')
			}
			under = false
			b.WriteRune(r)
		default:
			under = true
		}
		if b.Len() >= 32 {
			break
		}
	}
	return b.String()
}

func (s *Server) listReasonCodes(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	codes, err := s.st.Q().OrgReasonCodes(r.Context(), a.OrgID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, codes)
	return nil
}

func (s *Server) createReasonCode(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	req, err := decode[api.ReasonCodeCreate](w, r)
	if err != nil {
		return err
	}
	fields := map[string]*api.Reason{}
	if why := api.ValidateDisplayName(req.Label); why != nil {
		fields[api.FieldLabel] = why
	}
	if req.Code == "" {
		req.Code = slug(req.Label)
	}
	if !reasonCodeRE.MatchString(req.Code) {
		fields[api.FieldCode] = &api.Reason{Code: api.ReasonCodeChars, Args: api.Args{"min": 1, "max": 32}}
	}
	if req.Then == "" {
		req.Then = api.Online
	}
	maps.Copy(fields, api.ValidateTimer(req.Minutes, req.Then))
	if len(fields) > 0 {
		return api.Invalid(fields)
	}
	ctx := r.Context()
	rc := api.OrgReasonCode{ReasonCode: api.ReasonCode{Code: req.Code, Label: req.Label, Minutes: req.Minutes, Then: req.Then}, Version: 1}
	err = s.orgTx(ctx, a, func(q store.Q) error {
		if err := q.AddReasonCode(ctx, a.OrgID, rc.ReasonCode); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return conflict(api.FieldCode, api.Because(api.ReasonTaken))
			}
			return err
		}
		d := diff{{api.FieldLabel, "", rc.Label}}
		d.str(api.FieldMinutes, "0", strconv.Itoa(rc.Minutes))
		return s.orgAudit(ctx, q, a, "reason_code.create", a.orgRes("reason-codes/"+rc.Code), d)
	})
	if err != nil {
		return err
	}
	writeVersioned(w, http.StatusCreated, rc.Version, rc)
	return nil
}

// patchReasonCode renames, retires or restores a reason code, or sets its
// timer. Retired codes stay for the history of members' statuses but cannot
// be chosen.
func (s *Server) patchReasonCode(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	req, version, err := conditional[api.ReasonCodePatch](w, r)
	if err != nil {
		return err
	}
	if err := validName(api.FieldLabel, req.Label); err != nil {
		return err
	}
	ctx := r.Context()
	code := r.PathValue("code")
	var rc api.OrgReasonCode
	err = s.orgTx(ctx, a, func(q store.Q) error {
		codes, err := q.OrgReasonCodes(ctx, a.OrgID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(codes, func(c api.OrgReasonCode) bool { return c.Code == code })
		if i < 0 {
			return store.ErrNotFound
		}
		rc = codes[i]
		var d diff
		d.setStr(api.FieldLabel, &rc.Label, req.Label)
		d.setBool(api.FieldRetired, &rc.Retired, req.Retired)
		if req.Minutes != nil {
			d.str(api.FieldMinutes, strconv.Itoa(rc.Minutes), strconv.Itoa(*req.Minutes))
			rc.Minutes = *req.Minutes
		}
		if req.Then != nil {
			d.str(api.FieldThen, string(rc.Then), string(*req.Then))
			rc.Then = *req.Then
		}
		if fields := api.ValidateTimer(rc.Minutes, rc.Then); fields != nil {
			return api.Invalid(fields)
		}
		if err := checkWrite(rc.Version, version, len(d) == 0); err != nil || len(d) == 0 {
			return err
		}
		if err := q.UpdateReasonCode(ctx, a.OrgID, rc, version); err != nil {
			return err
		}
		rc.Version = version + 1
		return s.orgAudit(ctx, q, a, "reason_code.update", a.orgRes("reason-codes/"+code), d)
	})
	if err != nil && !errors.Is(err, errApplied) {
		return err
	}
	writeVersioned(w, http.StatusOK, rc.Version, rc)
	return nil
}
