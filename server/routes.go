package server

import (
	"net/http"
)

// routes is the /v1 API; api/openapi.yaml documents every route here.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern string, h http.Handler) { mux.Handle(pattern, h) }

	handle("POST /v1/sessions", s.wrap(s.signIn))
	handle("POST /v1/sessions/refresh", s.wrap(s.refresh))
	handle("DELETE /v1/sessions/current", s.sessionOnly(s.signOut))
	handle("GET /v1/me/sessions", s.sessionOnly(s.listSessions))
	handle("DELETE /v1/me/sessions", s.sessionOnly(s.deleteOtherSessions))
	handle("DELETE /v1/me/sessions/{id}", s.sessionOnly(s.deleteSession))

	handle("GET /v1/me", s.authed(s.getMe))
	handle("GET /v1/me/profile", s.authed(s.getProfile))
	handle("PATCH /v1/me/profile", s.authed(s.patchProfile))

	return s.recoverer(jsonMux{mux})
}
