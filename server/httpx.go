package server

import (
	"bytes"
	"encoding/json"
	"encoding/json/jsontext"
	jsonv2 "encoding/json/v2"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"reflect"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/photo"
	"github.com/phoneset/phoneset/server/store"
)

// maxJSONBody caps every JSON request body; the largest legitimate one (a
// profile with 20 info fields) is a few kilobytes.
const maxJSONBody = 64 << 10

type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// wrap turns a handler that returns errors into an http.Handler that
// answers them in the api.ErrorBody format.
func (s *Server) wrap(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeErr(w, r, err)
		}
	})
}

// apiError maps any error onto the wire error; ok is false for the
// unexpected ones, which become 500.
func apiError(err error) (e *api.Error, ok bool) {
	var ae *api.Error
	var mbe *http.MaxBytesError
	var pe *photo.Error
	switch {
	case errors.As(err, &ae):
		return ae, true
	case errors.Is(err, store.ErrStale):
		return api.ErrStale, true
	case errors.Is(err, store.ErrNotFound):
		return api.ErrNotFound, true
	case errors.Is(err, store.ErrConflict):
		return api.ErrConflict, true
	case errors.As(err, &mbe):
		return &api.Error{Status: http.StatusRequestEntityTooLarge, Code: api.CodeTooLarge,
			Message: fmt.Sprintf("request body is larger than %d bytes", mbe.Limit)}, true
	case errors.As(err, &pe):
		code := api.CodeInvalid
		switch pe.Reason.HTTPStatus() {
		case http.StatusUnsupportedMediaType:
			code = api.CodeUnsupportedMedia
		case http.StatusRequestEntityTooLarge:
			code = api.CodeTooLarge
		}
		return &api.Error{Status: pe.Reason.HTTPStatus(), Code: code, Message: pe.Error(),
			Fields: map[string]*api.Reason{"image": photoReason(pe.Reason)}}, true
	}
	return &api.Error{Status: http.StatusInternalServerError, Code: api.CodeInternal, Message: "internal error"}, false
}

func (s *Server) writeErr(w http.ResponseWriter, r *http.Request, err error) {
	e, ok := apiError(err)
	if !ok {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.FormatInt(int64((e.RetryAfter+time.Second-1)/time.Second), 10))
	}
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="phoneset"`)
	}
	w.Header().Del("ETag")
	writeJSON(w, e.Status, api.ErrorBody{Error: e})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		body = []byte(`{"error":{"code":"internal","message":"internal error"}}`)
	}
	writeBody(w, status, append(body, '\n'))
}

func writeBody(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// writeVersioned answers a resource with its ETag.
func writeVersioned(w http.ResponseWriter, status int, version int64, v any) {
	w.Header().Set("ETag", api.ETag(version))
	writeJSON(w, status, v)
}

func badRequest(msg string, fields map[string]*api.Reason) *api.Error {
	return &api.Error{Status: http.StatusBadRequest, Code: api.CodeInvalid, Message: msg, Fields: fields}
}

// decode reads exactly one JSON value of type T from a JSON body, refusing
// unknown fields, trailing data and bodies over maxJSONBody.
func decode[T any](w http.ResponseWriter, r *http.Request) (T, error) {
	var v T
	if err := requireJSON(r); err != nil {
		return v, err
	}
	return decodeJSON[T](http.MaxBytesReader(w, r.Body, maxJSONBody))
}

func requireJSON(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return &api.Error{Status: http.StatusUnsupportedMediaType, Code: api.CodeUnsupportedMedia,
			Message: "send the body as application/json"}
	}
	return nil
}

// decodeJSON is decode without the HTTP parts; the fuzz targets call it.
// Decoding is strict, as the contract's additionalProperties: false says:
// unknown names, names differing only in case, a name given twice and
// invalid escapes (a lone surrogate) are refused, not guessed at. The body
// must be UTF-8 (RFC 8259): a lenient decoder would quietly turn invalid
// bytes into U+FFFD and store text the client never sent.
func decodeJSON[T any](body io.Reader) (T, error) {
	var v T
	b, err := io.ReadAll(body)
	if err != nil {
		return v, jsonError(err)
	}
	if !utf8.Valid(b) {
		return v, badRequest("the body is not valid UTF-8", nil)
	}
	if escapesNUL(b) {
		return v, errNUL
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return v, badRequest("the body is empty", nil)
	}
	dec := jsontext.NewDecoder(bytes.NewReader(b))
	if err := jsonv2.UnmarshalDecode(dec, &v, jsonv2.RejectUnknownMembers(true)); err != nil {
		return v, jsonError(err)
	}
	if _, err := dec.ReadValue(); err != io.EOF {
		return v, badRequest("the body must hold exactly one JSON value", nil)
	}
	return v, nil
}

// errNUL refuses U+0000 anywhere in a request: no field may hold it, and
// PostgreSQL cannot store or even compare text containing it.
var errNUL = badRequest("the request must not contain NUL characters", nil)

// escapesNUL reports whether a JSON text has \u0000 in a string (the only
// way valid JSON holds a NUL). Escapes are consumed in pairs, so an escaped
// backslash before "u0000" is not one.
func escapesNUL(b []byte) bool {
	in := false
	for i := 0; i < len(b); i++ {
		switch {
		case b[i] == '"':
			in = !in
		case in && b[i] == '\\' && i+1 < len(b):
			if b[i+1] == 'u' && i+5 < len(b) && string(b[i+2:i+6]) == "0000" {
				return true
			}
			i++
		}
	}
	return false
}

func jsonError(err error) error {
	var mbe *http.MaxBytesError
	var syn *jsontext.SyntacticError
	var sem *jsonv2.SemanticError
	switch {
	case errors.As(err, &mbe):
		return err
	case errors.As(err, &syn) && errors.Is(syn.Err, jsontext.ErrDuplicateName):
		return badRequest("the body gives a field twice", map[string]*api.Reason{jsonField(syn.JSONPointer): api.Because(api.ReasonDuplicateName)})
	case errors.As(err, &syn) && syn.JSONPointer != "" && isEscapeError(syn.Err):
		return badRequest("the body is not valid JSON", map[string]*api.Reason{jsonField(syn.JSONPointer): api.Because(api.ReasonInvalidEscape)})
	case errors.As(err, &syn), errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("the body is not valid JSON", nil)
	case errors.As(err, &sem) && errors.Is(sem.Err, jsonv2.ErrUnknownName):
		// Names are matched exactly, so DISPLAY_NAME lands here too.
		return badRequest("the body has an unknown field", map[string]*api.Reason{jsonField(sem.JSONPointer): api.Because(api.ReasonUnknownField)})
	case errors.As(err, &sem) && sem.GoType != nil:
		t := sem.GoType
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		return badRequest("a field has the wrong type", map[string]*api.Reason{jsonField(sem.JSONPointer): {Code: api.ReasonWrongType, Args: api.Args{"kind": jsonKind(t.Kind().String())}}})
	}
	return badRequest("the body could not be read as JSON", nil)
}

// isEscapeError reports a bad \ escape, such as a lone surrogate half.
// jsontext has no sentinel for it, only its message.
func isEscapeError(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "escape") || strings.Contains(msg, "surrogate")
}

// jsonField names the value at a JSON pointer the way field errors do:
// "/items/0/sku" is "items[0].sku"; the whole body is "body".
func jsonField(p jsontext.Pointer) string {
	var b strings.Builder
	for tok := range p.Tokens() {
		if _, err := strconv.Atoi(tok); err == nil && b.Len() > 0 {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	if b.Len() == 0 {
		return "body"
	}
	return b.String()
}

// jsonKind names the JSON type a Go kind decodes from.
func jsonKind(k string) string {
	switch k {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "array"
	case "struct", "map":
		return "object"
	}
	return "number"
}

// ifMatch reads the version a write is conditional on. A write without
// If-Match gets 428, so no client overwrites a change it has not seen.
func ifMatch(r *http.Request) (int64, error) {
	h := r.Header.Get("If-Match")
	if h == "" {
		return 0, &api.Error{Status: http.StatusPreconditionRequired, Code: api.CodePreconditionRequired,
			Message: `send If-Match with the version you are changing, e.g. If-Match: "3"`}
	}
	v, ok := api.ParseETag(h)
	if !ok {
		return 0, badRequest(`If-Match must be a version tag like "3"`, map[string]*api.Reason{"If-Match": api.Because(api.ReasonNotAVersion)})
	}
	return v, nil
}

// checkVersion fails with 412 when the stored version is not the one the
// client saw.
func checkVersion(stored, want int64) error {
	if stored != want {
		return api.ErrStale
	}
	return nil
}

// errApplied ends a write whose If-Match is stale but whose change the
// resource already shows (RFC 9110 §13.1.1 allows a 2xx then): typically a
// retry after the answer to the first try was lost.
var errApplied = errors.New("change already applied")

// checkWrite is checkVersion for a write that would change nothing if
// noop: then a stale version is not a conflict.
func checkWrite(stored, want int64, noop bool) error {
	if stored != want && noop {
		return errApplied
	}
	return checkVersion(stored, want)
}

// clientIP is the peer address, or X-Forwarded-For's last hop when the
// server is configured to trust its proxy.
func (s *Server) clientIP(r *http.Request) string {
	if s.cfg.TrustForwardedFor {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			if ip := net.ParseIP(strings.TrimSpace(parts[len(parts)-1])); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// recoverer turns a panic into a logged 500 so one bad request cannot take
// the process down.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				writeJSON(w, http.StatusInternalServerError, api.ErrorBody{Error: &api.Error{Code: api.CodeInternal, Message: "internal error"}})
			}
		}()
		w.Header().Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}

// jsonMux answers unknown routes and wrong methods in the error format
// instead of ServeMux's plain text.
type jsonMux struct{ *http.ServeMux }

func (m jsonMux) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.ContainsRune(r.URL.Path, 0) || strings.Contains(r.URL.RawQuery, "%00") {
		if strings.HasPrefix(r.URL.Path, SCIMPath+"/") { // identity providers read SCIM's error format
			writeSCIMError(w, http.StatusBadRequest, errNUL)
			return
		}
		writeJSON(w, http.StatusBadRequest, api.ErrorBody{Error: errNUL})
		return
	}
	if _, pattern := m.Handler(r); pattern != "" {
		m.ServeMux.ServeHTTP(w, r)
		return
	}
	cw := &captureWriter{ResponseWriter: w}
	m.ServeMux.ServeHTTP(cw, r)
	status := cw.status
	if status == 0 {
		status = http.StatusNotFound
	}
	e := &api.Error{Status: status, Code: api.CodeNotFound, Message: "no such endpoint"}
	if status == http.StatusMethodNotAllowed {
		e.Code, e.Message = api.CodeInvalid, "method not allowed here"
	}
	writeJSON(w, status, api.ErrorBody{Error: e})
}

// captureWriter swallows ServeMux's own 404/405 body, keeping its status
// and Allow header.
type captureWriter struct {
	http.ResponseWriter
	status int
}

func (c *captureWriter) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
}

func (c *captureWriter) Write(b []byte) (int, error) { return len(b), nil }
