package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server"
	"github.com/phoneset/phoneset/server/store"
)

// The permission matrix: every route of the route table, called as
// anonymous, as an agent, as an admin of another organisation and as the
// demo organisation's admin. Each refusal must be the expected status with
// an error body and change nothing in the database; each permitted call
// must succeed; the other organisation's admin must never see or change
// the demo organisation.

// Roles, in the order they call each route: the refusals come before the
// admin's call, which may change what they would act on.
const (
	anon  = "anonymous"
	agent = "agent"
	other = "other org admin"
	admin = "admin"
)

var roles = []string{anon, agent, other, admin}

// caller is a role's account; password follows password changes.
type caller struct {
	role, login, password string
}

// matrix is the running server, the callers and what the test has seen.
type matrix struct {
	t       *testing.T
	e       *env
	callers map[string]*caller
	// refusing is set while building a call that must be refused: it
	// needs no real version, and looking one up could itself be refused.
	refusing bool
}

// token signs the caller in afresh, so a route that ends sessions or
// changes the password cannot break the next call. Anonymous has none.
func (m *matrix) token(c *caller) string {
	if c.role == anon {
		return ""
	}
	return m.e.signIn(c.login, c.password).AccessToken
}

func (m *matrix) get(tok, path string) resp {
	m.t.Helper()
	r := m.e.do(req{method: "GET", path: path, token: tok})
	if r.status != 200 {
		m.t.Fatalf("GET %s: %d %s", path, r.status, r.body)
	}
	return r
}

// etag is the version a resource's GET answers with.
func (m *matrix) etag(tok, path string) int64 {
	m.t.Helper()
	v, ok := api.ParseETag(m.get(tok, path).header.Get("ETag"))
	if !ok {
		m.t.Fatalf("GET %s: no ETag", path)
	}
	return v
}

// itemVersion finds the object whose "id" or "code" is key anywhere in a
// GET's JSON and returns its "version" (or "profile_version").
func (m *matrix) itemVersion(tok, path, key string) int64 {
	m.t.Helper()
	var doc any
	if err := json.Unmarshal(m.get(tok, path).body, &doc); err != nil {
		m.t.Fatal(err)
	}
	var find func(v any) (int64, bool)
	find = func(v any) (int64, bool) {
		switch x := v.(type) {
		case map[string]any:
			if x["id"] == key || x["code"] == key {
				for _, f := range []string{"version", "profile_version"} {
					if n, ok := x[f].(float64); ok {
						return int64(n), true
					}
				}
			}
			for _, c := range x {
				if n, ok := find(c); ok {
					return n, true
				}
			}
		case []any:
			for _, c := range x {
				if n, ok := find(c); ok {
					return n, true
				}
			}
		}
		return 0, false
	}
	n, ok := find(doc)
	if !ok {
		m.t.Fatalf("GET %s: no version for %s", path, key)
	}
	return n
}

// scope says who a route is for, which fixes most of its expectations.
type scope int

const (
	public  scope = iota // no credentials needed
	me                   // the caller's own account
	orgWide              // the caller's organisation as a whole
	orgItem              // one item of the demo organisation, named in the path
)

// call is one caller's request on a route.
type call struct {
	path    string
	body    any
	ctype   string
	ifMatch int64 // 0: none
	// stream is an event stream: its answer is the status and the first
	// event, then the connection is closed.
	stream bool
}

// matrixRoute is one row of the matrix.
type matrixRoute struct {
	pattern string
	scope   scope
	// build makes the request for a caller, given a fresh token.
	build func(m *matrix, c *caller, tok string) call
	// ok is the status of a permitted call, by role where it differs.
	ok map[string]int
}

// want is the status a role must get on r.
func (r matrixRoute) want(role string) int {
	if s, ok := r.ok[role]; ok {
		return s
	}
	switch {
	case r.scope == public:
		return r.ok[""]
	case role == anon:
		return http.StatusUnauthorized
	case role == agent && (r.scope == orgWide || r.scope == orgItem):
		return http.StatusForbidden
	case role == other && r.scope == orgItem:
		return http.StatusNotFound
	}
	return r.ok[""]
}

func all(status int) map[string]int { return map[string]int{"": status} }

// fixed is a request that is the same for every caller.
func fixed(path string, body any) func(*matrix, *caller, string) call {
	return func(*matrix, *caller, string) call { return call{path: path, body: body} }
}

// versioned is a request with If-Match from the version GET verPath
// answers (as the demo admin for items of the demo organisation).
func versioned(path, verPath, key string, body any) func(*matrix, *caller, string) call {
	return func(m *matrix, c *caller, tok string) call {
		if m.refusing {
			return call{path: path, body: body, ifMatch: 1}
		}
		if key != "" {
			return call{path: path, body: body, ifMatch: m.itemVersion(tok, verPath, key)}
		}
		return call{path: path, body: body, ifMatch: m.etag(tok, verPath)}
	}
}

func pngBody(t testing.TB) []byte { return testPNG(t, 300, 300) }

func matrixRoutes(t *testing.T, e *env) []matrixRoute {
	agent1, agent2 := e.demo.Agents[0].ID, e.demo.Agents[1].ID
	img := pngBody(t)
	photoPut := func(path string, org bool) func(*matrix, *caller, string) call {
		return func(m *matrix, c *caller, tok string) call {
			cl := call{path: path, body: img, ctype: "image/png", ifMatch: 1}
			if m.refusing {
				return cl
			}
			if org {
				cl.ifMatch = m.etag(tok, "/v1/org")
			} else {
				var u api.Me
				m.get(tok, "/v1/me").decode(t, &u)
				cl.ifMatch = u.User.PhotoVersion
			}
			return cl
		}
	}
	photoDelete := func(path string, org bool) func(*matrix, *caller, string) call {
		put := photoPut(path, org)
		return func(m *matrix, c *caller, tok string) call {
			cl := put(m, c, tok)
			cl.body, cl.ctype = nil, ""
			return cl
		}
	}
	password := func(path string) func(*matrix, *caller, string) call {
		return func(m *matrix, c *caller, _ string) call {
			return call{path: path, body: api.PasswordProof{Password: c.password}}
		}
	}
	// members names people of the caller's own organisation, so a
	// refusal is about the item in the path, not the people in the body.
	members := func(path, verPath, key string) func(*matrix, *caller, string) call {
		return func(m *matrix, c *caller, tok string) call {
			ids := []string{agent2}
			if c.role == other {
				ids = []string{"usr_other_admin"}
			}
			return versioned(path, verPath, key, api.UserIDsRequest{UserIDs: ids})(m, c, tok)
		}
	}
	// invitation is a pending invitation of the demo organisation, made
	// by its admin when a row first needs one.
	var inviteID string
	invitation := func(m *matrix) string {
		if inviteID == "" {
			r := m.e.do(req{method: "POST", path: "/v1/org/invitations", token: m.token(m.callers[admin]),
				body: api.InvitationRequest{Email: "invited.matrix@example.com", DisplayName: "Ida Invited"}})
			if r.status != 201 {
				m.t.Fatalf("invite: %d %s", r.status, r.body)
			}
			var inv api.Invitation
			r.decode(m.t, &inv)
			inviteID = inv.ID
		}
		return inviteID
	}
	onInvitation := func(sub string) func(*matrix, *caller, string) call {
		return func(m *matrix, c *caller, _ string) call {
			return call{path: "/v1/org/invitations/" + invitation(m) + sub}
		}
	}
	anonLogin := func(c *caller) *caller {
		if c.role == anon {
			return &caller{login: "agent2", password: server.DemoPassword}
		}
		return c
	}
	return []matrixRoute{
		// Sessions.
		{"POST /v1/sessions", public, func(m *matrix, c *caller, _ string) call {
			c = anonLogin(c)
			return call{path: "/v1/sessions", body: api.SignInRequest{Login: c.login, Password: c.password, Device: "matrix"}}
		}, all(201)},
		{"POST /v1/sessions/refresh", public, func(m *matrix, c *caller, _ string) call {
			c = anonLogin(c)
			return call{path: "/v1/sessions/refresh", body: api.RefreshRequest{RefreshToken: m.e.signIn(c.login, c.password).RefreshToken}}
		}, all(200)},
		// No challenge, no second step; the real flow is in secondfactor_test.go.
		{"POST /v1/sessions/second-factor", public, fixed("/v1/sessions/second-factor",
			api.SecondFactorRequest{Challenge: "psc_not-a-real-challenge", Code: "123456"}), all(401)},
		{"POST /v1/sessions/second-factor/enrolment", public, fixed("/v1/sessions/second-factor/enrolment",
			api.ChallengeRequest{Challenge: "psc_not-a-real-challenge"}), all(401)},
		{"POST /v1/sessions/reauth", me, password("/v1/sessions/reauth"), all(204)},
		{"DELETE /v1/sessions/current", me, fixed("/v1/sessions/current", nil), all(204)},
		{"GET /v1/me/sessions", me, fixed("/v1/me/sessions", nil), all(200)},
		{"DELETE /v1/me/sessions", me, fixed("/v1/me/sessions", nil), all(200)},
		// Another account's session is not found, whoever asks.
		{"DELETE /v1/me/sessions/{id}", me, func(m *matrix, c *caller, _ string) call {
			owner := c
			if c.role != admin {
				owner = m.callers[admin]
			}
			return call{path: "/v1/me/sessions/" + m.e.signIn(owner.login, owner.password).SessionID}
		}, map[string]int{"": 204, agent: 404, other: 404}},
		// This server has no OpenID Connect client (phoneset-server wires
		// server/sso in): both answer sso_unavailable after checking the body.
		{"POST /v1/sso/start", public, fixed("/v1/sso/start", api.SSOStartRequest{Email: "agent1@demo.phoneset.test",
			RedirectURI: "http://127.0.0.1:49152/callback", CodeChallenge: strings.Repeat("c", 43), CodeChallengeMethod: "S256"}), all(404)},
		{"POST /v1/sso/finish", public, fixed("/v1/sso/finish", api.SSOFinishRequest{State: "s", Code: "c",
			CodeVerifier: strings.Repeat("v", 43)}), all(404)},

		// The account and its resources.
		{"GET /v1/me", me, fixed("/v1/me", nil), all(200)},
		{"GET /v1/me/profile", me, fixed("/v1/me/profile", nil), all(200)},
		{"PATCH /v1/me/profile", me, versioned("/v1/me/profile", "/v1/me/profile", "", api.ProfilePatch{DisplayName: ptr("Matrix")}), all(200)},
		{"GET /v1/me/status", me, fixed("/v1/me/status", nil), all(200)},
		{"PUT /v1/me/status", me, versioned("/v1/me/status", "/v1/me/status", "", api.StatusUpdate{Availability: api.Online}), all(200)},
		// Extend needs a running timer: the caller's own status has none.
		{"POST /v1/me/status/extend", me, versioned("/v1/me/status/extend", "/v1/me/status", "", api.StatusExtend{Minutes: 5}), all(422)},
		{"GET /v1/me/notifications", me, fixed("/v1/me/notifications", nil), all(200)},
		{"PUT /v1/me/notifications", me, versioned("/v1/me/notifications", "/v1/me/notifications", "", api.Notifications{EmailVoicemails: true}), all(200)},
		{"GET /v1/me/plan", me, fixed("/v1/me/plan", nil), all(200)},
		{"GET /v1/me/events", me, func(*matrix, *caller, string) call { return call{path: "/v1/me/events", stream: true} }, all(200)},

		// Email and mobile changes.
		{"POST /v1/me/email", me, func(m *matrix, c *caller, _ string) call {
			return call{path: "/v1/me/email", body: api.EmailChangeRequest{Email: strings.ReplaceAll(c.login, " ", "") + ".new@example.com"}}
		}, all(202)},
		{"POST /v1/me/email/confirm", me, fixed("/v1/me/email/confirm", api.TokenRequest{Token: "psl_not-a-real-link"}), all(422)},
		{"GET /v1/email/confirm", public, fixed("/v1/email/confirm?token=psl_x", nil), all(200)},
		{"POST /v1/email/confirm", public, fixed("/v1/email/confirm", api.TokenRequest{Token: "psl_not-a-real-link"}), all(422)},
		{"POST /v1/me/mobile", me, fixed("/v1/me/mobile", api.MobileChangeRequest{Mobile: "+46 70 999 88 77"}), all(202)},
		{"POST /v1/me/mobile/confirm", me, fixed("/v1/me/mobile/confirm", api.MobileConfirmRequest{Code: "000000"}), all(422)},

		// Passwords.
		{"PUT /v1/me/password", me, func(m *matrix, c *caller, _ string) call {
			return call{path: "/v1/me/password", body: api.PasswordChangeRequest{Current: c.password, New: "Tangerine-Orbit-42"}}
		}, all(204)},
		{"POST /v1/password-resets", public, func(m *matrix, c *caller, _ string) call {
			return call{path: "/v1/password-resets", body: api.PasswordResetRequest{Login: anonLogin(c).login, Channel: "email"}}
		}, all(202)},
		{"GET /v1/password-resets/confirm", public, fixed("/v1/password-resets/confirm?token=psl_x", nil), all(200)},
		{"POST /v1/password-resets/confirm", public, fixed("/v1/password-resets/confirm",
			api.PasswordResetConfirm{Login: "agent2", Token: "000000", Password: "Tangerine-Orbit-42"}), all(422)},
		{"GET /v1/invitations/accept", public, fixed("/v1/invitations/accept?token=psl_x", nil), all(200)},
		{"POST /v1/invitations/accept", public, fixed("/v1/invitations/accept",
			api.InvitationAccept{Token: "psl_not-a-real-link", Username: "matrix", Password: "Tangerine-Orbit-42"}), all(422)},
		{"GET /v1/account/undo", public, fixed("/v1/account/undo?token=psl_x", nil), all(200)},
		{"POST /v1/account/undo", public, fixed("/v1/account/undo", api.TokenRequest{Token: "psl_not-a-real-link"}), all(422)},

		// Avatar and cover.
		{"PUT /v1/me/{kind}", me, photoPut("/v1/me/avatar", false), all(200)},
		{"GET /v1/me/{kind}", me, fixed("/v1/me/avatar", nil), all(200)},
		{"DELETE /v1/me/{kind}", me, photoDelete("/v1/me/avatar", false), all(200)},
		{"POST /v1/me/avatar/gravatar", me, photoDelete("/v1/me/avatar/gravatar", false), all(200)},

		// Two-factor sign-in: each caller starts an enrolment, which a wrong
		// code does not confirm, so there is nothing to turn off yet.
		{"GET /v1/me/second-factor", me, fixed("/v1/me/second-factor", nil), all(200)},
		{"POST /v1/me/second-factor", me, password("/v1/me/second-factor"), all(200)},
		{"POST /v1/me/second-factor/confirm", me, fixed("/v1/me/second-factor/confirm", api.CodeRequest{Code: "000000"}), all(422)},
		{"POST /v1/me/second-factor/recovery-codes", me, password("/v1/me/second-factor/recovery-codes"), all(409)},
		{"DELETE /v1/me/second-factor", me, func(m *matrix, c *caller, _ string) call {
			return call{path: "/v1/me/second-factor", body: api.SecondFactorOff{Password: c.password, Code: "000000"}}
		}, all(409)},

		// API key.
		{"GET /v1/me/api-key", me, fixed("/v1/me/api-key", nil), all(200)},
		{"POST /v1/me/api-key/reveal", me, password("/v1/me/api-key/reveal"), all(200)},
		{"POST /v1/me/api-key/regenerate", me, password("/v1/me/api-key/regenerate"), all(200)},

		// Organisation.
		{"GET /v1/org", orgWide, fixed("/v1/org", nil), all(200)},
		{"PATCH /v1/org", orgWide, versioned("/v1/org", "/v1/org", "", api.OrgSettingsPatch{DisplayName: ptr("Matrix Org")}), all(200)},
		{"PUT /v1/org/photos/{kind}", orgWide, photoPut("/v1/org/photos/avatar", true), all(200)},
		{"GET /v1/org/photos/{kind}", orgWide, fixed("/v1/org/photos/avatar", nil), all(200)},
		// Every member sees their own organisation's avatar, set just above.
		{"GET /v1/me/org/{kind}", me, fixed("/v1/me/org/avatar", nil), all(200)},
		{"DELETE /v1/org/photos/{kind}", orgWide, photoDelete("/v1/org/photos/avatar", true), all(200)},
		{"GET /v1/org/package", orgWide, fixed("/v1/org/package", nil), all(200)},
		{"PUT /v1/org/package", orgWide, versioned("/v1/org/package", "/v1/org/package", "", api.PackageChange{Package: api.PackageUnlimited}), all(200)},
		{"GET /v1/org/licenses", orgWide, fixed("/v1/org/licenses", nil), all(200)},
		{"GET /v1/org/orders", orgWide, fixed("/v1/org/orders", nil), all(200)},
		// The other organisation has no price list: nothing to order.
		{"POST /v1/org/orders", orgWide, fixed("/v1/org/orders", api.OrderRequest{Items: []api.OrderItem{{SKU: "recording", Quantity: 1}}}),
			map[string]int{"": 201, other: 422}},
		{"GET /v1/org/users", orgWide, fixed("/v1/org/users", nil), all(200)},
		{"PUT /v1/org/users/{id}/email", orgItem, func(m *matrix, c *caller, tok string) call {
			return versioned("/v1/org/users/"+agent2+"/email", "/v1/org/users", agent2,
				api.EmailSet{Email: "cy.matrix@example.com", Password: c.password})(m, c, tok)
		}, all(200)},
		{"PUT /v1/org/users/{id}/licenses/{sku}", orgItem, fixed("/v1/org/users/"+agent2+"/licenses/mobile", nil), all(200)},
		{"DELETE /v1/org/users/{id}/licenses/{sku}", orgItem, fixed("/v1/org/users/"+agent2+"/licenses/mobile", nil), all(200)},
		{"PUT /v1/org/users/{id}/permissions/account", orgItem, fixed("/v1/org/users/"+agent2+"/permissions/account", nil), all(200)},
		{"DELETE /v1/org/users/{id}/permissions/account", orgItem, fixed("/v1/org/users/"+agent2+"/permissions/account", nil), all(200)},
		{"GET /v1/org/supervisors", orgWide, fixed("/v1/org/supervisors", nil), all(200)},
		{"PUT /v1/org/users/{id}/supervisor", orgItem, fixed("/v1/org/users/"+agent2+"/supervisor",
			api.SupervisorScope{OptionIDs: []string{"opt_demo_sthlm"}}), all(200)},
		{"DELETE /v1/org/users/{id}/supervisor", orgItem, fixed("/v1/org/users/"+agent2+"/supervisor", nil), all(200)},

		// Supervisors: the demo admin supervises both offices; nobody
		// else, in either organisation, is a supervisor.
		{"GET /v1/supervisor/agents", orgWide, fixed("/v1/supervisor/agents", nil), map[string]int{"": 200, other: 403}},
		{"PUT /v1/supervisor/agents/{id}/status", orgWide, func(m *matrix, c *caller, tok string) call {
			cl := call{path: "/v1/supervisor/agents/" + agent1 + "/status", body: api.StatusUpdate{Availability: api.Unavailable, ReasonCode: "meeting"}, ifMatch: 1}
			if !m.refusing {
				var agents []api.AgentStatus
				m.get(tok, "/v1/supervisor/agents").decode(t, &agents)
				for _, a := range agents {
					if a.ID == agent1 {
						cl.ifMatch = a.Status.Version
					}
				}
			}
			return cl
		}, map[string]int{"": 200, other: 403}},
		{"GET /v1/supervisor/time-in-status", orgWide, fixed("/v1/supervisor/time-in-status", nil), map[string]int{"": 200, other: 403}},
		{"POST /v1/org/users/{id}/deactivate", orgItem, fixed("/v1/org/users/"+agent2+"/deactivate", nil), all(200)},
		{"POST /v1/org/users/{id}/reactivate", orgItem, fixed("/v1/org/users/"+agent2+"/reactivate", nil), all(200)},
		{"GET /v1/org/invitations", orgWide, fixed("/v1/org/invitations", nil), all(200)},
		{"POST /v1/org/invitations", orgWide, func(m *matrix, c *caller, _ string) call {
			return call{path: "/v1/org/invitations", body: api.InvitationRequest{
				Email: strings.ReplaceAll(c.role, " ", ".") + ".invited@example.com", DisplayName: "Invited " + c.role}}
		}, all(201)},
		{"POST /v1/org/invitations/{id}/resend", orgItem, onInvitation("/resend"), all(200)},
		{"DELETE /v1/org/invitations/{id}", orgItem, onInvitation(""), all(204)},
		{"GET /v1/org/sms", orgWide, fixed("/v1/org/sms", nil), all(200)},
		{"PUT /v1/org/sms/zones/{zone}", orgWide, versioned("/v1/org/sms/zones/europe", "/v1/org/sms", "",
			api.SMSZoneUpdate{Enabled: true, Scope: api.ScopeAll}), all(200)},
		{"PUT /v1/org/sms/message-types", orgWide, versioned("/v1/org/sms/message-types", "/v1/org/sms", "",
			api.SMSTypesUpdate{Allowed: []string{"callback"}}), all(200)},
		{"GET /v1/org/cost-centers", orgWide, fixed("/v1/org/cost-centers", nil), all(200)},
		{"POST /v1/org/cost-centers", orgWide, func(m *matrix, c *caller, _ string) call {
			return call{path: "/v1/org/cost-centers", body: api.NameRequest{Name: "Matrix " + c.role}}
		}, all(201)},
		{"PATCH /v1/org/cost-centers/{id}", orgItem, versioned("/v1/org/cost-centers/cc_demo_sales", "/v1/org/cost-centers", "cc_demo_sales",
			api.NameRequest{Name: "Sales Matrix"}), all(200)},
		{"PUT /v1/org/cost-centers/{id}/users", orgItem, members("/v1/org/cost-centers/cc_demo_sales/users", "/v1/org/cost-centers", "cc_demo_sales"), all(200)},
		{"DELETE /v1/org/cost-centers/{id}", orgItem, fixed("/v1/org/cost-centers/cc_demo_support", nil), all(204)},
		{"GET /v1/org/reason-codes", orgWide, fixed("/v1/org/reason-codes", nil), all(200)},
		{"POST /v1/org/reason-codes", orgWide, func(m *matrix, c *caller, _ string) call {
			return call{path: "/v1/org/reason-codes", body: api.ReasonCodeCreate{Label: "Matrix " + c.role}}
		}, all(201)},
		{"PATCH /v1/org/reason-codes/{code}", orgItem, versioned("/v1/org/reason-codes/lunch", "/v1/org/reason-codes", "lunch",
			api.ReasonCodePatch{Label: ptr("Lunch break")}), all(200)},
		{"GET /v1/org/presence", orgWide, fixed("/v1/org/presence", nil), all(200)},
		{"PUT /v1/org/presence", orgWide, versioned("/v1/org/presence", "/v1/org/presence", "", api.PresenceUpdate{IdleMinutes: 10}), all(200)},
		{"GET /v1/org/structure", orgWide, fixed("/v1/org/structure", nil), all(200)},
		{"POST /v1/org/structure", orgWide, func(m *matrix, c *caller, _ string) call {
			return call{path: "/v1/org/structure", body: api.CategoryCreate{Name: "Matrix " + c.role, Options: []string{"A"}}}
		}, all(201)},
		{"PATCH /v1/org/structure/{id}", orgItem, versioned("/v1/org/structure/cat_demo_office", "/v1/org/structure", "cat_demo_office",
			api.CategoryPatch{Name: ptr("Site")}), all(200)},
		{"PUT /v1/org/structure/{id}/options/{option}/users", orgItem, members("/v1/org/structure/cat_demo_office/options/opt_demo_malmo/users",
			"/v1/org/structure", "cat_demo_office"), all(200)},
		{"DELETE /v1/org/structure/{id}", orgItem, fixed("/v1/org/structure/cat_demo_office", nil), all(204)},
		{"GET /v1/org/audit", orgWide, fixed("/v1/org/audit", nil), all(200)},
		{"GET /v1/org/second-factor", orgWide, fixed("/v1/org/second-factor", nil), all(200)},
		{"PUT /v1/org/second-factor", orgWide, versioned("/v1/org/second-factor", "/v1/org/second-factor", "",
			api.SecondFactorPolicy{Policy: api.SecondFactorOptional}), all(200)},
		// The member has no second factor to reset.
		{"DELETE /v1/org/users/{id}/second-factor", orgItem, password("/v1/org/users/" + agent2 + "/second-factor"), all(409)},
		{"GET /v1/org/sso", orgWide, fixed("/v1/org/sso", nil), all(200)},
		// Before the row below replaces the demo's domains: its seeded
		// domain is verified, so the admin's check asks no DNS.
		{"POST /v1/org/sso/domains/{domain}/verify", orgItem, fixed("/v1/org/sso/domains/demo.phoneset.test/verify", nil), all(200)},
		// Each organisation claims its own domain: one domain has one provider.
		{"PUT /v1/org/sso", orgWide, func(m *matrix, c *caller, tok string) call {
			domain := strings.ReplaceAll(c.role, " ", "-") + ".matrix.example"
			return versioned("/v1/org/sso", "/v1/org/sso", "", api.SSOSettingsUpdate{Enabled: true, Issuer: "https://idp.matrix.example",
				ClientID: "phoneset", Domains: []string{domain}})(m, c, tok)
		}, all(200)},
		{"POST /v1/org/users/import/check", orgWide, func(*matrix, *caller, string) call {
			return call{path: "/v1/org/users/import/check", body: []byte("email,first_name\nnew.person@example.com,New\n"), ctype: "text/csv"}
		}, all(200)},
		// Each organisation invites its own new person.
		{"POST /v1/org/users/import", orgWide, func(_ *matrix, c *caller, _ string) call {
			file := "email,display_name\n" + strings.ReplaceAll(c.role, " ", "-") + ".import@example.com,Imported\n"
			return call{path: "/v1/org/users/import", body: []byte(file), ctype: "text/csv"}
		}, all(201)},
		{"GET /v1/org/scim/tokens", orgWide, fixed("/v1/org/scim/tokens", nil), all(200)},
		{"POST /v1/org/scim/tokens", orgWide, fixed("/v1/org/scim/tokens", api.NameRequest{Name: "Matrix IdP"}), all(201)},
		// A token of the demo organisation, made afresh for each caller.
		{"DELETE /v1/org/scim/tokens/{id}", orgItem, func(m *matrix, _ *caller, _ string) call {
			var created api.SCIMTokenCreated
			m.e.do(req{method: "POST", path: "/v1/org/scim/tokens", token: m.token(m.callers[admin]),
				body: api.NameRequest{Name: "Matrix"}}).decode(m.t, &created)
			return call{path: "/v1/org/scim/tokens/" + created.Token.ID}
		}, all(204)},
		{"GET /v1/dev/outbox", public, fixed("/v1/dev/outbox", nil), all(200)},
		{"GET /v1/dev/in-flight", public, fixed("/v1/dev/in-flight", nil), all(200)},

		// Near the end, as agent2 is gone after it.
		{"DELETE /v1/org/users/{id}", orgItem, func(m *matrix, c *caller, _ string) call {
			return call{path: "/v1/org/users/" + agent2, body: api.PasswordProof{Password: c.password}}
		}, all(204)},

		// Last: an admin may delete their own account, but not as the
		// organisation's only admin.
		{"DELETE /v1/me", me, password("/v1/me"), map[string]int{"": 409, agent: 403}},
	}
}

// newOtherOrg adds a second organisation with one admin, through the
// store, and returns the admin's login.
func newOtherOrg(t *testing.T, e *env) string {
	ctx := context.Background()
	q := e.srv.Store().Q()
	demoAdmin, err := q.UserByLogin(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	err = e.srv.Store().Tx(ctx, func(q store.Q) error {
		if err := q.CreateOrg(ctx, &store.Org{ID: "org_other", DisplayName: "Other Org", TimeZone: "Europe/Oslo", Language: "en",
			MembersChooseAvatar: true, MembersChooseCover: true, MembersChangeEmail: true, PlanName: "Basic", CycleDay: 1, CreatedAt: now}); err != nil {
			return err
		}
		if err := q.CreateUser(ctx, &store.User{ID: "usr_other_admin", OrgID: "org_other", Username: "otheradmin",
			Email: "admin@other.example", PasswordHash: demoAdmin.PasswordHash, PasswordChangedAt: now, DisplayName: "Olga Other",
			Language: "en", TimeZone: "Europe/Oslo", Availability: api.Offline, StatusChangedAt: now, CreatedAt: now}); err != nil {
			return err
		}
		if err := q.SetOrgCompany(ctx, "org_other", "Other AS", "999888777", "usr_other_admin"); err != nil {
			return err
		}
		o, err := q.OrgProfileByID(ctx, "org_other")
		if err != nil {
			return err
		}
		o.CostCentersEnabled = true
		if err := q.SaveOrgSettings(ctx, o, o.SettingsVersion); err != nil {
			return err
		}
		return q.Grant(ctx, "usr_other_admin", api.PermAccount)
	})
	if err != nil {
		t.Fatal(err)
	}
	return "otheradmin"
}

// demoView is everything the demo organisation's admin can see of it.
func (m *matrix) demoView(tok string) string {
	m.t.Helper()
	var b strings.Builder
	for _, p := range []string{"/v1/org", "/v1/org/package", "/v1/org/licenses", "/v1/org/orders", "/v1/org/users", "/v1/org/invitations", "/v1/org/sms",
		"/v1/org/cost-centers", "/v1/org/reason-codes", "/v1/org/structure", "/v1/org/audit?limit=500"} {
		b.Write(m.get(tok, p).body)
	}
	return b.String()
}

func TestPermissionMatrix(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		grav := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "image/png")
			w.Write(testPNG(t, 128, 128))
		}))
		defer grav.Close()
		e := newEnvWith(t, server.Config{GravatarBaseURL: grav.URL + "/avatar/"})
		m := &matrix{t: t, e: e, callers: map[string]*caller{
			anon:  {role: anon},
			agent: {role: agent, login: "agent1", password: server.DemoPassword},
			other: {role: other, login: newOtherOrg(t, e), password: server.DemoPassword},
			admin: {role: admin, login: "admin", password: server.DemoPassword},
		}}
		rows := matrixRoutes(t, e)

		// Every route has a row, and every row a route: a new route cannot
		// slip past this test.
		rowOf := map[string]bool{}
		for _, r := range rows {
			if rowOf[r.pattern] {
				t.Errorf("two rows for %s", r.pattern)
			}
			rowOf[r.pattern] = true
		}
		for _, p := range server.RoutePatterns(e.srv) {
			if !rowOf[p] {
				t.Errorf("route %s has no row in the matrix", p)
			}
			delete(rowOf, p)
		}
		for p := range rowOf {
			t.Errorf("matrix row %s matches no route", p)
		}
		if t.Failed() {
			t.FailNow()
		}

		var table strings.Builder
		fmt.Fprintf(&table, "%-52s %10s %6s %16s %6s\n", "route", anon, agent, other, admin)
		for _, r := range rows {
			method, _, _ := strings.Cut(r.pattern, " ")
			got := map[string]int{}
			for _, role := range roles {
				c := m.callers[role]
				want := r.want(role)
				refused := want == 401 || want == 403 || (want == 404 && r.scope != public)
				tok := m.token(c)
				m.refusing = refused
				cl := r.build(m, c, tok)
				h := map[string]string{}
				if cl.ifMatch > 0 {
					h = ifMatch(cl.ifMatch)
				}
				// Signing in above is audited, so the snapshots are taken
				// around the call alone; the demo admin's view uses one
				// session for both looks.
				var before, view, viewTok string
				crossOrg := role == other && !refused && r.scope != public
				if refused {
					before = snapshot(t, e)
				}
				if crossOrg {
					viewTok = m.token(m.callers[admin])
					view = m.demoView(viewTok)
				}
				var res resp
				if cl.stream {
					res = e.peekStream(tok, cl.path)
				} else {
					res = e.do(req{method: method, path: cl.path, token: tok, body: cl.body, ctype: cl.ctype, header: h})
				}
				got[role] = res.status
				if res.status != want {
					t.Errorf("%s as %s: %d %s, want %d", r.pattern, role, res.status, truncate(res.body), want)
					continue
				}
				if res.status >= 400 {
					res.apiErr(t) // every refusal is an error body
				}
				if refused {
					if after := snapshot(t, e); after != before {
						t.Errorf("%s as %s: refused, but the database changed", r.pattern, role)
					}
				}
				if crossOrg {
					if bytes.Contains(bytes.ToLower(res.body), []byte("demo")) {
						t.Errorf("%s as %s: the answer shows the demo organisation: %s", r.pattern, role, truncate(res.body))
					}
					if m.demoView(viewTok) != view {
						t.Errorf("%s as %s: the demo organisation changed", r.pattern, role)
					}
				}
				if r.pattern == "PUT /v1/me/password" && res.status == 204 {
					c.password = "Tangerine-Orbit-42"
				}
			}
			fmt.Fprintf(&table, "%-52s %10d %6d %16d %6d\n", r.pattern, got[anon], got[agent], got[other], got[admin])
		}
		t.Logf("permission matrix (status per caller):\n%s", table.String())
	})
}

// TestDevOutboxOnlyWhenConfigured: the development outbox shows every
// code and link, so without DevOutbox its routes must not exist.
func TestDevOutboxOnlyWhenConfigured(t *testing.T) {
	srv, err := server.Open(context.Background(), server.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for _, path := range []string{"/v1/dev/outbox", "/v1/dev/in-flight"} {
		if slices.Contains(server.RoutePatterns(srv), "GET "+path) {
			t.Errorf("GET %s is served without DevOutbox", path)
		}
		w := httptest.NewRecorder()
		srv.Handler().ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		if w.Code != http.StatusNotFound {
			t.Errorf("GET %s: %d %s", path, w.Code, w.Body)
		}
	}
}

func truncate(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}
