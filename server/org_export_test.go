package server

// RoutePatterns lists every route's pattern, so tests can walk them all
// and a new route cannot be missed.
func RoutePatterns(s *Server) []string {
	var out []string
	for _, rt := range s.routeTable() {
		out = append(out, rt.pattern)
	}
	return out
}

// LiveStreams counts the event streams the server holds open.
func LiveStreams(s *Server) int { return s.live.count() }
