package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server/store"
)

// SCIMPath is where the SCIM 2.0 endpoint is served when linked in.
const SCIMPath = "/scim/v2"

// prefixSCIM marks an identity provider's bearer token.
const prefixSCIM = "pst_"

// scimMount makes the SCIM endpoint's handler over a Directory; nil when
// no SCIM implementation is linked into this program. server/scim sets
// it from an init function, and only phoneset-server imports that
// package, so the desktop app carries no SCIM code.
var scimMount func(d *Directory) http.Handler

// RegisterSCIM links a SCIM implementation: mount makes the handler that
// serves SCIMPath (the path arrives with SCIMPath removed).
func RegisterSCIM(mount func(d *Directory) http.Handler) { scimMount = mount }

func scimToken(t store.SCIMToken) api.SCIMToken {
	out := api.SCIMToken{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt, CreatedBy: t.CreatedByName}
	if !t.LastUsedAt.IsZero() {
		out.LastUsedAt = &t.LastUsedAt
	}
	return out
}

func (s *Server) listSCIMTokens(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	ts, err := s.st.Q().SCIMTokens(r.Context(), a.OrgID)
	if err != nil {
		return err
	}
	out := api.SCIMTokens{Available: scimMount != nil, Path: SCIMPath, Tokens: make([]api.SCIMToken, 0, len(ts))}
	for _, t := range ts {
		out.Tokens = append(out.Tokens, scimToken(t))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// createSCIMToken makes a token for the org's identity provider. Only its
// hash is kept: the secret is in this answer and nowhere else.
func (s *Server) createSCIMToken(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	req, err := decode[api.NameRequest](w, r)
	if err != nil {
		return err
	}
	if err := validName(api.FieldName, &req.Name); err != nil {
		return err
	}
	ctx := r.Context()
	secret := randomToken(prefixSCIM)
	t := store.SCIMToken{ID: newID("sct"), OrgID: a.OrgID, Name: req.Name, CreatedBy: a.UserID,
		CreatedByName: a.user.DisplayName, CreatedAt: s.now().UTC()}
	err = s.st.Tx(ctx, func(q store.Q) error {
		if err := q.CreateSCIMToken(ctx, t, hashToken(secret)); err != nil {
			return err
		}
		return s.orgAudit(ctx, q, a, "scim_token.create", a.orgRes("scim/tokens/"+t.ID), diff{{api.FieldName, "", t.Name}})
	})
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, api.SCIMTokenCreated{Token: scimToken(t), Secret: secret})
	return nil
}

// revokeSCIMToken ends a token at once: its next request is a 401.
func (s *Server) revokeSCIMToken(w http.ResponseWriter, r *http.Request, a *adminCall) error {
	ctx := r.Context()
	id := r.PathValue("id")
	err := s.st.Tx(ctx, func(q store.Q) error {
		ts, err := q.SCIMTokens(ctx, a.OrgID)
		if err != nil {
			return err
		}
		for _, t := range ts {
			if t.ID != id {
				continue
			}
			if err := q.RevokeSCIMToken(ctx, a.OrgID, id, s.now()); err != nil {
				return err
			}
			return s.orgAudit(ctx, q, a, "scim_token.revoke", a.orgRes("scim/tokens/"+id), diff{{"status", "active", "revoked"}})
		}
		return &api.Error{Status: http.StatusNotFound, Code: api.CodeNotFound, Message: "no such SCIM token in your organisation"}
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// scimCaller is the identity provider a SCIM request comes from: the
// organisation of its token, which every Directory method is confined to.
type scimCaller struct {
	*adminCall
	token store.SCIMToken
}

type scimKey struct{}

func callerOf(ctx context.Context) *scimCaller {
	c, _ := ctx.Value(scimKey{}).(*scimCaller)
	return c
}

// errNotSCIM is what any credential but a live SCIM token gets.
var errNotSCIM = &api.Error{Status: http.StatusUnauthorized, Code: api.CodeUnauthorized, Message: "a SCIM token is required"}

// scimAuth admits requests with a live SCIM token and gives the handler
// its organisation; everything else, session tokens and API keys
// included, is a 401 in SCIM's error format.
func (s *Server) scimAuth(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := s.scimAuthenticate(r)
		if err != nil {
			status := http.StatusInternalServerError
			if e, ok := apiError(err); ok {
				status = e.Status
			}
			if status >= 500 {
				s.log.Error("scim auth failed", "err", err)
			}
			writeSCIMError(w, status, err)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxSCIMBody)
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), scimKey{}, c)))
	})
}

// maxSCIMBody bounds a SCIM request; a user or a PATCH of a large group is
// far smaller.
const maxSCIMBody = 1 << 20

func (s *Server) scimAuthenticate(r *http.Request) (*scimCaller, error) {
	tok := bearer(r)
	if len(tok) > 128 || len(tok) <= len(prefixSCIM) || tok[:len(prefixSCIM)] != prefixSCIM {
		return nil, errNotSCIM
	}
	ctx := r.Context()
	t, err := s.st.Q().SCIMTokenByHash(ctx, hashToken(tok))
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNotSCIM
	}
	if err != nil {
		return nil, err
	}
	if now := s.now(); now.Sub(t.LastUsedAt) >= touchEvery {
		if err := s.st.Q().TouchSCIMToken(ctx, t.ID, now); err != nil {
			s.log.Warn("touch scim token failed", "err", err)
		}
	}
	// The token acts as an admin would, named in the audit log by its ID
	// and name.
	a := &adminCall{
		principal: &principal{Auth: store.Auth{UserID: t.ID, OrgID: t.OrgID}, ip: s.clientIP(r)},
		user:      &store.User{ID: t.ID, OrgID: t.OrgID, DisplayName: "SCIM: " + t.Name},
	}
	return &scimCaller{adminCall: a, token: t}, nil
}

// writeSCIMError answers in RFC 7644's error format (section 3.12).
func writeSCIMError(w http.ResponseWriter, status int, err error) {
	msg := "internal error"
	if e, ok := apiError(err); ok && status < 500 {
		msg = e.Message
	}
	body, _ := json.Marshal(map[string]any{
		"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:Error"},
		"status":  itoa(int64(status)),
		"detail":  msg,
	})
	w.Header().Set("Content-Type", "application/scim+json")
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="phoneset-scim"`)
	}
	w.WriteHeader(status)
	w.Write(body)
}
