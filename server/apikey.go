package server

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server/store"
)

// The API key authenticates scripts as the user: send it as
// "Authorization: Bearer psk_…" or "X-API-Key: psk_…". It is stored as a
// SHA-256 hash for lookup plus an AES-GCM sealed copy so it can be shown
// again after the password is re-entered.

func maskKey(key string) string {
	if len(key) < 8 {
		return prefixAPIKey + "…"
	}
	return prefixAPIKey + strings.Repeat("•", 8) + key[len(key)-4:]
}

func (s *Server) sealContext(userID string) string { return "api-key:" + userID }

// apiKey returns the user's key, creating it on first use.
func (s *Server) apiKey(ctx context.Context, p *principal, u *store.User) (api.APIKey, error) {
	if u.APIKeySealed != "" {
		key, err := s.seal.open(u.APIKeySealed, s.sealContext(u.ID))
		if err != nil {
			return api.APIKey{}, err
		}
		return api.APIKey{Masked: maskKey(key), Key: key, CreatedAt: u.APIKeyCreatedAt}, nil
	}
	return s.newAPIKey(ctx, p, u, "api_key.create")
}

func (s *Server) newAPIKey(ctx context.Context, p *principal, u *store.User, action string) (api.APIKey, error) {
	key := randomToken(prefixAPIKey)
	now := s.now()
	err := s.st.Tx(ctx, func(q store.Q) error {
		if err := q.SetAPIKey(ctx, u.ID, hashToken(key), s.seal.seal(key, s.sealContext(u.ID)), now); err != nil {
			return err
		}
		ev := s.event(p, u, action, userRes(u.ID, "api-key"))
		ev.New = maskKey(key)
		if u.APIKeySealed != "" {
			if old, err := s.seal.open(u.APIKeySealed, s.sealContext(u.ID)); err == nil {
				ev.Old = maskKey(old)
			}
		}
		return q.Audit(ctx, u.OrgID, ev)
	})
	if err != nil {
		return api.APIKey{}, err
	}
	if u.APIKeySealed != "" {
		s.signedOut(u.OrgID, u.ID) // streams on the old key end now
	}
	return api.APIKey{Masked: maskKey(key), Key: key, CreatedAt: now.UTC()}, nil
}

func (s *Server) getAPIKey(w http.ResponseWriter, r *http.Request, p *principal) error {
	u, err := s.st.Q().UserByID(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	k, err := s.apiKey(r.Context(), p, u)
	if err != nil {
		return err
	}
	k.Key = ""
	writeJSON(w, http.StatusOK, k)
	return nil
}

// proven loads the user and checks the re-entered password of a
// PasswordProof body.
func (s *Server) proven(w http.ResponseWriter, r *http.Request, p *principal) (*store.User, error) {
	req, err := decode[api.PasswordProof](w, r)
	if err != nil {
		return nil, err
	}
	u, err := s.st.Q().UserByID(r.Context(), p.UserID)
	if err != nil {
		return nil, err
	}
	return u, s.proveIdentity(r.Context(), u, req.Password, api.FieldPassword)
}

func (s *Server) revealAPIKey(w http.ResponseWriter, r *http.Request, p *principal) error {
	u, err := s.proven(w, r, p)
	if err != nil {
		return err
	}
	ctx := r.Context()
	k, err := s.apiKey(ctx, p, u)
	if err != nil {
		return err
	}
	ev := s.event(p, u, "api_key.reveal", userRes(u.ID, "api-key"))
	if err := s.st.Q().Audit(ctx, u.OrgID, ev); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, k)
	return nil
}

// regenerateLimits bound how often a user replaces their key: each new key
// breaks every script using the old one, and someone holding the session
// must not be able to churn keys.
func regenerateLimits(userID string) []limit {
	return []limit{{"api_key:" + userID, 5, time.Hour}}
}

func (s *Server) regenerateAPIKey(w http.ResponseWriter, r *http.Request, p *principal) error {
	ctx := r.Context()
	limits := regenerateLimits(p.UserID)
	if err := s.checkLimits(ctx, limits); err != nil {
		return err
	}
	u, err := s.proven(w, r, p)
	if err != nil {
		return err
	}
	k, err := s.newAPIKey(ctx, p, u, "api_key.regenerate")
	if err != nil {
		return err
	}
	s.hitLimits(ctx, limits)
	writeJSON(w, http.StatusOK, k)
	return nil
}

var errLastAdmin = api.Refused(http.StatusConflict, api.CodeConflict, api.Because(api.ReasonLastAdmin))

// deleteAccount lets an admin delete their own account, with their
// password, unless they are the organisation's last admin.
func (s *Server) deleteAccount(w http.ResponseWriter, r *http.Request, p *principal) error {
	ctx := r.Context()
	perms, err := s.st.Q().Permissions(ctx, p.UserID)
	if err != nil {
		return err
	}
	if !slices.Contains(perms, api.PermAccount) {
		return api.Refused(http.StatusForbidden, api.CodeForbidden, api.Because(api.ReasonAdminsOnly))
	}
	u, err := s.proven(w, r, p)
	if err != nil {
		return err
	}
	err = s.st.Tx(ctx, func(q store.Q) error {
		// Lock the org row first so two admins deleting themselves at once
		// cannot both see the other as the remaining admin.
		if err := q.BumpOrg(ctx, u.OrgID); err != nil {
			return err
		}
		n, err := q.CountWithPermission(ctx, u.OrgID, api.PermAccount)
		if err != nil {
			return err
		}
		if n <= 1 {
			return errLastAdmin
		}
		ev := s.event(p, u, "account.delete", "user/"+u.ID)
		ev.Old = u.Username + " <" + u.Email + ">"
		if err := q.Audit(ctx, u.OrgID, ev); err != nil {
			return err
		}
		return q.DeleteUser(ctx, u.ID)
	})
	if errors.Is(err, store.ErrNotFound) {
		return api.ErrUnauthorized
	}
	if err != nil {
		return err
	}
	s.signedOut(u.OrgID, u.ID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
