// Package account is the app's model of the signed-in account: the state
// the UI shows, edits applied at once and kept in a durable outbox until the
// server has them, the sync status, and the session in the OS keyring.
//
// Nothing the UI calls to read or edit the account waits on the disk or
// the network: edits change the state in memory and return, and the model's
// own goroutines write the outbox (persist.go) and talk to the server
// (sync.go). Methods that take a context are the exception: they wait on
// the server or the keyring.
//
// It must not import fyne.io/...: callbacks come from background goroutines
// and the UI marshals them itself.
package account

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/api/client"
)

// Config wires a Model.
type Config struct {
	DataDir string         // holds the outbox files; created 0700 if missing
	Client  *client.Client // the model installs its token hook on it
	Keyring Keyring        // nil: the OS keyring
	Server  string         // base URL; the keyring item is keyed by it. Empty: Client.BaseURL()
	Logger  *slog.Logger
	// CreateFile opens an outbox's temporary file for writing; nil: the
	// OS's file system. Tests make the disk slow or full with it.
	CreateFile func(name string) (OutboxFile, error)

	KeyringTimeout time.Duration // per keyring call; 0: DefaultKeyringTimeout
	PollInterval   time.Duration // refetch the account when idle; 0: one minute
	RetryMin       time.Duration // sync backoff after a failure; 0: one second
	RetryMax       time.Duration // cap of the sync backoff; 0: 30 seconds
}

// SyncKind summarises the outbox.
type SyncKind int

const (
	Synced     SyncKind = iota // nothing pending, server reachable
	Pending                    // edits waiting to be sent
	Offline                    // the server cannot be reached; edits wait
	Conflicted                 // someone else changed a field the user edited; see Conflicts
	Error                      // the last attempt failed for another reason (Err)
)

func (k SyncKind) String() string {
	return [...]string{"synced", "pending", "offline", "conflict", "error"}[k]
}

// SyncState is the observable state of the outbox.
type SyncState struct {
	Kind    SyncKind
	Pending int   // edits not yet acknowledged
	Err     error // why Offline or Error
}

// Change says what changed; subscribers re-read what they show.
type Change uint8

const (
	MeChanged Change = 1 << iota
	SyncChanged
	ConflictsChanged
	SessionChanged     // signed in or out, or the server ended the session
	FieldErrorsChanged // the server refused an edit; see FieldErrors
)

// Conflict is a field the user changed while it was changed elsewhere.
type Conflict struct {
	ID     string // pass to Resolve
	Kind   string // KindProfile or KindNotifications
	Field  string // JSON field name, e.g. "display_name"
	Local  string // the user's value, for display
	Server string // the value saved elsewhere
	At     time.Time
}

// Model is the signed-in account. Its methods are safe for concurrent use;
// those taking a context talk to the server or the keyring and must not run
// on the UI goroutine.
type Model struct {
	cfg Config
	c   *client.Client
	kr  timedKeyring
	log *slog.Logger

	mu         sync.Mutex
	st         *fileState // nil when signed out
	store      *store
	local      api.Me // st.Me with pending edits and conflicts applied
	userID     string
	gen        uint64 // bumped on every sign-in and sign-out
	keyringErr error
	syncErr    error // last network failure, cleared by a success
	saveErr    error // last failed write of the outbox, cleared by a success
	needFetch  bool
	lastFetch  time.Time
	failures   int
	// backoffUntil holds edits from waking the loop during a backoff.
	backoffUntil time.Time
	fieldErrs    map[string]*api.Reason
	subs         map[int]func(Change)
	nextSub      int
	pending      Change

	// The persister writes st after every change (persist.go): ver counts
	// the changes; the newest written is savedVer, the newest tried
	// triedVer. Entries from savedSeq on and the conflicts in settled are
	// the user's edits not yet on disk, which a failed write reverts.
	ver, savedVer, triedVer uint64
	savedSeq                uint64
	ackVer                  uint64 // the sync loop's last acknowledgement
	settled                 []settledConflict
	persisted               *sync.Cond // on mu: an attempt has ended
	persistCh               chan struct{}
	persistStop             chan struct{}
	persistDone             bool
	saveMu                  sync.Mutex // held while an outbox file is written

	ctx       context.Context // cancelled by Close
	cancel    context.CancelFunc
	notifyCh  chan struct{}
	wake      chan struct{}
	closed    chan struct{}
	closeOnce sync.Once
	wg        sync.WaitGroup // the sync loop and dispatch
	persistWG sync.WaitGroup // the persister, which outlives them
}

// Open prepares the data directory and starts the sync loop. The model is
// signed out until Restore or SignIn succeeds.
func Open(cfg Config) (*Model, error) {
	if cfg.Client == nil {
		return nil, errors.New("account: no client")
	}
	if cfg.DataDir == "" {
		return nil, errors.New("account: no data directory")
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("account: data directory: %w", err)
	}
	if cfg.Server == "" {
		cfg.Server = cfg.Client.BaseURL()
	}
	if cfg.Keyring == nil {
		cfg.Keyring = OSKeyring{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.KeyringTimeout <= 0 {
		cfg.KeyringTimeout = DefaultKeyringTimeout
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = time.Minute
	}
	if cfg.RetryMin <= 0 {
		cfg.RetryMin = time.Second
	}
	if cfg.RetryMax < cfg.RetryMin {
		cfg.RetryMax = max(cfg.RetryMin, 30*time.Second)
	}
	m := &Model{
		cfg:         cfg,
		c:           cfg.Client,
		kr:          timedKeyring{cfg.Keyring, cfg.KeyringTimeout},
		log:         cfg.Logger,
		subs:        map[int]func(Change){},
		notifyCh:    make(chan struct{}, 1),
		wake:        make(chan struct{}, 1),
		closed:      make(chan struct{}),
		persistCh:   make(chan struct{}, 1),
		persistStop: make(chan struct{}),
	}
	m.persisted = sync.NewCond(&m.mu)
	m.ctx, m.cancel = context.WithCancel(context.Background())
	m.c.OnTokens(m.tokensChanged)
	m.wg.Add(2)
	go m.dispatch()
	go m.loop()
	m.persistWG.Add(1)
	go m.persist()
	return m, nil
}

// Close stops the sync loop and the notifications, then writes what the
// outbox does not hold yet. Pending edits stay in it for the next start.
func (m *Model) Close() error {
	m.closeOnce.Do(func() {
		close(m.closed)
		m.cancel()
		m.c.OnTokens(nil)
		m.wg.Wait()
		close(m.persistStop)
	})
	m.persistWG.Wait()
	return nil
}

func (m *Model) newStore(userID string) *store {
	return newStore(m.cfg.DataDir, m.cfg.Server, userID, m.cfg.CreateFile)
}

// Me is the account as the user sees it: the server's state with pending
// edits and unresolved conflicts (the user's side) applied.
func (m *Model) Me() api.Me {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.local
}

// recompute derives the local view; m.mu held.
func (m *Model) recompute() {
	if m.st == nil {
		m.local = api.Me{}
		return
	}
	me := cloneMe(m.st.Me)
	for _, e := range m.st.Entries {
		resources[e.Kind].apply(&me, e.Set)
	}
	for _, c := range m.st.Conflicts {
		resources[c.Kind].apply(&me, map[string]json.RawMessage{c.Field: c.Local})
	}
	m.local = me
}

// cloneMe copies the slices of me so the local view never aliases the
// confirmed state.
func cloneMe(me api.Me) api.Me {
	me.User.Permissions = slices.Clone(me.User.Permissions)
	me.Profile.AdminInfo = slices.Clone(me.Profile.AdminInfo)
	me.Profile.ExtraInfo = slices.Clone(me.Profile.ExtraInfo)
	me.Org.ReasonCodes = slices.Clone(me.Org.ReasonCodes)
	return me
}

// Sync reports the outbox state.
func (m *Model) Sync() SyncState {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.syncState()
}

func (m *Model) syncState() SyncState {
	if m.st == nil {
		return SyncState{Kind: Error, Err: api.ErrUnauthorized}
	}
	s := SyncState{Pending: len(m.st.Entries), Err: m.syncErr}
	var te *client.TransportError
	switch {
	case len(m.st.Conflicts) > 0:
		s.Kind = Conflicted
	case m.saveErr != nil:
		// Before Offline: edits the disk cannot hold are lost, not waiting.
		s.Kind, s.Err = Error, m.saveErr
	case errors.As(m.syncErr, &te):
		s.Kind = Offline
	case m.syncErr != nil:
		s.Kind = Error
	case s.Pending > 0:
		s.Kind = Pending
	default:
		s.Kind = Synced
	}
	return s
}

// FieldErrors are the server's reasons for edits it refused, keyed by JSON
// field name. The refused values have been reverted. A field's reason is
// cleared when the user edits it again.
func (m *Model) FieldErrors() map[string]*api.Reason {
	m.mu.Lock()
	defer m.mu.Unlock()
	return maps.Clone(m.fieldErrs)
}

// Subscribe calls fn from a background goroutine whenever the account, the
// sync state, the conflicts or the session change. Calls are serialised and
// coalesced. cancel stops them.
func (m *Model) Subscribe(fn func(Change)) (cancel func()) {
	m.mu.Lock()
	id := m.nextSub
	m.nextSub++
	m.subs[id] = fn
	m.mu.Unlock()
	return func() {
		m.mu.Lock()
		delete(m.subs, id)
		m.mu.Unlock()
	}
}

// notify queues c for the subscribers; m.mu held.
func (m *Model) notify(c Change) {
	m.pending |= c
	poke(m.notifyCh)
}

func (m *Model) dispatch() {
	defer m.wg.Done()
	for {
		select {
		case <-m.closed:
			return
		case <-m.notifyCh:
		}
		m.mu.Lock()
		c := m.pending
		m.pending = 0
		ids := slices.Sorted(maps.Keys(m.subs))
		fns := make([]func(Change), 0, len(ids))
		for _, id := range ids {
			fns = append(fns, m.subs[id])
		}
		m.mu.Unlock()
		for _, fn := range fns {
			fn(c)
		}
	}
}

// kick wakes the sync loop.
func (m *Model) kick() { poke(m.wake) }

// poke signals a goroutine waiting on ch, or leaves the signal it has not
// taken yet: signals coalesce.
func poke(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// Client is the API client, for the account's online-only operations
// (sessions, password, email and mobile changes, photos, plan, API key).
// Call Refresh after those that change what Me shows.
func (m *Model) Client() *client.Client { return m.c }

// Refresh refetches the account from the server now.
func (m *Model) Refresh(ctx context.Context) error {
	m.mu.Lock()
	gen, in := m.gen, m.st != nil
	m.mu.Unlock()
	if !in {
		return ErrSignedOut
	}
	me, err := m.c.Me(ctx)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if gen != m.gen || m.st == nil {
		return ErrSignedOut
	}
	next := m.st.clone()
	next.Me = me
	m.lastFetch = time.Now()
	m.commit(next, MeChanged)
	m.succeeded()
	return nil
}

// SetStatus changes the availability on the server at once. Unlike edits it
// is not queued: presence must reflect the present, so offline it fails.
// A change made elsewhere meanwhile is overridden: the user's choice is the
// latest.
func (m *Model) SetStatus(ctx context.Context, u api.StatusUpdate) error {
	return m.statusCall(ctx, func(codes []api.ReasonCode) error {
		if fields := api.ValidateStatus(u, codes); fields != nil {
			return api.Invalid(fields)
		}
		return nil
	}, func(version int64) (api.Status, error) { return m.c.SetStatus(ctx, version, u) })
}

// ExtendStatus adds minutes to the running status timer, at once like
// SetStatus.
func (m *Model) ExtendStatus(ctx context.Context, minutes int) error {
	return m.statusCall(ctx, func([]api.ReasonCode) error {
		if fields := api.ValidateExtend(api.StatusExtend{Minutes: minutes}); fields != nil {
			return api.Invalid(fields)
		}
		return nil
	}, func(version int64) (api.Status, error) { return m.c.ExtendStatus(ctx, version, minutes) })
}

// statusCall checks a status change against the org's reason codes, sends
// it at the status version (again at the server's version if another change
// came first) and keeps the answer.
func (m *Model) statusCall(ctx context.Context, check func([]api.ReasonCode) error, send func(version int64) (api.Status, error)) error {
	m.mu.Lock()
	gen, in := m.gen, m.st != nil
	var version int64
	var codes []api.ReasonCode
	if in {
		version, codes = m.st.Me.Status.Version, m.st.Me.Org.ReasonCodes
	}
	m.mu.Unlock()
	if !in {
		return ErrSignedOut
	}
	if err := check(codes); err != nil {
		return err
	}
	s, err := send(version)
	if errors.Is(err, api.ErrStale) {
		var cur api.Status
		if cur, err = m.c.Status(ctx); err == nil {
			s, err = send(cur.Version)
		}
	}
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if gen != m.gen || m.st == nil {
		return ErrSignedOut
	}
	next := m.st.clone()
	next.Me.Status = s
	m.commit(next, MeChanged)
	return nil
}
