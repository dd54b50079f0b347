package server_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/internal/testenv"
	"github.com/phoneset/phoneset/server"
	"github.com/phoneset/phoneset/server/servertest"
	"github.com/phoneset/phoneset/server/store"
)

// env is a running seeded server and a raw HTTP client for it, so tests
// see the exact wire format.
type env struct {
	t    testing.TB
	srv  *server.Server
	base string
	demo server.Demo
}

// newEnv starts a seeded server on SQLite, or on a fresh PostgreSQL
// database when the test runs under eachDB's "postgres" subtest.
func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvWith(t, server.Config{})
}

func newEnvWith(t testing.TB, cfg server.Config) *env {
	t.Helper()
	if cfg.DB == "" && onPostgres(t) {
		cfg.DB = servertest.PostgresDB(t)
	}
	srv, base, demo := servertest.NewWith(t, cfg)
	return &env{t: t, srv: srv, base: base, demo: demo}
}

// eachDB runs fn against SQLite and against PostgreSQL (skipped unless
// PHONESET_TEST_PG_DSN is set).
func eachDB(t *testing.T, fn func(t *testing.T)) {
	t.Run("sqlite", fn)
	t.Run("postgres", func(t *testing.T) {
		testenv.Require(t, servertest.PostgresEnv, "PostgreSQL")
		fn(t)
	})
}

func onPostgres(t testing.TB) bool {
	return slices.Contains(strings.Split(t.Name(), "/"), "postgres")
}

// resp is a finished request.
type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// apiErr reads the error envelope, failing the test if it is not one.
func (r resp) apiErr(t testing.TB) *api.Error {
	t.Helper()
	var eb api.ErrorBody
	if err := json.Unmarshal(r.body, &eb); err != nil || eb.Error == nil || eb.Error.Code == "" {
		t.Fatalf("status %d: not an error body: %s", r.status, r.body)
	}
	return eb.Error
}

// req is a request under construction.
type req struct {
	method, path string
	token        string
	body         any // marshalled to JSON unless []byte or string
	ctype        string
	header       map[string]string
}

func (e *env) do(r req) resp {
	e.t.Helper()
	res, err := e.send(http.DefaultClient, r)
	if err != nil {
		e.t.Fatal(err)
	}
	return res
}

// send is do for goroutines other than the test's: it reports errors
// instead of failing the test.
func (e *env) send(c *http.Client, r req) (resp, error) {
	var body io.Reader
	switch b := r.body.(type) {
	case nil:
	case []byte:
		body = bytes.NewReader(b)
	case string:
		body = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			return resp{}, err
		}
		body = bytes.NewReader(j)
	}
	hr, err := http.NewRequest(r.method, e.base+r.path, body)
	if err != nil {
		return resp{}, err
	}
	if body != nil {
		ct := r.ctype
		if ct == "" {
			ct = "application/json"
		}
		hr.Header.Set("Content-Type", ct)
	}
	if r.token != "" {
		hr.Header.Set("Authorization", "Bearer "+r.token)
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	res, err := c.Do(hr)
	if err != nil {
		return resp{}, fmt.Errorf("%s %s: %w", r.method, r.path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return resp{}, err
	}
	return resp{status: res.StatusCode, header: res.Header, body: b}, nil
}

// raceClient opens a connection per request: a shared pool would dial
// spare connections that sit unused, and the server's shutdown waits 5 s
// for such a connection before it counts as idle.
var raceClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

// race sends n copies of a request at the same moment and returns the
// answers; the test fails if any could not be sent.
func (e *env) race(n int, r func(i int) req) []resp {
	e.t.Helper()
	out := make([]resp, n)
	errs := make([]error, n)
	gate := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-gate
			out[i], errs[i] = e.send(raceClient, r(i))
		})
	}
	close(gate)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		e.t.Fatal(err)
	}
	return out
}

// signIn opens a session, failing the test unless it succeeds.
func (e *env) signIn(login, password string) api.Tokens {
	e.t.Helper()
	r := e.do(req{method: "POST", path: "/v1/sessions", body: api.SignInRequest{Login: login, Password: password, Device: "test"}})
	if r.status != http.StatusCreated {
		e.t.Fatalf("sign in %s: %d %s", login, r.status, r.body)
	}
	var t api.Tokens
	r.decode(e.t, &t)
	return t
}

func (e *env) admin() api.Tokens  { return e.signIn("admin", server.DemoPassword) }
func (e *env) agent1() api.Tokens { return e.signIn("agent1", server.DemoPassword) }

// wantStatus fails unless r has the status.
func wantStatus(t testing.TB, r resp, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.body)
	}
}

// wantError fails unless r is an error with the status and code.
func wantError(t testing.TB, r resp, status int, code string) *api.Error {
	t.Helper()
	wantStatus(t, r, status)
	e := r.apiErr(t)
	if e.Code != code {
		t.Fatalf("error code = %q, want %q; body %s", e.Code, code, r.body)
	}
	return e
}

func ifMatch(v int64) map[string]string { return map[string]string{"If-Match": api.ETag(v)} }

func ptr[T any](v T) *T { return &v }

func storeFilter(orgID, resource string) store.AuditFilter {
	return store.AuditFilter{OrgID: orgID, Resource: resource, Limit: 500}
}
