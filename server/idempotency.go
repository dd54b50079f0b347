package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server/store"
)

// replayTTL is how long a response to an Idempotency-Key is kept.
const replayTTL = 24 * time.Hour

// replayWait bounds how long a repeated request waits for the first one
// holding its key to answer; then it gets 409 and may retry.
const replayWait = 15 * time.Second

// errReplayPending answers a request whose key is still held by a request
// that has not answered within replayWait.
var errReplayPending = &api.Error{Status: http.StatusConflict, Code: api.CodeConflict, RetryAfter: time.Second,
	Message: "a request with this Idempotency-Key is still running; retry later",
	Fields:  map[string]*api.Reason{api.HeaderIdempotencyKey: api.Because(api.ReasonKeyInUse)}}

// idempotent makes a POST or PATCH happen once per user and
// Idempotency-Key: the key is reserved in the database before the request
// runs (only one of concurrent duplicates can insert it), the first final
// answer is stored with it, and duplicates wait for that answer and replay
// it. So a client that lost the answer does not apply the write twice or
// get a 412 for its own write. The same key with another method, path or
// body is refused. 5xx and 429 answers are not stored and free the key:
// those may be retried for real.
func (s *Server) idempotent(h authedFunc) authedFunc {
	return func(w http.ResponseWriter, r *http.Request, p *principal) error {
		key := r.Header.Get(api.HeaderIdempotencyKey)
		if key == "" {
			return h(w, r, p)
		}
		if len(key) > 128 {
			return badRequest("Idempotency-Key is too long", map[string]*api.Reason{api.HeaderIdempotencyKey: {Code: api.ReasonTooLong, Args: api.Args{"max": 128}}})
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBody))
		if err != nil {
			return jsonError(err)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		sum := sha256.Sum256(body)
		want := &store.Replay{Method: r.Method, Path: r.URL.Path, Request: hex.EncodeToString(sum[:])}
		ctx := r.Context()
		deadline := time.Now().Add(replayWait)
		for pause := 5 * time.Millisecond; ; pause = min(2*pause, 200*time.Millisecond) {
			prev, err := s.st.Q().ReserveReplay(ctx, p.UserID, key, want, s.now())
			switch {
			case err != nil:
				return err
			case prev == nil:
				return s.runReserved(w, r, p, h, key, want)
			case prev.Method != want.Method || prev.Path != want.Path || prev.Request != want.Request:
				return api.Invalid(map[string]*api.Reason{api.HeaderIdempotencyKey: api.Because(api.ReasonKeyReused)})
			case !prev.Pending():
				if prev.ETag != "" {
					w.Header().Set("ETag", prev.ETag)
				}
				w.Header().Set("Idempotent-Replayed", "true")
				writeBody(w, prev.Status, prev.Body)
				return nil
			case time.Now().After(deadline):
				return errReplayPending
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(pause):
			}
		}
	}
}

// runReserved runs the request that won the key and stores its answer, or
// frees the key when the answer is not to be replayed (also on a panic).
func (s *Server) runReserved(w http.ResponseWriter, r *http.Request, p *principal, h authedFunc, key string, rep *store.Replay) error {
	// The key is settled even when the client goes away mid-request.
	ctx := context.WithoutCancel(r.Context())
	settled := false
	defer func() {
		if !settled {
			if err := s.st.Q().ReleaseReplay(ctx, p.UserID, key); err != nil {
				s.log.Warn("releasing an idempotency key failed", "err", err)
			}
		}
	}()
	rec := &recorder{ResponseWriter: w}
	if err := h(rec, r, p); err != nil {
		s.writeErr(rec, r, err)
	}
	if rec.status >= 500 || rec.status == http.StatusTooManyRequests || rec.status == 0 {
		return nil
	}
	rep.Status, rep.ETag, rep.Body = rec.status, rec.Header().Get("ETag"), rec.body.Bytes()
	// Once the request has had its effect the key stays taken: if storing
	// the answer fails, duplicates get 409 rather than a second effect.
	settled = true
	if err := s.st.Q().FinishReplay(ctx, p.UserID, key, rep); err != nil {
		s.log.Warn("storing idempotent response failed", "err", err)
	}
	return nil
}

// recorder passes a response through while keeping a copy.
type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}
