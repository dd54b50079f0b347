package client

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/phoneset/phoneset/api"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fastRetry keeps retry tests quick without changing what they assert.
var fastRetry = RetryPolicy{Attempts: 4, Base: time.Millisecond, Cap: 4 * time.Millisecond, MaxRetryAfter: 2 * time.Second}

func newTestClient(t *testing.T, h http.Handler, opts ...Option) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := New(srv.URL, append([]Option{WithRetry(fastRetry)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func TestNewRefusesPlainHTTPToNonLoopback(t *testing.T) {
	tests := []struct {
		url     string
		wantErr bool
	}{
		{"https://accounts.example.com", false},
		{"https://accounts.example.com:8443/base/", false},
		{"http://127.0.0.1:8080", false},
		{"http://127.9.9.9", false},
		{"http://[::1]:8080", false},
		{"http://localhost:8080", false},
		{"http://accounts.example.com", true},
		{"http://10.0.0.1", true},
		{"http://localhost.example.com", true},
		{"ftp://127.0.0.1", true},
		{"127.0.0.1:8080", true},
		{"https://", true},
		{"https://user:pw@example.com", true},
	}
	for _, tt := range tests {
		_, err := New(tt.url)
		if (err != nil) != tt.wantErr {
			t.Errorf("New(%q) error = %v, want error %v", tt.url, err, tt.wantErr)
		}
	}
	if _, err := New("http://example.com"); !errors.Is(err, ErrInsecureURL) {
		t.Errorf("http to a public host: %v, want ErrInsecureURL", err)
	}
}

func TestRedirectToPlainHTTPIsRefused(t *testing.T) {
	var hits atomic.Int32
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, "http://example.com/v1/me", http.StatusFound)
	}))
	_, err := c.Me(context.Background())
	if !errors.Is(err, ErrInsecureURL) {
		t.Fatalf("Me after redirect to http: %v, want ErrInsecureURL", err)
	}
	if hits.Load() != 1 {
		t.Errorf("server hit %d times, want 1 (no retry of a refused redirect)", hits.Load())
	}
}

func TestErrorsAreDecoded(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		body       string
		retryAfter string
		want       api.Error
	}{
		{"field errors", 422, `{"error":{"code":"invalid","message":"some fields are not valid","fields":{"display_name":{"code":"too_long","max":64}}}}`, "",
			api.Error{Status: 422, Code: api.CodeInvalid, Message: "some fields are not valid", Fields: map[string]*api.Reason{"display_name": {Code: api.ReasonTooLong, Args: api.Args{"max": 64.0}}}}},
		{"stale", 412, `{"error":{"code":"stale","message":"changed elsewhere"}}`, "",
			api.Error{Status: 412, Code: api.CodeStale, Message: "changed elsewhere"}},
		{"rate limited with retry-after", 429, `{"error":{"code":"rate_limited","message":"slow down"}}`, "120",
			api.Error{Status: 429, Code: api.CodeRateLimited, Message: "slow down", RetryAfter: 120 * time.Second}},
		{"not json", 403, `<html>nope</html>`, "",
			api.Error{Status: 403, Code: api.CodeForbidden, Message: "forbidden"}},
		{"proxy's busy page", 503, `<html>Service Unavailable</html>`, "",
			api.Error{Status: 503, Code: api.CodeUnavailable, Message: "service unavailable"}},
		{"empty body", 404, ``, "",
			api.Error{Status: 404, Code: api.CodeNotFound, Message: "not found"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			_, err := c.Me(context.Background())
			var ae *api.Error
			if !errors.As(err, &ae) {
				t.Fatalf("error %T %v, want *api.Error", err, err)
			}
			if ae.Status != tt.want.Status || ae.Code != tt.want.Code || ae.Message != tt.want.Message || ae.RetryAfter != tt.want.RetryAfter {
				t.Errorf("got %+v, want %+v", *ae, tt.want)
			}
			if len(ae.Fields) != len(tt.want.Fields) {
				t.Errorf("fields %v, want %v", ae.Fields, tt.want.Fields)
			}
			for f, why := range tt.want.Fields {
				if !reflect.DeepEqual(ae.Fields[f], why) {
					t.Errorf("field %s: %v, want %v", f, ae.Fields[f], why)
				}
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"-3", 0},
		{"7", 7 * time.Second},
		{"999999999", 86400 * time.Second},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{"soon", 0},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name      string
		method    string // GET (Me), POST (RevealAPIKey, no key) or PATCH (UpdateProfile)
		idemKey   string
		failures  []int // statuses before success; 0 = drop the connection
		wantCalls int
		wantOK    bool
	}{
		{"GET retried on 503", "GET", "", []int{503, 503}, 3, true},
		{"GET retried on 429", "GET", "", []int{429}, 2, true},
		{"GET retried on dropped connection", "GET", "", []int{0}, 2, true},
		{"GET gives up after attempts", "GET", "", []int{500, 500, 500, 500, 500}, 4, false},
		{"GET not retried on 404", "GET", "", []int{404}, 1, false},
		{"POST without key not retried on 503", "POST", "", []int{503}, 1, false},
		{"POST without key not retried on dropped connection", "POST", "", []int{0}, 1, false},
		{"PATCH with its own key retried on 503", "PATCH", "", []int{503}, 2, true},
		{"PATCH with key retried on 503", "PATCH", "k1", []int{503, 502}, 3, true},
		{"PATCH with key retried on dropped connection", "PATCH", "k1", []int{0}, 2, true},
		{"PATCH with key not retried on 422", "PATCH", "k1", []int{422}, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			var keys sync.Map
			c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := int(calls.Add(1)) - 1
				keys.Store(n, r.Header.Get(api.HeaderIdempotencyKey))
				if n < len(tt.failures) {
					if tt.failures[n] == 0 {
						hj, _ := w.(http.Hijacker)
						conn, _, _ := hj.Hijack()
						_ = conn.Close()
						return
					}
					writeJSON(w, tt.failures[n], api.ErrorBody{Error: &api.Error{Code: "x", Message: "fail"}})
					return
				}
				if r.Method == http.MethodPatch {
					writeJSON(w, 200, api.Profile{Version: 2})
				} else {
					writeJSON(w, 200, api.Me{User: api.User{ID: "u1"}})
				}
			}))
			ctx := context.Background()
			if tt.idemKey != "" {
				ctx = WithIdempotencyKey(ctx, tt.idemKey)
			}
			var err error
			switch tt.method {
			case "GET":
				_, err = c.Me(ctx)
			case "POST":
				_, err = c.RevealAPIKey(ctx, "pw")
			default:
				_, err = c.UpdateProfile(ctx, 1, api.ProfilePatch{})
			}
			if (err == nil) != tt.wantOK {
				t.Errorf("err = %v, want ok %v", err, tt.wantOK)
			}
			if int(calls.Load()) != tt.wantCalls {
				t.Errorf("server saw %d calls, want %d", calls.Load(), tt.wantCalls)
			}
			// PATCH carries the caller's key, or its own: the same on every attempt.
			first, _ := keys.Load(0)
			keys.Range(func(_, v any) bool {
				switch {
				case tt.method != "PATCH" && v.(string) != "":
					t.Errorf("%s sent Idempotency-Key %q", tt.method, v)
				case tt.method == "PATCH" && (v.(string) == "" || v != first || (tt.idemKey != "" && v.(string) != tt.idemKey)):
					t.Errorf("Idempotency-Key %q, want %q on every attempt", v, tt.idemKey)
				}
				return true
			})
		})
	}
}

func TestRetryAfterIsHonouredOrReturned(t *testing.T) {
	tests := []struct {
		name       string
		retryAfter string
		wantCalls  int32
		wantErr    bool
	}{
		{"short Retry-After is waited out", "1", 2, false},
		{"Retry-After beyond the cap is returned to the caller", "3600", 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			var first, second time.Time
			c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if calls.Add(1) == 1 {
					first = time.Now()
					w.Header().Set("Retry-After", tt.retryAfter)
					writeJSON(w, 429, api.ErrorBody{Error: &api.Error{Code: api.CodeRateLimited, Message: "slow down"}})
					return
				}
				second = time.Now()
				writeJSON(w, 200, api.Me{})
			}))
			_, err := c.Me(context.Background())
			if (err != nil) != tt.wantErr || calls.Load() != tt.wantCalls {
				t.Fatalf("err %v after %d calls; want error %v after %d", err, calls.Load(), tt.wantErr, tt.wantCalls)
			}
			if tt.wantErr {
				var ae *api.Error
				if !errors.As(err, &ae) || ae.RetryAfter != time.Hour {
					t.Errorf("error %v should carry RetryAfter 1h", err)
				}
				return
			}
			if gap := second.Sub(first); gap < time.Second {
				t.Errorf("retried after %v, before Retry-After elapsed", gap)
			}
		})
	}
}

func TestRequestsCarryAuthAndIfMatch(t *testing.T) {
	var got http.Header
	var body map[string]any
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		_ = json.NewDecoder(r.Body).Decode(&body)
		writeJSON(w, 200, api.Profile{Version: 8, DisplayName: "Ann"})
	}), WithTokens(api.Tokens{AccessToken: "acc-1", RefreshToken: "ref-1"}))
	name := "Ann"
	p, err := c.UpdateProfile(WithIdempotencyKey(context.Background(), "key-9"), 7, api.ProfilePatch{DisplayName: &name})
	if err != nil {
		t.Fatal(err)
	}
	if p.Version != 8 || p.DisplayName != "Ann" {
		t.Errorf("decoded %+v", p)
	}
	checks := map[string]string{
		"Authorization":          "Bearer acc-1",
		"If-Match":               `"7"`,
		api.HeaderIdempotencyKey: "key-9",
		"Content-Type":           "application/json",
	}
	for h, want := range checks {
		if got.Get(h) != want {
			t.Errorf("%s = %q, want %q", h, got.Get(h), want)
		}
	}
	if len(body) != 1 || body["display_name"] != "Ann" {
		t.Errorf("body %v, want only display_name", body)
	}
}

// authServer accepts only its current access token and counts refreshes.
type authServer struct {
	mu        sync.Mutex
	access    string
	refresh   string
	n         int
	refreshes atomic.Int32
	revoked   bool
	gate      chan struct{} // when set, refresh waits on it
}

func (s *authServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/v1/sessions/refresh" {
		s.refreshes.Add(1)
		if s.gate != nil {
			<-s.gate
		}
		var req api.RefreshRequest
		_ = json.NewDecoder(r.Body).Decode(&req)
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.revoked || req.RefreshToken != s.refresh {
			writeJSON(w, 401, api.ErrorBody{Error: &api.Error{Code: api.CodeUnauthorized, Message: "session ended"}})
			return
		}
		s.n++
		s.access = "acc-" + string(rune('a'+s.n))
		s.refresh = "ref-" + string(rune('a'+s.n))
		writeJSON(w, 200, api.Tokens{SessionID: "s1", AccessToken: s.access, RefreshToken: s.refresh})
		return
	}
	s.mu.Lock()
	ok := !s.revoked && r.Header.Get("Authorization") == "Bearer "+s.access
	s.mu.Unlock()
	if !ok {
		writeJSON(w, 401, api.ErrorBody{Error: &api.Error{Code: api.CodeUnauthorized, Message: "not signed in"}})
		return
	}
	writeJSON(w, 200, api.Me{User: api.User{ID: "u1"}})
}

func TestRefreshIsSingleFlight(t *testing.T) {
	srv := &authServer{access: "acc-new", refresh: "ref-old", gate: make(chan struct{})}
	c := newTestClient(t, srv, WithTokens(api.Tokens{AccessToken: "acc-expired", RefreshToken: "ref-old"}))
	var hooked []api.Tokens
	var hookMu sync.Mutex
	c.OnTokens(func(t api.Tokens) { hookMu.Lock(); hooked = append(hooked, t); hookMu.Unlock() })

	const n = 8
	errs := make(chan error, n)
	for range n {
		go func() { _, err := c.Me(context.Background()); errs <- err }()
	}
	// Let every caller hit its 401 and queue behind the one refresh.
	for srv.refreshes.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	close(srv.gate)
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("Me: %v", err)
		}
	}
	if got := srv.refreshes.Load(); got != 1 {
		t.Errorf("%d refresh requests, want 1", got)
	}
	if tok := c.Tokens(); tok.AccessToken != srv.access || tok.RefreshToken != srv.refresh {
		t.Errorf("client tokens %+v, want the rotated ones", tok)
	}
	if len(hooked) != 1 || hooked[0].RefreshToken != srv.refresh {
		t.Errorf("OnTokens saw %+v, want one call with the new tokens", hooked)
	}
}

func TestRevokedSessionClearsTokens(t *testing.T) {
	srv := &authServer{access: "acc-1", refresh: "ref-1", revoked: true}
	c := newTestClient(t, srv, WithTokens(api.Tokens{AccessToken: "acc-1", RefreshToken: "ref-1"}))
	var hooked []api.Tokens
	c.OnTokens(func(t api.Tokens) { hooked = append(hooked, t) })
	_, err := c.Me(context.Background())
	if !errors.Is(err, api.ErrUnauthorized) {
		t.Fatalf("Me: %v, want ErrUnauthorized", err)
	}
	if c.Tokens() != (api.Tokens{}) {
		t.Errorf("tokens kept after the server ended the session: %+v", c.Tokens())
	}
	if len(hooked) != 1 || hooked[0] != (api.Tokens{}) {
		t.Errorf("OnTokens saw %+v, want one call with zero tokens", hooked)
	}
	// A second call must not try to refresh again.
	before := srv.refreshes.Load()
	if _, err := c.Me(context.Background()); !errors.Is(err, api.ErrUnauthorized) {
		t.Errorf("second Me: %v", err)
	}
	if srv.refreshes.Load() != before {
		t.Error("refreshed without a refresh token")
	}
}

func TestContextTimeoutAndCancel(t *testing.T) {
	block := make(chan struct{})
	t.Cleanup(func() { close(block) })
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}), WithTimeout(20*time.Millisecond), WithRetry(RetryPolicy{Attempts: 2, Base: time.Millisecond, Cap: time.Millisecond}))

	_, err := c.Me(context.Background())
	var te *TransportError
	if !errors.As(err, &te) {
		t.Errorf("attempt timeout: %v, want *TransportError", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Me(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v, want context.Canceled", err)
	}
}

func TestBackoffIsCappedAndJittered(t *testing.T) {
	p := RetryPolicy{Base: 100 * time.Millisecond, Cap: time.Second}
	seen := map[time.Duration]bool{}
	for n := range 40 {
		d := p.Backoff(n)
		hi := min(p.Cap, p.Base<<min(n, 20))
		if d < hi/2 || d > hi {
			t.Errorf("Backoff(%d) = %v, want in [%v, %v]", n, d, hi/2, hi)
		}
		seen[d] = true
	}
	if len(seen) < 10 {
		t.Errorf("only %d distinct waits in 40: no jitter", len(seen))
	}
}

func TestSignInInstallsTokens(t *testing.T) {
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req api.SignInRequest
		_ = json.NewDecoder(r.Body).Decode(&req)
		if r.Header.Get("Authorization") != "" {
			t.Error("sign-in sent an Authorization header")
		}
		if req.Login != "agent1" || req.Password != "pw" || !strings.HasPrefix(req.Device, "test") {
			writeJSON(w, 401, api.ErrorBody{Error: &api.Error{Code: api.CodeUnauthorized, Message: "wrong login or password"}})
			return
		}
		writeJSON(w, 200, api.Tokens{SessionID: "s", AccessToken: "a", RefreshToken: "r"})
	}))
	if _, err := c.SignIn(context.Background(), api.SignInRequest{Login: "agent1", Password: "bad", Device: "test"}); !errors.Is(err, api.ErrUnauthorized) {
		t.Errorf("bad password: %v", err)
	}
	if c.Tokens() != (api.Tokens{}) {
		t.Error("failed sign-in installed tokens")
	}
	tok, err := c.SignIn(context.Background(), api.SignInRequest{Login: "agent1", Password: "pw", Device: "test box"})
	if err != nil || tok.AccessToken != "a" || c.Tokens().AccessToken != "a" {
		t.Errorf("sign-in: %v %+v", err, c.Tokens())
	}
}
