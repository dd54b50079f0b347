package account

import (
	"cmp"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/api/client"
)

// loop drains the outbox in order and refetches the account when idle.
func (m *Model) loop() {
	defer m.wg.Done()
	for {
		wait := m.step()
		timer := time.NewTimer(wait)
	waiting:
		for {
			select {
			case <-m.closed:
				timer.Stop()
				return
			case <-timer.C:
				break waiting
			case <-m.wake:
				// Edits wake the loop, but not out of a failure backoff.
				m.mu.Lock()
				backingOff := time.Now().Before(m.backoffUntil)
				m.mu.Unlock()
				if !backingOff {
					timer.Stop()
					break waiting
				}
			}
		}
	}
}

// step does one unit of sync work and returns how long to wait before the
// next one.
func (m *Model) step() time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.st == nil {
		return m.cfg.PollInterval
	}
	gen := m.gen
	if m.needFetch || (len(m.st.Entries) == 0 && time.Since(m.lastFetch) >= m.cfg.PollInterval) {
		m.mu.Unlock()
		me, err := m.c.Me(m.ctx)
		m.mu.Lock()
		if gen != m.gen || m.st == nil {
			return 0
		}
		if err != nil {
			return m.failed(err)
		}
		m.lastFetch, m.needFetch = time.Now(), false
		next := m.st.clone()
		next.Me = me
		m.commit(next, MeChanged|SyncChanged)
		m.succeeded()
		return 0
	}
	if len(m.st.Entries) == 0 {
		return max(0, m.cfg.PollInterval-time.Since(m.lastFetch))
	}
	if m.st.Entries[0].Seq >= m.savedSeq || m.triedVer < m.ackVer {
		// Send nothing the disk does not hold, and nothing before it holds
		// the last acknowledgement (or has failed to): after a crash the
		// server may then be ahead of the file by the entry in flight only,
		// which settleHead tells from a change made elsewhere. The
		// persister wakes the loop after each write.
		return m.cfg.PollInterval
	}
	if next := m.st.clone(); settleHead(next) {
		m.commit(next, MeChanged|SyncChanged|ConflictsChanged)
		return 0
	}
	head := m.st.Entries[0]
	confirmed := m.st.Me
	m.mu.Unlock()
	err := resources[head.Kind].send(client.WithIdempotencyKey(m.ctx, head.Key), m.c, &confirmed, head.Set)
	m.mu.Lock()
	if gen != m.gen || m.st == nil || len(m.st.Entries) == 0 || m.st.Entries[0].Seq != head.Seq {
		return 0
	}
	var ae *api.Error
	switch {
	case err == nil:
		next := m.st.clone()
		next.Me = confirmed
		next.Entries = next.Entries[1:]
		m.commit(next, MeChanged|SyncChanged)
		m.ackVer = m.ver
		m.succeeded()
		return 0
	case client.IsTransient(err) || m.ctx.Err() != nil:
		return m.failed(err)
	case errors.Is(err, api.ErrStale):
		// Changed elsewhere: refetch, then settle the entry against the
		// new state under a new key, since its request will differ.
		next := m.st.clone()
		next.Entries[0].Key = client.NewIdempotencyKey()
		m.needFetch = true
		m.commit(next, 0)
		return 0
	case errors.Is(err, api.ErrUnauthorized):
		// The client's token hook has ended the session.
		return 0
	case errors.As(err, &ae):
		next := m.st.clone()
		m.reject(next, ae)
		m.commit(next, MeChanged|SyncChanged|FieldErrorsChanged)
		m.succeeded()
		return 0
	default:
		return m.failed(err)
	}
}

// failed records a failed attempt and returns the backoff. m.mu held.
func (m *Model) failed(err error) time.Duration {
	m.failures++
	p := client.RetryPolicy{Base: m.cfg.RetryMin, Cap: m.cfg.RetryMax}
	wait := p.Backoff(m.failures - 1)
	var ae *api.Error
	if errors.As(err, &ae) && ae.RetryAfter > wait {
		wait = ae.RetryAfter
	}
	m.backoffUntil = time.Now().Add(wait)
	if m.syncErr == nil || m.syncErr.Error() != err.Error() {
		m.log.Info("account: sync failed", "err", err, "retry_in", wait)
	}
	m.syncErr = err
	m.notify(SyncChanged)
	return wait
}

// succeeded clears the failure state. m.mu held.
func (m *Model) succeeded() {
	if m.syncErr != nil {
		m.notify(SyncChanged)
	}
	m.failures, m.syncErr, m.backoffUntil = 0, nil, time.Time{}
}

// settleHead compares the first entry with the confirmed state, field by
// field: a value the server already holds is dropped (the edit landed, e.g.
// before a crash); a value changed elsewhere becomes a conflict; the rest is
// sent. It reports whether it changed anything.
func settleHead(st *fileState) bool {
	if len(st.Entries) == 0 {
		return false
	}
	e := &st.Entries[0]
	srv := resources[e.Kind].values(&st.Me)
	changed := false
	for _, f := range sortedFields(e.Set) {
		v := e.Set[f]
		switch {
		case sameValue(srv[f], v):
		case sameValue(srv[f], e.Before[f]):
			continue
		default:
			// The user's value is the last pending one for the field.
			local := v
			for j := range st.Entries[1:] {
				later := &st.Entries[j+1]
				if lv, ok := later.Set[f]; ok && later.Kind == e.Kind {
					local = lv
					delete(later.Set, f)
					delete(later.Before, f)
				}
			}
			if i := conflictIndex(st, e.Kind, f); i >= 0 {
				st.Conflicts = slices.Delete(st.Conflicts, i, i+1)
			}
			if !sameValue(local, srv[f]) {
				st.Conflicts = append(st.Conflicts, conflict{Kind: e.Kind, Field: f, Local: local, Server: srv[f], At: time.Now().UTC()})
			}
		}
		delete(e.Set, f)
		delete(e.Before, f)
		changed = true
	}
	if changed {
		e.Key = client.NewIdempotencyKey()
		st.Entries = slices.DeleteFunc(st.Entries, func(e entry) bool { return len(e.Set) == 0 })
	}
	return changed
}

// reject drops what the server refused from the first entry: the fields
// it names, or the whole entry when it names none of them. The refused
// values revert; later edits of those fields now build on the server's
// value. m.mu held.
func (m *Model) reject(st *fileState, ae *api.Error) {
	e := &st.Entries[0]
	refused := map[string]*api.Reason{}
	for f := range e.Set {
		if why, ok := ae.Fields[f]; ok {
			refused[f] = why
		}
	}
	if len(refused) == 0 {
		for f := range e.Set {
			refused[f] = cmp.Or(ae.Reason, api.Because(api.ReasonRefused))
		}
	}
	srv := resources[e.Kind].values(&st.Me)
	for f := range refused {
		delete(e.Set, f)
		delete(e.Before, f)
		for j := range st.Entries[1:] {
			later := &st.Entries[j+1]
			if _, ok := later.Set[f]; ok && later.Kind == e.Kind {
				later.Before[f] = srv[f]
				break
			}
		}
	}
	e.Key = client.NewIdempotencyKey()
	if len(e.Set) == 0 {
		st.Entries = st.Entries[1:]
	}
	if m.fieldErrs == nil {
		m.fieldErrs = map[string]*api.Reason{}
	}
	for f, why := range refused {
		m.fieldErrs[f] = why
	}
	m.log.Info("account: the server refused an edit", "fields", slices.Sorted(maps.Keys(refused)), "err", ae)
}

func sortedFields(set map[string]json.RawMessage) []string {
	fs := make([]string, 0, len(set))
	for f := range set {
		fs = append(fs, f)
	}
	sort.Strings(fs)
	return fs
}
