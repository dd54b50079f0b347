package client

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-resty/resty/v2"
	"github.com/phoneset/phoneset/api"
)

// Client defaults. Attempts are per call: the first try plus retries.
const (
	DefaultTimeout       = 15 * time.Second
	DefaultAttempts      = 4
	DefaultBackoffBase   = 200 * time.Millisecond
	DefaultBackoffCap    = 5 * time.Second
	DefaultMaxRetryAfter = 30 * time.Second
	maxResponseBytes     = 16 << 20
)

// ErrInsecureURL is returned for plain http:// to a host that is not loopback.
var ErrInsecureURL = errors.New("client: plain http is only allowed to loopback hosts; use https")

// TransportError wraps a failure to reach the server (connection refused,
// reset, timeout of one attempt): the request may or may not have arrived.
type TransportError struct{ Err error }

func (e *TransportError) Error() string { return "cannot reach the server: " + e.Err.Error() }
func (e *TransportError) Unwrap() error { return e.Err }

// IsTransient reports whether err is worth retrying later: the server was
// unreachable, overloaded (429) or failing (5xx).
func IsTransient(err error) bool {
	var te *TransportError
	if errors.As(err, &te) {
		return true
	}
	var ae *api.Error
	if errors.As(err, &ae) {
		return ae.Status == http.StatusTooManyRequests || ae.Status >= 500
	}
	return false
}

// RetryPolicy is capped exponential backoff with jitter.
type RetryPolicy struct {
	Attempts int           // total tries per call, at least 1
	Base     time.Duration // first backoff
	Cap      time.Duration // largest backoff
	// MaxRetryAfter is the longest Retry-After the client sleeps through;
	// a longer one is returned to the caller (Error.RetryAfter) at once.
	MaxRetryAfter time.Duration
}

// Backoff returns the wait before retry number n (0-based): full jitter over
// min(Cap, Base·2ⁿ), never below Base/2 so retries do not hammer.
func (p RetryPolicy) Backoff(n int) time.Duration {
	d := p.Cap
	if n < 30 {
		if e := p.Base << n; e > 0 && e < p.Cap {
			d = e
		}
	}
	half := d / 2
	if half <= 0 {
		return d
	}
	return half + rand.N(half+1)
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient uses hc for transport (e.g. a test server's TLS client).
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.hc = hc } }

// WithTimeout bounds each attempt of each request.
func WithTimeout(d time.Duration) Option { return func(c *Client) { c.timeout = d } }

// WithRetry replaces the retry policy.
func WithRetry(p RetryPolicy) Option { return func(c *Client) { c.retry = p } }

// WithTokens starts the client with a session.
func WithTokens(t api.Tokens) Option { return func(c *Client) { c.tokens = t } }

// WithLogger logs retries and refreshes; tokens are never logged.
func WithLogger(l *slog.Logger) Option { return func(c *Client) { c.log = l } }

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option { return func(c *Client) { c.userAgent = ua } }

// Client talks to the account backend. It is safe for concurrent use.
type Client struct {
	r         *resty.Client
	hc        *http.Client
	base      string
	timeout   time.Duration
	retry     RetryPolicy
	log       *slog.Logger
	userAgent string

	mu       sync.Mutex
	tokens   api.Tokens
	flight   *refreshFlight
	onTokens func(api.Tokens)
}

type refreshFlight struct {
	done chan struct{}
	err  error
}

// New returns a client for the server at baseURL (scheme and host,
// optionally a path prefix). Plain http:// is refused unless the host is
// loopback.
func New(baseURL string, opts ...Option) (*Client, error) {
	base, err := ParseBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	c := &Client{
		base:    base,
		timeout: DefaultTimeout,
		retry: RetryPolicy{
			Attempts: DefaultAttempts, Base: DefaultBackoffBase,
			Cap: DefaultBackoffCap, MaxRetryAfter: DefaultMaxRetryAfter,
		},
		log:       slog.New(slog.DiscardHandler),
		userAgent: "phoneset",
	}
	for _, o := range opts {
		o(c)
	}
	if c.retry.Attempts < 1 {
		c.retry.Attempts = 1
	}
	if c.hc == nil {
		c.hc = &http.Client{}
	}
	c.r = resty.NewWithClient(c.hc).
		SetBaseURL(c.base).
		SetHeader("User-Agent", c.userAgent).
		SetHeader("Accept", "application/json").
		SetRetryCount(0).
		SetLogger(restyLogger{c.log}).
		SetDisableWarn(true).
		SetResponseBodyLimit(maxResponseBytes).
		SetRedirectPolicy(resty.RedirectPolicyFunc(func(req *http.Request, via []*http.Request) error {
			if len(via) >= 3 {
				return errors.New("client: too many redirects")
			}
			return checkScheme(req.URL)
		}))
	return c, nil
}

// BaseURL is the normalised server address.
func (c *Client) BaseURL() string { return c.base }

// ParseBaseURL checks a server address as New does and returns it
// normalised; the app checks a configured address with it before use.
func ParseBaseURL(baseURL string) (string, error) {
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil {
		return "", fmt.Errorf("client: server address: %w", err)
	}
	if u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("client: server address %q: want https://host[:port]", baseURL)
	}
	if err := checkScheme(u); err != nil {
		return "", err
	}
	return u.String(), nil
}

func checkScheme(u *url.URL) error {
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
		return ErrInsecureURL
	}
	return fmt.Errorf("client: unsupported scheme %q", u.Scheme)
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Tokens returns the current session tokens (zero when signed out).
func (c *Client) Tokens() api.Tokens {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tokens
}

// SetTokens installs a session, e.g. one restored from the keyring.
func (c *Client) SetTokens(t api.Tokens) {
	c.mu.Lock()
	c.tokens = t
	c.mu.Unlock()
}

// OnTokens registers fn to be called, outside any lock, whenever the client
// changes its tokens by itself: after a refresh (new tokens) and when the
// server refuses the session (zero Tokens). Callers persist or clear them.
func (c *Client) OnTokens(fn func(api.Tokens)) {
	c.mu.Lock()
	c.onTokens = fn
	c.mu.Unlock()
}

// NewIdempotencyKey returns a random key for api.HeaderIdempotencyKey.
func NewIdempotencyKey() string {
	var b [16]byte
	_, _ = crand.Read(b[:])
	return hex.EncodeToString(b[:])
}

type idemKeyCtx struct{}

// WithIdempotencyKey returns a context whose non-idempotent requests carry
// key in api.HeaderIdempotencyKey, which also makes them retryable: the
// server answers a repeated key with the first outcome instead of applying
// the request twice.
func WithIdempotencyKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, idemKeyCtx{}, key)
}

// call describes one API request.
type call struct {
	method  string
	path    string
	query   url.Values
	body    any    // JSON-encoded unless raw is set
	raw     []byte // sent as is with contentType
	ctype   string
	out     any // JSON decode target, or *[]byte for the raw body
	ifMatch int64
	hasIf   bool
	idemKey string
	noAuth  bool
	// noRetry marks a write that must not be repeated blindly even though
	// its method is idempotent (a password change: the retry would fail on
	// the old password).
	noRetry bool
	// noRefresh marks the refresh call itself, so a 401 there ends the session.
	noRefresh bool
	header    http.Header // response headers, if wanted
}

func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}

// do runs a call with retries and transparent refresh. Errors are
// *Error for HTTP failures, *TransportError when the server was not
// reached, or the context's error.
func (c *Client) do(ctx context.Context, cl call) error {
	// A caller's key (e.g. an outbox entry's, stable across restarts) wins
	// over the per-call one.
	if k, ok := ctx.Value(idemKeyCtx{}).(string); ok && k != "" && !idempotent(cl.method) {
		cl.idemKey = k
	}
	retryable := (idempotent(cl.method) || cl.idemKey != "") && !cl.noRetry
	refreshed := false
	for attempt := 0; ; attempt++ {
		token := ""
		if !cl.noAuth {
			token = c.Tokens().AccessToken
		}
		err := c.once(ctx, cl, token)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var ae *api.Error
		if errors.As(err, &ae) && ae.Status == http.StatusUnauthorized && !cl.noAuth && !cl.noRefresh && token != "" && !refreshed {
			refreshed = true
			if rerr := c.refreshAfter(ctx, token); rerr != nil {
				if IsTransient(rerr) {
					return rerr
				}
				return err
			}
			attempt--
			continue
		}
		if !retryable || !IsTransient(err) || attempt+1 >= c.retry.Attempts {
			return err
		}
		wait := c.retry.Backoff(attempt)
		if ae != nil && ae.RetryAfter > 0 {
			if ae.RetryAfter > c.retry.MaxRetryAfter {
				return err
			}
			wait = max(wait, ae.RetryAfter)
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return err
		}
		c.log.Debug("client: retrying", "method", cl.method, "path", cl.path, "attempt", attempt+1, "wait", wait, "err", err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

func (c *Client) once(ctx context.Context, cl call, token string) error {
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req := c.r.R().SetContext(actx)
	if token != "" {
		req.SetAuthToken(token)
	}
	if cl.query != nil {
		req.SetQueryParamsFromValues(cl.query)
	}
	switch {
	case cl.raw != nil:
		req.SetHeader("Content-Type", cl.ctype).SetBody(cl.raw)
	case cl.body != nil:
		req.SetHeader("Content-Type", "application/json").SetBody(cl.body)
	}
	if cl.hasIf {
		req.SetHeader("If-Match", api.ETag(cl.ifMatch))
	}
	if cl.idemKey != "" {
		req.SetHeader(api.HeaderIdempotencyKey, cl.idemKey)
	}
	resp, err := req.Execute(cl.method, cl.path)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, ErrInsecureURL) {
			return err
		}
		return &TransportError{Err: err}
	}
	if cl.header != nil {
		for k, v := range resp.Header() {
			cl.header[k] = v
		}
	}
	if resp.StatusCode() < 200 || resp.StatusCode() > 299 {
		return decodeError(resp.StatusCode(), resp.Header(), resp.Body())
	}
	switch out := cl.out.(type) {
	case nil:
	case *[]byte:
		*out = resp.Body()
	default:
		if len(resp.Body()) == 0 {
			// 204 or an empty 200: nothing to decode.
			return nil
		}
		if err := json.Unmarshal(resp.Body(), out); err != nil {
			return fmt.Errorf("client: %s %s: bad response: %w", cl.method, cl.path, err)
		}
	}
	return nil
}

// decodeError turns a non-2xx response into *Error, whatever its body.
func decodeError(status int, h http.Header, body []byte) *api.Error {
	var eb api.ErrorBody
	e := &api.Error{}
	if json.Unmarshal(body, &eb) == nil && eb.Error != nil {
		e = eb.Error
	}
	e.Status = status
	if e.Code == "" {
		e.Code = codeForStatus(status)
	}
	if e.Message == "" {
		e.Message = strings.ToLower(http.StatusText(status))
		if e.Message == "" {
			e.Message = "HTTP " + strconv.Itoa(status)
		}
	}
	e.RetryAfter = parseRetryAfter(h.Get("Retry-After"), time.Now())
	return e
}

func codeForStatus(status int) string {
	switch status {
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		return api.CodeInvalid
	case http.StatusUnauthorized:
		return api.CodeUnauthorized
	case http.StatusForbidden:
		return api.CodeForbidden
	case http.StatusNotFound:
		return api.CodeNotFound
	case http.StatusConflict:
		return api.CodeConflict
	case http.StatusPreconditionFailed:
		return api.CodeStale
	case http.StatusPreconditionRequired:
		return api.CodePreconditionRequired
	case http.StatusRequestEntityTooLarge:
		return api.CodeTooLarge
	case http.StatusUnsupportedMediaType:
		return api.CodeUnsupportedMedia
	case http.StatusTooManyRequests:
		return api.CodeRateLimited
	case http.StatusServiceUnavailable:
		// A proxy's or load balancer's own 503 page has no JSON body.
		return api.CodeUnavailable
	}
	return api.CodeInternal
}

// parseRetryAfter reads delay-seconds or an HTTP date; 0 when absent or bad.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s <= 0 {
			return 0
		}
		return time.Duration(min(s, 86400)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// refreshAfter renews the session once for all callers that saw a 401 with
// the access token used. Concurrent callers share one refresh request.
func (c *Client) refreshAfter(ctx context.Context, used string) error {
	c.mu.Lock()
	if c.tokens.AccessToken != used {
		// Someone else refreshed (or signed out) meanwhile.
		ok := c.tokens.AccessToken != ""
		c.mu.Unlock()
		if ok {
			return nil
		}
		return api.ErrUnauthorized
	}
	if f := c.flight; f != nil {
		c.mu.Unlock()
		select {
		case <-f.done:
			return f.err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if c.tokens.RefreshToken == "" {
		c.mu.Unlock()
		return api.ErrUnauthorized
	}
	f := &refreshFlight{done: make(chan struct{})}
	c.flight = f
	rt := c.tokens.RefreshToken
	c.mu.Unlock()

	// The refresh outlives one caller's cancellation: others wait on it.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.timeout*time.Duration(c.retry.Attempts))
	var t api.Tokens
	err := c.do(rctx, call{method: http.MethodPost, path: "/v1/sessions/refresh",
		body: api.RefreshRequest{RefreshToken: rt}, out: &t, noAuth: true, noRefresh: true,
		idemKey: NewIdempotencyKey()})
	cancel()

	c.mu.Lock()
	changed := false
	switch {
	case err == nil:
		c.tokens, changed = t, true
	case !IsTransient(err) && c.tokens.RefreshToken == rt:
		c.tokens, changed = api.Tokens{}, true
		c.log.Info("client: session ended by the server", "err", err)
	}
	f.err = err
	c.flight = nil
	hook, now := c.onTokens, c.tokens
	c.mu.Unlock()
	if changed && hook != nil {
		hook(now)
	}
	close(f.done)
	return err
}

type restyLogger struct{ l *slog.Logger }

func (r restyLogger) Errorf(format string, v ...any) {
	r.l.Debug("resty: " + fmt.Sprintf(format, v...))
}
func (r restyLogger) Warnf(format string, v ...any) { r.l.Debug("resty: " + fmt.Sprintf(format, v...)) }
func (r restyLogger) Debugf(format string, v ...any) {
	r.l.Debug("resty: " + fmt.Sprintf(format, v...))
}
