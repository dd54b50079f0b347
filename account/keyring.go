package account

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/zalando/go-keyring"
)

// Keyring stores secrets; go-keyring's package functions have this shape.
// Get returns keyring.ErrNotFound when there is no item; any other error
// means the keyring is unavailable.
type Keyring interface {
	Get(service, user string) (string, error)
	Set(service, user, secret string) error
	Delete(service, user string) error
}

// KeyringService is the service name of the session items; the user name is
// the server's base URL.
const KeyringService = "phoneset"

// DefaultKeyringTimeout bounds every keyring call: a locked keyring may sit
// on an unlock prompt.
const DefaultKeyringTimeout = 10 * time.Second

// OSKeyring is the operating system's keyring (Secret Service, Keychain,
// Windows Credential Manager).
type OSKeyring struct{}

func (OSKeyring) Get(service, user string) (string, error) { return keyring.Get(service, user) }
func (OSKeyring) Set(service, user, s string) error        { return keyring.Set(service, user, s) }
func (OSKeyring) Delete(service, user string) error        { return keyring.Delete(service, user) }

// ErrKeyringTimeout is returned when the keyring does not answer in time.
var ErrKeyringTimeout = errors.New("the keyring did not answer in time")

// KeyringError says the keyring could not be used; the session then lives
// in memory only and ends with the app.
type KeyringError struct{ Err error }

func (e *KeyringError) Error() string {
	return "the system keyring is unavailable, so you will need to sign in again next time: " + e.Err.Error()
}
func (e *KeyringError) Unwrap() error { return e.Err }

// savedSession is the keyring item's secret.
type savedSession struct {
	UserID string     `json:"user_id"`
	Tokens api.Tokens `json:"tokens"`
}

// timedKeyring runs each call in its own goroutine so a blocked keyring
// cannot hang the caller; a late answer is dropped.
type timedKeyring struct {
	k       Keyring
	timeout time.Duration
}

func (t timedKeyring) run(f func() (string, error)) (string, error) {
	type result struct {
		s   string
		err error
	}
	ch := make(chan result, 1)
	go func() {
		s, err := f()
		ch <- result{s, err}
	}()
	timer := time.NewTimer(t.timeout)
	defer timer.Stop()
	select {
	case r := <-ch:
		return r.s, r.err
	case <-timer.C:
		return "", ErrKeyringTimeout
	}
}

// load returns the saved session; ok is false when there is none.
func (t timedKeyring) load(server string) (s savedSession, ok bool, err error) {
	raw, err := t.run(func() (string, error) { return t.k.Get(KeyringService, server) })
	if errors.Is(err, keyring.ErrNotFound) {
		return s, false, nil
	}
	if err != nil {
		return s, false, &KeyringError{err}
	}
	if json.Unmarshal([]byte(raw), &s) != nil || s.UserID == "" || s.Tokens.AccessToken == "" {
		// Unreadable: not ours to use. Drop it rather than fail every start.
		_ = t.remove(server)
		return savedSession{}, false, nil
	}
	return s, true, nil
}

func (t timedKeyring) save(server string, s savedSession) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	_, err = t.run(func() (string, error) { return "", t.k.Set(KeyringService, server, string(b)) })
	if err != nil {
		return &KeyringError{err}
	}
	return nil
}

func (t timedKeyring) remove(server string) error {
	_, err := t.run(func() (string, error) { return "", t.k.Delete(KeyringService, server) })
	if err != nil && !errors.Is(err, keyring.ErrNotFound) {
		return &KeyringError{fmt.Errorf("removing the session: %w", err)}
	}
	return nil
}

// deviceItem is the keyring user name of the server's remembered-device
// token, which skips the second factor on this computer.
func deviceItem(server string) string { return "device " + server }

// loadDevice returns the remembered-device token, or "" when there is
// none or the keyring cannot say.
func (t timedKeyring) loadDevice(server string) string {
	tok, err := t.run(func() (string, error) { return t.k.Get(KeyringService, deviceItem(server)) })
	if err != nil {
		return ""
	}
	return tok
}

func (t timedKeyring) saveDevice(server, token string) error {
	_, err := t.run(func() (string, error) { return "", t.k.Set(KeyringService, deviceItem(server), token) })
	if err != nil {
		return &KeyringError{err}
	}
	return nil
}
