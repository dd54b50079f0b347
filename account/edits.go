package account

import (
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/api/client"
)

// ErrSignedOut is returned by edits made without a session.
var ErrSignedOut = errors.New("account: not signed in")

// UpdateProfile validates p with the server's rules (a failure is an
// *api.Error with Fields), applies it to Me and queues it in the outbox. It
// returns at once, without waiting on the disk; should the outbox fail to
// hold the edit, it reverts and Sync says why. Fields that already hold the
// given value are ignored.
func (m *Model) UpdateProfile(p api.ProfilePatch) error {
	if errs := api.ValidatePatch(p); errs != nil {
		return api.Invalid(errs)
	}
	return m.edit(KindProfile, fieldsOf(p))
}

// SetNotifications saves the notification settings the same way.
func (m *Model) SetNotifications(n api.Notifications) error {
	set := fieldsOf(n)
	for f := range set {
		if !resources[KindNotifications].has(f) {
			delete(set, f)
		}
	}
	return m.edit(KindNotifications, set)
}

// edit appends one entry with the fields of set that differ from Me.
func (m *Model) edit(kind string, set map[string]json.RawMessage) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.st == nil {
		return ErrSignedOut
	}
	r := resources[kind]
	cur := r.values(&m.local)
	next := m.st.clone()
	e := entry{Kind: kind, Set: map[string]json.RawMessage{}, Before: map[string]json.RawMessage{}, At: time.Now().UTC()}
	var settled []conflict
	for f, v := range set {
		// Editing a conflicted field settles the conflict with the new value.
		if i := conflictIndex(next, kind, f); i >= 0 {
			c := next.Conflicts[i]
			settled = append(settled, c)
			next.Conflicts = slices.Delete(next.Conflicts, i, i+1)
			if !sameValue(v, c.Server) {
				e.Set[f], e.Before[f] = v, c.Server
			}
			continue
		}
		if !sameValue(v, cur[f]) {
			e.Set[f], e.Before[f] = v, cur[f]
		}
	}
	if len(e.Set) == 0 && len(settled) == 0 {
		return nil
	}
	if len(e.Set) > 0 {
		e.Seq, e.Key = next.NextSeq, client.NewIdempotencyKey()
		next.NextSeq++
		next.Entries = append(next.Entries, e)
	}
	c := MeChanged | SyncChanged | FieldErrorsChanged
	if len(settled) > 0 {
		c |= ConflictsChanged
	}
	for f := range set {
		delete(m.fieldErrs, f)
	}
	m.commit(next, c)
	m.settle(settled...)
	return nil
}

// settle remembers conflicts the edit just committed removed, until it is
// on disk: a failed write restores them (see revertUnsaved). m.mu held.
func (m *Model) settle(cs ...conflict) {
	for _, c := range cs {
		m.settled = append(m.settled, settledConflict{ver: m.ver, c: c})
	}
}

func conflictIndex(st *fileState, kind, field string) int {
	return slices.IndexFunc(st.Conflicts, func(c conflict) bool { return c.Kind == kind && c.Field == field })
}

// Conflicts lists the fields changed both here and elsewhere.
func (m *Model) Conflicts() []Conflict {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.st == nil {
		return nil
	}
	out := make([]Conflict, len(m.st.Conflicts))
	for i, c := range m.st.Conflicts {
		out[i] = Conflict{ID: c.id(), Kind: c.Kind, Field: c.Field, Local: display(c.Local), Server: display(c.Server), At: c.At}
	}
	return out
}

// ErrNoConflict is returned by Resolve for an unknown ID.
var ErrNoConflict = errors.New("account: no such conflict")

// Resolve settles a conflict: keepLocal sends the user's value over the
// other one; otherwise the other value stays and Me shows it. Like an edit
// it returns at once and reverts should the outbox fail to hold it.
func (m *Model) Resolve(id string, keepLocal bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.st == nil {
		return ErrSignedOut
	}
	i := slices.IndexFunc(m.st.Conflicts, func(c conflict) bool { return c.id() == id })
	if i < 0 {
		return ErrNoConflict
	}
	next := m.st.clone()
	c := next.Conflicts[i]
	next.Conflicts = slices.Delete(next.Conflicts, i, i+1)
	if keepLocal {
		next.Entries = append(next.Entries, entry{
			Seq: next.NextSeq, Key: client.NewIdempotencyKey(), Kind: c.Kind, At: time.Now().UTC(),
			Set:    map[string]json.RawMessage{c.Field: c.Local},
			Before: map[string]json.RawMessage{c.Field: c.Server},
		})
		next.NextSeq++
	}
	m.commit(next, MeChanged|SyncChanged|ConflictsChanged)
	m.settle(c)
	return nil
}

// clone copies what edits change: a committed state is never changed in
// place, so the persister can write it while the next one is built. Raw
// values are never mutated in place and are shared.
func (st *fileState) clone() *fileState {
	n := *st
	n.Entries = make([]entry, len(st.Entries))
	for i, e := range st.Entries {
		e.Set, e.Before = maps.Clone(e.Set), maps.Clone(e.Before)
		n.Entries[i] = e
	}
	n.Conflicts = slices.Clone(st.Conflicts)
	return &n
}
