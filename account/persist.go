package account

import (
	"errors"
	"slices"
)

// Writing the outbox
//
// Every change of the state (an edit, or the sync loop's progress) takes
// effect in memory at once and wakes the persister, which writes the whole
// state as it is then (only signing in writes the first state itself;
// saveMu keeps the two apart). The caller never waits on the disk, and
// edits made during a slow write go into the next one together. Until its
// write succeeds an edit is neither sent to the server (the sync loop
// sends entries below savedSeq only) nor settled against it, so a failed
// write can take it back: every user edit not on disk reverts and Sync
// reports the error. A failed write of the sync loop's progress only
// reports: the server already has it, and the next write saves it.

// settledConflict is a conflict a user edit removed, kept until the
// removal is on disk so that a failed write can restore it.
type settledConflict struct {
	ver uint64
	c   conflict
}

// errClosed is flush's answer once the persister has stopped.
var errClosed = errors.New("account: closed")

// commit makes next the state: the view and the subscribers follow at
// once and the persister writes it. m.mu held.
func (m *Model) commit(next *fileState, c Change) {
	m.st = next
	m.ver++
	m.recompute()
	m.notify(c)
	poke(m.persistCh)
}

// persist writes the state after changes until Close, then once more.
func (m *Model) persist() {
	defer m.persistWG.Done()
	for {
		stop := false
		select {
		case <-m.persistCh:
		case <-m.persistStop:
			stop = true
		}
		for m.writeOnce() {
		}
		if stop {
			m.mu.Lock()
			m.persistDone = true
			m.persisted.Broadcast()
			m.mu.Unlock()
			return
		}
	}
}

// writeOnce writes the state if it changed since the last attempt, and
// reports whether it tried.
func (m *Model) writeOnce() bool {
	m.mu.Lock()
	if m.st == nil || m.ver <= m.triedVer {
		m.mu.Unlock()
		return false
	}
	st, s, ver, gen := m.st, m.store, m.ver, m.gen
	m.mu.Unlock()

	// st is never changed in place: every change commits a clone.
	m.saveMu.Lock()
	err := s.save(st)
	m.saveMu.Unlock()

	m.mu.Lock()
	defer m.mu.Unlock()
	defer m.persisted.Broadcast()
	m.triedVer = max(m.triedVer, ver)
	if gen != m.gen {
		return true
	}
	if err != nil {
		m.log.Error("account: saving outbox", "err", err)
		m.saveErr = err
		m.notify(SyncChanged | m.revertUnsaved())
		// The reverted state is what the failed write leaves on disk,
		// plus any sync progress: the next change writes it.
		m.triedVer = m.ver
		m.kick()
		return true
	}
	m.savedVer, m.savedSeq = ver, st.NextSeq
	i := 0
	for i < len(m.settled) && m.settled[i].ver <= ver {
		i++
	}
	m.settled = m.settled[i:]
	if m.saveErr != nil {
		m.saveErr = nil
		m.notify(SyncChanged)
	}
	m.kick()
	return true
}

// revertUnsaved takes back the user's edits that are not on disk after a
// write failed, and returns what changed. m.mu held.
func (m *Model) revertUnsaved() Change {
	next := m.st.clone()
	next.Entries = slices.DeleteFunc(next.Entries, func(e entry) bool { return e.Seq >= m.savedSeq })
	var c Change
	if len(next.Entries) != len(m.st.Entries) {
		c |= MeChanged
	}
	for _, s := range m.settled {
		if conflictIndex(next, s.c.Kind, s.c.Field) < 0 {
			next.Conflicts = append(next.Conflicts, s.c)
			c |= MeChanged | ConflictsChanged
		}
	}
	m.settled = nil
	if c == 0 {
		return 0
	}
	m.log.Info("account: reverted the edits the outbox could not hold")
	m.st = next
	m.ver++
	m.recompute()
	return c
}

// flush waits until the state as it is now has been tried on disk, and
// returns that attempt's error: nil means it is durable.
func (m *Model) flush() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	target := m.ver
	for m.st != nil && m.savedVer < target && m.triedVer < target && !m.persistDone {
		m.persisted.Wait()
	}
	switch {
	case m.savedVer >= target:
		return nil
	case m.triedVer >= target:
		return m.saveErr
	case m.st == nil:
		return ErrSignedOut
	}
	return errClosed
}
