package server

import (
	"bytes"
	"errors"
	"net/http"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server/store"
)

// replayTTL is how long a response to an Idempotency-Key is kept.
const replayTTL = 24 * time.Hour

// idempotent makes a POST or PATCH safe to retry: the first final answer
// to a user's Idempotency-Key is stored and replayed for the same key, so a
// client that lost the answer does not apply the write twice or get a 412
// for its own write. 5xx and 429 answers are not stored: those may be
// retried for real.
func (s *Server) idempotent(h authedFunc) authedFunc {
	return func(w http.ResponseWriter, r *http.Request, p *principal) error {
		key := r.Header.Get(api.HeaderIdempotencyKey)
		if key == "" {
			return h(w, r, p)
		}
		if len(key) > 128 {
			return badRequest("Idempotency-Key is too long", map[string]*api.Reason{api.HeaderIdempotencyKey: {Code: api.ReasonTooLong, Args: api.Args{"max": 128}}})
		}
		ctx := r.Context()
		prev, err := s.st.Q().GetReplay(ctx, p.UserID, key)
		switch {
		case err == nil:
			if prev.Method != r.Method || prev.Path != r.URL.Path {
				return api.Invalid(map[string]*api.Reason{api.HeaderIdempotencyKey: api.Because(api.ReasonKeyReused)})
			}
			if prev.ETag != "" {
				w.Header().Set("ETag", prev.ETag)
			}
			w.Header().Set("Idempotent-Replayed", "true")
			writeBody(w, prev.Status, prev.Body)
			return nil
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		rec := &recorder{ResponseWriter: w}
		if err := h(rec, r, p); err != nil {
			s.writeErr(rec, r, err)
		}
		if rec.status >= 500 || rec.status == http.StatusTooManyRequests || rec.status == 0 {
			return nil
		}
		replay := &store.Replay{Method: r.Method, Path: r.URL.Path, Status: rec.status,
			ETag: rec.Header().Get("ETag"), Body: rec.body.Bytes()}
		if err := s.st.Q().PutReplay(ctx, p.UserID, key, replay, s.now()); err != nil {
			s.log.Warn("storing idempotent response failed", "err", err)
		}
		return nil
	}
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
