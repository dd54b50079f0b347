package store

import (
	"context"

	"github.com/phoneset/phoneset/api"
)

// StoredName is one name as the database holds it.
type StoredName struct {
	Table, ID, Field, Value string
}

// Names returns every user's and organisation's names, so they can be
// checked against rules newer than the rows.
func (s *Store) Names(ctx context.Context) ([]StoredName, error) {
	var out []StoredName
	rows, err := s.db.QueryContext(ctx, `SELECT id, username, first_name, last_name, display_name FROM users ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, user, first, last, display string
		if err := rows.Scan(&id, &user, &first, &last, &display); err != nil {
			return nil, err
		}
		out = append(out,
			StoredName{"users", id, api.FieldUsername, user},
			StoredName{"users", id, api.FieldFirstName, first},
			StoredName{"users", id, api.FieldLastName, last},
			StoredName{"users", id, api.FieldDisplayName, display})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	orgs, err := s.db.QueryContext(ctx, `SELECT id, display_name FROM orgs ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer orgs.Close()
	for orgs.Next() {
		var id, display string
		if err := orgs.Scan(&id, &display); err != nil {
			return nil, err
		}
		out = append(out, StoredName{"orgs", id, api.FieldDisplayName, display})
	}
	return out, orgs.Err()
}
