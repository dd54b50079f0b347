package server

import (
	"context"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server/store"
)

// BadName is a stored name that today's rules would refuse, and why.
type BadName struct {
	store.StoredName
	Why *api.Reason
}

// nameRules is how each stored name field is validated on the way in.
var nameRules = map[string]func(string) *api.Reason{
	api.FieldUsername:    api.ValidateUsername,
	api.FieldFirstName:   api.ValidateName,
	api.FieldLastName:    api.ValidateName,
	api.FieldDisplayName: api.ValidateDisplayName,
}

// BadNames lists the users and organisations whose stored names fail the
// current rules (issue 13 made names pass PRECIS). Rows written before a
// rule existed are reported, never changed: someone has to decide what the
// name should be.
func (s *Server) BadNames(ctx context.Context) ([]BadName, error) {
	names, err := s.st.Names(ctx)
	if err != nil {
		return nil, err
	}
	var bad []BadName
	for _, n := range names {
		if why := nameRules[n.Field](n.Value); why != nil {
			bad = append(bad, BadName{n, why})
		}
	}
	return bad, nil
}

// logBadNames warns at startup about each stored name BadNames finds.
func (s *Server) logBadNames(ctx context.Context) {
	bad, err := s.BadNames(ctx)
	if err != nil {
		s.log.Error("checking stored names", "err", err)
		return
	}
	for _, b := range bad {
		s.log.Warn("stored name fails the name rules; ask its owner to change it", "table", b.Table, "id", b.ID,
			"field", b.Field, "value", b.Value, "reason", b.Why.Code)
	}
}
