// Package server is Phoneset's account backend: the /v1 HTTP API of
// api/openapi.yaml over a SQLite or PostgreSQL store, with password and
// token security, auditing, image intake and mail/SMS delivery.
//
// Several Server processes may share one PostgreSQL database: every check
// that must agree between them (sessions, versions, rate limits, usage) is
// made in the database.
package server

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server/mail"
	"github.com/phoneset/phoneset/server/store"
)

// Config configures a Server. The zero value (plus DataDir) is a working
// development server on SQLite.
type Config struct {
	// DB is "" (SQLite file phoneset.db in DataDir), "sqlite:PATH", a file
	// path, or a postgres:// URL.
	DB string
	// DataDir holds the default SQLite file and the generated secret key.
	DataDir string
	Logger  *slog.Logger

	// Mail and SMS deliver messages. When nil, messages go to the
	// development outbox (Server.Outbox).
	Mail mail.Sender
	SMS  mail.Sender
	// DevOutbox logs outbox messages with their bodies (codes and links
	// included) and serves GET /v1/dev/outbox. For development only.
	DevOutbox bool

	// PublicURL is the base of links in emails, e.g. https://phoneset.example.
	// Empty means the address of the request that caused the email.
	PublicURL string
	// GravatarBaseURL is where avatars are imported from by email hash;
	// default https://www.gravatar.com/avatar/.
	GravatarBaseURL string
	// HTTPClient fetches Gravatar images; default has a 10 s timeout.
	HTTPClient *http.Client

	// Secret seals API keys so they can be revealed again. Processes that
	// share a database must share it. Empty: read or create
	// DataDir/secret.key.
	Secret []byte

	// TrustForwardedFor takes the client address from X-Forwarded-For's
	// last hop; set it only behind a reverse proxy that sets the header.
	TrustForwardedFor bool

	// Hash sets the argon2id cost of new password hashes; zero means
	// DefaultHashParams. Tests lower it to keep sign-ins fast.
	Hash HashParams

	// OIDC signs members in through their organisation's OpenID Connect
	// provider (server/sso.New); nil means this server offers no single
	// sign-on.
	OIDC OIDC
	// DNS is the host:port of the DNS server that proves organisations'
	// email domains (TXT lookups); empty means the system's resolver.
	DNS string

	// Now replaces the clock in tests.
	Now func() time.Time
	// TimerTick is how often the server ends due status timers: a timed
	// status ends at most this late. Zero means one second; negative
	// means never (tests call EndStatusTimers).
	TimerTick time.Duration

	// LiveStreamsPerUser and LiveStreamsPerOrg cap the event streams
	// (GET /v1/me/events) one process holds open for an account and for
	// an organisation; zero means 5 and 20000.
	LiveStreamsPerUser, LiveStreamsPerOrg int
	// LiveRecheck is how often an open stream checks that its session
	// still holds and whom it may see; zero means 15 s.
	LiveRecheck time.Duration
}

// Server is the account backend.
type Server struct {
	cfg    Config
	log    *slog.Logger
	st     *store.Store
	outbox *mail.Outbox
	mail   mail.Sender
	sms    mail.Sender
	seal   *sealer
	dns    *net.Resolver
	hash   HashParams
	now    func() time.Time

	handler http.Handler
	meCache *meCache
	usage   *usageMeter
	// live is the open event streams; liveRecheck is Config.LiveRecheck.
	live        *hub
	liveRecheck time.Duration
	// dummy is a hash verified when a login names nobody, so timing does not
	// tell; made on first use, as hashing costs the app's start-up ~50 ms.
	dummy func() string

	// base is the context of every served request; cancelling it cuts
	// the requests a shutdown could not drain.
	base       context.Context
	cancelBase context.CancelFunc
	inFlight   atomic.Int64 // served requests whose handler runs

	mu       sync.Mutex
	httpSrvs []*http.Server
	stopping bool // Shutdown has begun: serve nothing new
	closed   bool
	stop     chan struct{}
	bg       sync.WaitGroup
}

// Open opens the database, applies migrations and prepares the handler.
func Open(ctx context.Context, cfg Config) (*Server, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.DataDir == "" {
		cfg.DataDir = "."
	}
	st, err := store.Open(ctx, cfg.DB, cfg.DataDir, log)
	if err != nil {
		return nil, err
	}
	secret := cfg.Secret
	if len(secret) == 0 {
		secret, err = loadSecret(filepath.Join(cfg.DataDir, "secret.key"))
		if err != nil {
			st.Close()
			return nil, err
		}
	}
	seal, err := newSealer(secret)
	if err != nil {
		st.Close()
		return nil, err
	}
	dns, err := newResolver(cfg.DNS)
	if err != nil {
		st.Close()
		return nil, err
	}
	s := &Server{
		cfg: cfg, log: log, st: st, seal: seal, dns: dns, now: cfg.Now,
		outbox:  &mail.Outbox{Log: log, ShowBodies: cfg.DevOutbox},
		hash:    cfg.Hash,
		meCache: newMeCache(4096),
		stop:    make(chan struct{}),
	}
	s.base, s.cancelBase = context.WithCancel(context.Background())
	if s.now == nil {
		s.now = time.Now
	}
	if s.hash == (HashParams{}) {
		s.hash = DefaultHashParams
	}
	s.mail, s.sms = cfg.Mail, cfg.SMS
	if s.mail == nil {
		s.mail = s.outbox
	}
	if s.sms == nil {
		s.sms = s.outbox
	}
	if (cfg.Mail == nil || cfg.SMS == nil) && !cfg.DevOutbox {
		log.Warn("no email or SMS sender configured: those messages stay in the in-memory outbox and are never delivered",
			"email", cfg.Mail != nil, "sms", cfg.SMS != nil)
	}
	s.logBadNames(ctx)
	s.logUnprovenSSO(ctx)
	if s.cfg.GravatarBaseURL == "" {
		s.cfg.GravatarBaseURL = "https://www.gravatar.com/avatar/"
	}
	if s.cfg.HTTPClient == nil {
		s.cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	s.dummy = sync.OnceValue(func() string { return hashPassword("not a real password", s.hash) })
	s.usage = newUsageMeter(s)
	s.live, s.liveRecheck = newHub(cfg.LiveStreamsPerUser, cfg.LiveStreamsPerOrg), cfg.LiveRecheck
	if s.liveRecheck <= 0 {
		s.liveRecheck = defaultLiveRecheck
	}
	s.handler = s.routes()
	s.bg.Add(2)
	go s.housekeeping()
	listening := make(chan struct{})
	go s.listenLive(listening)
	// Serve once changes made through other processes are heard; a
	// database that is slow to answer delays that no longer than this.
	select {
	case <-listening:
	case <-time.After(10 * time.Second):
		log.Warn("not yet listening for other processes' status changes; streams catch up once it does")
	}
	if cfg.TimerTick >= 0 {
		s.bg.Add(1)
		go s.statusTimers(cmp.Or(cfg.TimerTick, time.Second))
	}
	return s, nil
}

// Handler is the whole HTTP API.
func (s *Server) Handler() http.Handler { return s.handler }

// Store exposes the database for tests and tools.
func (s *Server) Store() *store.Store { return s.st }

// Outbox is the development outbox: every message when no Mail or SMS
// sender is configured.
func (s *Server) Outbox() *mail.Outbox { return s.outbox }

// Serve answers HTTP on ln until Close. Put TLS in front of it (or use
// ServeTLS) for anything but loopback.
func (s *Server) Serve(ln net.Listener) error {
	hs, err := s.newHTTPServer()
	if err != nil {
		return err
	}
	return hs.Serve(ln)
}

// ServeTLS is Serve with TLS from a certificate and key file.
func (s *Server) ServeTLS(ln net.Listener, certFile, keyFile string) error {
	hs, err := s.newHTTPServer()
	if err != nil {
		return err
	}
	return hs.ServeTLS(ln, certFile, keyFile)
}

func (s *Server) newHTTPServer() (*http.Server, error) {
	hs := &http.Server{
		Handler:           s.countInFlight(s.handler),
		BaseContext:       func(net.Listener) context.Context { return s.base },
		ConnContext:       withConn,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second, // a 5 MB upload on a slow link
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopping {
		return nil, http.ErrServerClosed
	}
	s.httpSrvs = append(s.httpSrvs, hs)
	return hs, nil
}

func (s *Server) countInFlight(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.inFlight.Add(1)
		defer s.inFlight.Add(-1)
		h.ServeHTTP(w, r)
	})
}

// Shutdown stops accepting connections and lets the requests in flight
// finish until ctx ends. Then it cuts the rest: their contexts are
// cancelled, so their transactions roll back, and their connections
// close. It logs one line and returns how many requests it cut; later
// calls do nothing.
//
// A connection that has not sent a request cuts nothing: net/http waits
// 5-6 s for its first request (go.dev/issue/22682), which ctx may end
// sooner without harm.
func (s *Server) Shutdown(ctx context.Context) (cut int) {
	start := time.Now()
	s.mu.Lock()
	again := s.stopping
	s.stopping = true
	srvs := s.httpSrvs
	s.mu.Unlock()
	if again {
		return 0
	}
	// Event streams never finish by themselves: end them (their clients
	// resume on another server) so the drain waits for real requests only.
	s.live.endAll(api.CodeResync, true)
	for _, hs := range srvs {
		if err := hs.Shutdown(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("shutdown", "err", err)
		}
	}
	if ctx.Err() != nil {
		// Close first, so that no cut request is answered with the error
		// its cancelled handler returns: a cut request gets no answer.
		cut = int(s.inFlight.Load())
		for _, hs := range srvs {
			hs.Close()
		}
		s.cancelBase()
	}
	if cut > 0 {
		s.log.Warn("drain cut short: requests in flight cancelled", "cut", cut, "took", time.Since(start).Round(time.Millisecond))
	} else {
		s.log.Info("drained", "cut", 0, "took", time.Since(start).Round(time.Millisecond))
	}
	// Give the cut handlers, which see their contexts end, a moment to
	// return and roll back before the database closes. net/http polls
	// its connections alike.
	for limit := time.Now().Add(5 * time.Second); s.inFlight.Load() > 0 && time.Now().Before(limit); {
		time.Sleep(10 * time.Millisecond)
	}
	return cut
}

// Close stops serving (Shutdown, giving requests in flight five seconds
// unless Shutdown ran before), flushes usage counters and closes the
// database.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.Shutdown(ctx)
	close(s.stop)
	s.bg.Wait()
	fctx, fcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer fcancel()
	return errors.Join(s.usage.flush(fctx), s.st.Close())
}

// housekeeping flushes usage counters often and prunes expired rows now
// and then.
func (s *Server) housekeeping() {
	defer s.bg.Done()
	flush := time.NewTicker(2 * time.Second)
	defer flush.Stop()
	prune := time.NewTicker(10 * time.Minute)
	defer prune.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-flush.C:
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			if err := s.usage.flush(ctx); err != nil {
				s.log.Warn("usage flush failed", "err", err)
			}
			cancel()
		case <-prune.C:
			s.prune()
		}
	}
}

func (s *Server) prune() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	now := s.now()
	q := s.st.Q()
	if _, err := q.DeleteExpiredSessions(ctx, now); err != nil {
		s.log.Warn("prune sessions failed", "err", err)
	}
	if _, err := q.DeleteExpiredTrustedDevices(ctx, now); err != nil {
		s.log.Warn("prune remembered devices failed", "err", err)
	}
	if err := q.PruneHits(ctx, now.Add(-24*time.Hour)); err != nil {
		s.log.Warn("prune rate counters failed", "err", err)
	}
	if err := q.PruneReplays(ctx, now.Add(-replayTTL)); err != nil {
		s.log.Warn("prune idempotency keys failed", "err", err)
	}
	// Expired invitations stay listed a while, for a resend.
	if err := q.PruneInvitations(ctx, now.Add(-invitationKeep)); err != nil {
		s.log.Warn("prune invitations failed", "err", err)
	}
	if err := q.PruneSSOLogins(ctx, now); err != nil {
		s.log.Warn("prune single sign-ons failed", "err", err)
	}
}

// loadSecret reads the sealing key, creating a random one on first run.
func loadSecret(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		key := []byte(strings.TrimSpace(string(b)))
		if len(key) < 32 {
			return nil, fmt.Errorf("server: %s: secret too short", path)
		}
		return key, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("server: read secret: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("server: data directory: %w", err)
	}
	key := []byte(randomToken(""))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return loadSecret(path) // another process made it first
	}
	if err != nil {
		return nil, fmt.Errorf("server: create secret: %w", err)
	}
	_, werr := f.Write(append(key, '\n'))
	if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
		return nil, fmt.Errorf("server: write secret: %w", err)
	}
	return key, nil
}
