package account

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/api/client"
)

// Restore resumes the session saved in the keyring. It reports false when
// there is none, the keyring is unavailable (see KeyringProblem) or the
// server has ended it. With the server unreachable it resumes from the
// outbox file, offline.
func (m *Model) Restore(ctx context.Context) (bool, error) {
	sess, ok, err := m.kr.load(m.cfg.Server)
	m.setKeyringErr(err)
	if !ok {
		return false, nil
	}
	m.mu.Lock()
	m.userID = sess.UserID
	m.mu.Unlock()
	m.c.SetTokens(sess.Tokens)

	me, err := m.c.Me(ctx)
	switch {
	case err == nil:
		if me.User.ID != sess.UserID {
			return false, m.abandon(fmt.Errorf("account: the saved session belongs to another user"))
		}
		return true, m.begin(me, false)
	case errors.Is(err, api.ErrUnauthorized):
		// The server ended the session while the app was closed.
		return false, m.abandon(nil)
	case client.IsTransient(err) || ctx.Err() != nil:
		st, lerr := m.newStore(sess.UserID).load()
		if lerr != nil || st == nil {
			m.c.SetTokens(api.Tokens{})
			return false, err
		}
		m.install(st, m.newStore(sess.UserID), true, err)
		return true, nil
	default:
		m.c.SetTokens(api.Tokens{})
		return false, err
	}
}

// abandon forgets a saved session that cannot be used.
func (m *Model) abandon(err error) error {
	m.c.SetTokens(api.Tokens{})
	m.setKeyringErr(m.kr.remove(m.cfg.Server))
	return err
}

// SignIn opens a session with a username or email address and password.
// An account with a second factor fails with api.CodeSecondFactorRequired
// (see api.ChallengeOf and SignInSecondFactor), unless this device is
// remembered.
func (m *Model) SignIn(ctx context.Context, login, password, device string) error {
	req := api.SignInRequest{Login: login, Password: password, Device: device, DeviceToken: m.kr.loadDevice(m.cfg.Server)}
	if _, err := m.c.SignIn(ctx, req); err != nil {
		return err
	}
	return m.signedIn(ctx)
}

// signedIn loads the account of the tokens just installed, opens its
// outbox and keeps the session in the keyring.
func (m *Model) signedIn(ctx context.Context) error {
	me, err := m.c.Me(ctx)
	if err != nil {
		_ = m.c.SignOut(context.WithoutCancel(ctx))
		return err
	}
	m.mu.Lock()
	m.userID = me.User.ID
	m.mu.Unlock()
	if err := m.begin(me, true); err != nil {
		_ = m.c.SignOut(context.WithoutCancel(ctx))
		return err
	}
	// The tokens as they are now: loading Me may have refreshed them.
	m.setKeyringErr(m.kr.save(m.cfg.Server, savedSession{UserID: me.User.ID, Tokens: m.c.Tokens()}))
	return nil
}

// begin opens the account's outbox with the server's fresh state.
func (m *Model) begin(me api.Me, fresh bool) error {
	s := m.newStore(me.User.ID)
	st, err := s.load()
	if err != nil {
		// Keep the unreadable file for diagnosis and start over.
		m.log.Error("account: outbox unreadable, starting a new one", "err", err)
		_ = os.Rename(s.path, s.path+".corrupt-"+time.Now().UTC().Format("20060102T150405"))
		st = nil
	}
	if st == nil {
		st = &fileState{Server: m.cfg.Server, UserID: me.User.ID, NextSeq: 1}
	}
	st.Me = me
	m.saveMu.Lock()
	err = s.save(st)
	m.saveMu.Unlock()
	if err != nil {
		if fresh {
			return err
		}
		m.log.Error("account: saving outbox", "err", err)
	}
	m.install(st, s, err == nil, nil)
	return nil
}

// install makes st the session's state; saved says whether the outbox
// file s holds it.
func (m *Model) install(st *fileState, s *store, saved bool, syncErr error) {
	m.mu.Lock()
	m.st, m.store = st, s
	m.gen++
	m.ver++
	m.triedVer, m.savedSeq, m.settled = m.ver, st.NextSeq, nil
	if saved {
		m.savedVer = m.ver
	}
	m.syncErr, m.saveErr = syncErr, nil
	m.needFetch = syncErr != nil
	m.lastFetch = time.Now()
	m.failures, m.backoffUntil = 0, time.Time{}
	m.fieldErrs = nil
	m.recompute()
	m.notify(MeChanged | SyncChanged | ConflictsChanged | SessionChanged | FieldErrorsChanged)
	m.mu.Unlock()
	m.kick()
}

// SignOut ends the session on the server, removes it from the keyring and
// forgets the local state. Unsent edits stay in the outbox and are sent
// when this user signs in again. The server's answer is returned, but the
// app is signed out either way.
func (m *Model) SignOut(ctx context.Context) error {
	err := m.c.SignOut(ctx)
	if errors.Is(err, api.ErrUnauthorized) {
		err = nil
	}
	m.endSession()
	return err
}

// endSession forgets the session locally, once its edits are on disk.
func (m *Model) endSession() {
	_ = m.flush()
	m.c.SetTokens(api.Tokens{})
	m.setKeyringErr(m.kr.remove(m.cfg.Server))
	m.mu.Lock()
	m.st, m.store, m.userID = nil, nil, ""
	m.gen++
	m.syncErr, m.saveErr, m.fieldErrs = nil, nil, nil
	m.failures, m.backoffUntil = 0, time.Time{}
	m.local = api.Me{}
	m.notify(MeChanged | SyncChanged | ConflictsChanged | SessionChanged | FieldErrorsChanged)
	m.mu.Unlock()
}

// tokensChanged is the client's hook: save rotated tokens, or end the
// session the server refused.
func (m *Model) tokensChanged(t api.Tokens) {
	if t.AccessToken == "" {
		m.log.Info("account: the server ended the session")
		m.endSession()
		return
	}
	m.mu.Lock()
	uid := m.userID
	m.mu.Unlock()
	if uid != "" {
		m.setKeyringErr(m.kr.save(m.cfg.Server, savedSession{UserID: uid, Tokens: t}))
	}
}

func (m *Model) setKeyringErr(err error) {
	var ke *KeyringError
	if err != nil && !errors.As(err, &ke) {
		return
	}
	m.mu.Lock()
	changed := (m.keyringErr == nil) != (err == nil)
	m.keyringErr = err
	if changed {
		m.notify(SessionChanged)
	}
	m.mu.Unlock()
	if err != nil {
		m.log.Warn("account: keyring unavailable; the session is kept in memory only", "err", err)
	}
}

// KeyringProblem is non-nil when the OS keyring could not be used: the
// session is then kept in memory only.
func (m *Model) KeyringProblem() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.keyringErr
}

// SignedIn reports whether there is a session.
func (m *Model) SignedIn() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.st != nil
}
