package server

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server/store"
)

func (s *Server) smsView(ctx context.Context, q store.Q, orgID string) (api.SMSSettings, error) {
	o, err := q.OrgProfileByID(ctx, orgID)
	if err != nil {
		return api.SMSSettings{}, err
	}
	zones, err := q.SMSZones(ctx, orgID)
	if err != nil {
		return api.SMSSettings{}, err
	}
	allowed, err := q.SMSTypesAllowed(ctx, orgID)
	if err != nil {
		return api.SMSSettings{}, err
	}
	v := api.SMSSettings{Version: o.SMSVersion}
	for _, z := range api.SMSZones {
		st := zones[z.Zone]
		if st.UserIDs == nil {
			st.UserIDs = []string{}
		}
		v.Zones = append(v.Zones, api.SMSZone{Zone: z.Zone, Name: z.Name, Enabled: st.Scope != "", Scope: st.Scope, UserIDs: st.UserIDs})
	}
	for _, t := range api.SMSTypes {
		v.MessageTypes = append(v.MessageTypes, api.SMSMessageType{Type: t.Type, Name: t.Name, Allowed: slices.Contains(allowed, t.Type)})
	}
	return v, nil
}

func (s *Server) writeSMS(ctx context.Context, w http.ResponseWriter, orgID string) error {
	v, err := s.smsView(ctx, s.st.Q(), orgID)
	if err != nil {
		return err
	}
	writeVersioned(w, http.StatusOK, v.Version, v)
	return nil
}

func (s *Server) getSMS(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	return s.writeSMS(r.Context(), w, a.OrgID)
}

// smsWrite runs a change of the SMS settings at version: change returns
// what it changed, and nothing changed with a stale version is a retry.
func (s *Server) smsWrite(w http.ResponseWriter, r *http.Request, a *adminCall, change func(q store.Q) (diff, string, error)) error {
	version, err := ifMatch(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	err = s.st.Tx(ctx, func(q store.Q) error {
		o, err := q.OrgProfileByID(ctx, a.OrgID)
		if err != nil {
			return err
		}
		if o.SMSVersion != version {
			// Whether the change is a no-op decides between 412 and a retry.
			d, _, err := change(q)
			if err != nil {
				return err
			}
			return checkWrite(o.SMSVersion, version, len(d) == 0)
		}
		d, resource, err := change(q)
		if err != nil || len(d) == 0 {
			return err
		}
		if err := q.BumpSMS(ctx, a.OrgID, version); err != nil {
			return err
		}
		return s.orgAudit(ctx, q, a, "sms.update", a.orgRes(resource), d)
	})
	if err != nil && !errors.Is(err, errApplied) {
		return err
	}
	return s.writeSMS(ctx, w, a.OrgID)
}

// putSMSZone enables a zone for everyone or selected users, or disables it.
func (s *Server) putSMSZone(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	zone := r.PathValue("zone")
	if !slices.ContainsFunc(api.SMSZones, func(z struct{ Zone, Name string }) bool { return z.Zone == zone }) {
		return &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound, Message: "no such SMS zone"}
	}
	req, err := decode[api.SMSZoneUpdate](w, r)
	if err != nil {
		return err
	}
	switch {
	case req.Enabled && req.Scope != api.ScopeAll && req.Scope != api.ScopeSelected:
		return api.Invalid(map[string]*api.Reason{api.FieldScope: api.OneOf(string(req.Scope), string(api.ScopeAll), string(api.ScopeSelected))})
	case !req.Enabled && req.Scope != "":
		return api.Invalid(map[string]*api.Reason{api.FieldScope: api.Because(api.ReasonZoneDisabled)})
	case req.Scope != api.ScopeSelected && len(req.UserIDs) > 0:
		return api.Invalid(map[string]*api.Reason{api.FieldUserIDs: api.Because(api.ReasonOnlySelected)})
	}
	ctx := r.Context()
	return s.smsWrite(w, r, a, func(q store.Q) (diff, string, error) {
		ids, names, err := knownUsers(ctx, q, a.OrgID, api.FieldUserIDs, req.UserIDs)
		if err != nil {
			return nil, "", err
		}
		zones, err := q.SMSZones(ctx, a.OrgID)
		if err != nil {
			return nil, "", err
		}
		old := zones[zone]
		var d diff
		d.bool(api.FieldEnabled, old.Scope != "", req.Enabled)
		d.str(api.FieldScope, old.Scope, req.Scope)
		d.str("users", nameList(old.UserIDs, names), nameList(ids, names))
		if len(d) == 0 {
			return nil, "", nil
		}
		return d, "sms/zones/" + zone, q.PutSMSZone(ctx, a.OrgID, zone, store.SMSZoneState{Scope: req.Scope, UserIDs: ids})
	})
}

// putSMSTypes sets which kinds of system SMS may be sent.
func (s *Server) putSMSTypes(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	req, err := decode[api.SMSTypesUpdate](w, r)
	if err != nil {
		return err
	}
	for _, t := range req.Allowed {
		if !slices.ContainsFunc(api.SMSTypes, func(k struct{ Type, Name string }) bool { return k.Type == t }) {
			return api.Invalid(map[string]*api.Reason{api.FieldAllowed: {Code: api.ReasonNotAllowed, Args: api.Args{"value": t}}})
		}
	}
	allowed := slices.Clone(req.Allowed)
	slices.Sort(allowed)
	allowed = slices.Compact(allowed)
	ctx := r.Context()
	return s.smsWrite(w, r, a, func(q store.Q) (diff, string, error) {
		old, err := q.SMSTypesAllowed(ctx, a.OrgID)
		if err != nil {
			return nil, "", err
		}
		var d diff
		d.str(api.FieldAllowed, strings.Join(old, ", "), strings.Join(allowed, ", "))
		if len(d) == 0 {
			return nil, "", nil
		}
		return d, "sms/message-types", q.SetSMSTypes(ctx, a.OrgID, allowed)
	})
}
