package server

import (
	"net/http"

	"github.com/phoneset/phoneset/api"
)

// routes is the /v1 API; api/openapi.yaml documents every route here, and
// TestOpenAPICoversRoutes keeps the two in step.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.routeTable() {
		mux.Handle(rt.pattern, rt.h)
	}
	if scimMount != nil {
		mux.Handle(SCIMPath+"/", s.scimAuth(http.StripPrefix(SCIMPath, scimMount(&Directory{s}))))
	}
	return s.recoverer(jsonMux{mux})
}

type route struct {
	pattern string
	h       http.Handler
}

func (s *Server) routeTable() []route {
	rs := []route{
		// Sessions.
		{"POST /v1/sessions", s.wrap(s.signIn)},
		{"POST /v1/sessions/refresh", s.wrap(s.refresh)},
		{"POST /v1/sessions/second-factor", s.wrap(s.signInSecondFactor)},
		{"POST /v1/sessions/second-factor/enrolment", s.wrap(s.enrolAtSignIn)},
		{"POST /v1/sessions/reauth", s.sessionOnly(s.reauth)},
		{"DELETE /v1/sessions/current", s.sessionOnly(s.signOut)},
		{"GET /v1/me/sessions", s.sessionOnly(s.listSessions)},
		{"DELETE /v1/me/sessions", s.sessionOnly(s.deleteOtherSessions)},
		{"DELETE /v1/me/sessions/{id}", s.sessionOnly(s.deleteSession)},
		{"POST /v1/sso/start", s.wrap(s.ssoStart)},
		{"POST /v1/sso/finish", s.wrap(s.ssoFinish)},

		// The account and its resources.
		{"GET /v1/me", s.authed(s.getMe)},
		{"DELETE /v1/me", s.sessionOnly(s.deleteAccount)},
		{"GET /v1/me/profile", s.authed(s.getProfile)},
		{"PATCH /v1/me/profile", s.authed(s.idempotent(s.patchProfile))},
		{"GET /v1/me/status", s.authed(s.getStatus)},
		{"PUT /v1/me/status", s.authed(s.putStatus)},
		{"POST /v1/me/status/extend", s.authed(s.extendStatus)},
		{"GET /v1/me/notifications", s.authed(s.getNotifications)},
		{"PUT /v1/me/notifications", s.authed(s.putNotifications)},
		{"GET /v1/me/plan", s.authed(s.getPlan)},
		{"GET /v1/me/events", s.authed(s.events)},

		// Email and mobile changes, verified by link and by SMS code.
		{"POST /v1/me/email", s.sessionOnly(s.idempotent(s.requestEmailChange))},
		{"POST /v1/me/email/confirm", s.sessionOnly(s.idempotent(s.confirmEmailSignedIn))},
		{"GET /v1/email/confirm", s.wrap(s.emailConfirmForm)},
		{"POST /v1/email/confirm", s.wrap(s.confirmEmailLink)},
		{"POST /v1/me/mobile", s.sessionOnly(s.idempotent(s.requestMobileChange))},
		{"POST /v1/me/mobile/confirm", s.sessionOnly(s.idempotent(s.confirmMobile))},

		// Passwords.
		{"PUT /v1/me/password", s.sessionOnly(s.changePassword)},
		{"POST /v1/password-resets", s.wrap(s.requestPasswordReset)},
		{"GET /v1/password-resets/confirm", s.wrap(s.resetForm)},
		{"POST /v1/password-resets/confirm", s.wrap(s.confirmPasswordReset)},
		{"GET /v1/account/undo", s.wrap(s.undoForm)},
		{"POST /v1/account/undo", s.wrap(s.undoChange)},

		// Invitations: the invitee's link.
		{"GET /v1/invitations/accept", s.wrap(s.acceptForm)},
		{"POST /v1/invitations/accept", s.wrap(s.acceptInvitation)},

		// Avatar and cover.
		{"GET /v1/me/{kind}", s.authed(s.getPhoto)},
		{"PUT /v1/me/{kind}", s.authed(s.putPhoto)},
		{"DELETE /v1/me/{kind}", s.authed(s.deletePhoto)},
		{"POST /v1/me/avatar/gravatar", s.authed(s.idempotent(s.gravatarAvatar))},
		{"GET /v1/me/org/{kind}", s.authed(s.getMyOrgPhoto)},

		// Two-factor sign-in.
		{"GET /v1/me/second-factor", s.sessionOnly(s.getSecondFactor)},
		{"POST /v1/me/second-factor", s.sessionOnly(s.startEnrolment)},
		{"POST /v1/me/second-factor/confirm", s.sessionOnly(s.confirmEnrolment)},
		{"DELETE /v1/me/second-factor", s.sessionOnly(s.disableSecondFactor)},
		{"POST /v1/me/second-factor/recovery-codes", s.sessionOnly(s.newRecoveryCodeList)},

		// API key.
		{"GET /v1/me/api-key", s.sessionOnly(s.getAPIKey)},
		{"POST /v1/me/api-key/reveal", s.sessionOnly(s.revealAPIKey)},
		{"POST /v1/me/api-key/regenerate", s.sessionOnly(s.regenerateAPIKey)},

		// Organisation (permission "account").
		{"GET /v1/org", s.admin(s.getOrg)},
		{"PATCH /v1/org", s.admin(s.patchOrg)},
		{"GET /v1/org/photos/{kind}", s.admin(s.getOrgPhoto)},
		{"PUT /v1/org/photos/{kind}", s.admin(s.putOrgPhoto)},
		{"DELETE /v1/org/photos/{kind}", s.admin(s.deleteOrgPhoto)},
		{"GET /v1/org/package", s.admin(s.getPackage)},
		{"PUT /v1/org/package", s.admin(s.putPackage)},
		{"GET /v1/org/licenses", s.admin(s.getLicenses)},
		{"GET /v1/org/orders", s.admin(s.listOrders)},
		{"POST /v1/org/orders", s.adminIdempotent(s.createOrder)},
		{"GET /v1/org/users", s.admin(s.listOrgUsers)},
		{"POST /v1/org/users/import/check", s.admin(s.checkImportFile)},
		{"POST /v1/org/users/import", s.adminIdempotent(s.importUsers)},
		{"PUT /v1/org/users/{id}/email", s.admin(s.setUserEmail)},
		{"PUT /v1/org/users/{id}/licenses/{sku}", s.admin(s.assignLicense)},
		{"DELETE /v1/org/users/{id}/licenses/{sku}", s.admin(s.unassignLicense)},
		{"PUT /v1/org/users/{id}/permissions/account", s.admin(s.grantAdmin)},
		{"DELETE /v1/org/users/{id}/permissions/account", s.admin(s.revokeAdmin)},
		{"GET /v1/org/supervisors", s.admin(s.listSupervisors)},
		{"PUT /v1/org/users/{id}/supervisor", s.admin(s.setSupervisor)},
		{"DELETE /v1/org/users/{id}/supervisor", s.admin(s.revokeSupervisor)},
		{"POST /v1/org/users/{id}/deactivate", s.admin(s.deactivateMember)},
		{"POST /v1/org/users/{id}/reactivate", s.admin(s.reactivateMember)},
		{"DELETE /v1/org/users/{id}", s.admin(s.deleteMember)},
		{"GET /v1/org/invitations", s.admin(s.listInvitations)},
		{"POST /v1/org/invitations", s.adminIdempotent(s.createInvitation)},
		{"POST /v1/org/invitations/{id}/resend", s.admin(s.resendInvitation)},
		{"DELETE /v1/org/invitations/{id}", s.admin(s.revokeInvitation)},
		{"GET /v1/org/sms", s.admin(s.getSMS)},
		{"PUT /v1/org/sms/zones/{zone}", s.admin(s.putSMSZone)},
		{"PUT /v1/org/sms/message-types", s.admin(s.putSMSTypes)},
		{"GET /v1/org/cost-centers", s.admin(s.getCostCenters)},
		{"POST /v1/org/cost-centers", s.adminIdempotent(s.createCostCenter)},
		{"PATCH /v1/org/cost-centers/{id}", s.admin(s.renameCostCenter)},
		{"DELETE /v1/org/cost-centers/{id}", s.admin(s.deleteCostCenter)},
		{"PUT /v1/org/cost-centers/{id}/users", s.admin(s.setCostCenterUsers)},
		{"GET /v1/org/reason-codes", s.admin(s.listReasonCodes)},
		{"POST /v1/org/reason-codes", s.adminIdempotent(s.createReasonCode)},
		{"PATCH /v1/org/reason-codes/{code}", s.admin(s.patchReasonCode)},
		{"GET /v1/org/presence", s.admin(s.getPresence)},
		{"PUT /v1/org/presence", s.admin(s.putPresence)},
		{"GET /v1/org/structure", s.admin(s.getStructure)},
		{"POST /v1/org/structure", s.adminIdempotent(s.createCategory)},
		{"PATCH /v1/org/structure/{id}", s.admin(s.patchCategory)},
		{"DELETE /v1/org/structure/{id}", s.admin(s.deleteCategory)},
		{"PUT /v1/org/structure/{id}/options/{option}/users", s.admin(s.setOptionUsers)},
		{"GET /v1/org/audit", s.admin(s.getAudit)},
		{"GET /v1/org/second-factor", s.admin(s.getOrgSecondFactor)},
		{"PUT /v1/org/second-factor", s.admin(s.putOrgSecondFactor)},
		{"DELETE /v1/org/users/{id}/second-factor", s.admin(s.resetMemberSecondFactor)},
		{"GET /v1/org/sso", s.admin(s.getSSO)},
		{"PUT /v1/org/sso", s.admin(s.putSSO)},
		{"POST /v1/org/sso/domains/{domain}/verify", s.admin(s.verifySSODomain)},
		{"GET /v1/org/scim/tokens", s.admin(s.listSCIMTokens)},
		{"POST /v1/org/scim/tokens", s.adminIdempotent(s.createSCIMToken)},
		{"DELETE /v1/org/scim/tokens/{id}", s.admin(s.revokeSCIMToken)},

		// Supervisors (permission "supervisor"), over their agents only.
		{"GET /v1/supervisor/agents", s.supervisor(s.listAgents)},
		{"PUT /v1/supervisor/agents/{id}/status", s.supervisor(s.setAgentStatus)},
		{"GET /v1/supervisor/time-in-status", s.supervisor(s.getTimeInStatus)},
	}
	if s.cfg.DevOutbox {
		rs = append(rs, route{"GET /v1/dev/outbox", s.wrap(s.devOutbox)},
			route{"GET /v1/dev/in-flight", s.wrap(s.devInFlight)})
	}
	return rs
}

// devOutbox lists the messages the development outbox holds, newest last.
func (s *Server) devOutbox(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, s.outbox.Messages())
	return nil
}

// devInFlight counts the requests whose handlers run, this one left out:
// a test that stops the server mid-load waits for every request it sent
// to have reached a handler, not for a time.
func (s *Server) devInFlight(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, api.InFlight{Requests: s.inFlight.Load() - 1})
	return nil
}
