package api

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Error codes carried in ErrorBody. Each maps to one HTTP status.
const (
	CodeInvalid              = "invalid"                // 400/422: a field is wrong; see Fields
	CodeUnauthorized         = "unauthorized"           // 401
	CodeForbidden            = "forbidden"              // 403
	CodeNotFound             = "not_found"              // 404
	CodeConflict             = "conflict"               // 409: e.g. username taken
	CodeStale                = "stale"                  // 412: If-Match did not match
	CodePreconditionRequired = "precondition_required"  // 428: write without If-Match
	CodeTooLarge             = "too_large"              // 413
	CodeUnsupportedMedia     = "unsupported_media_type" // 415
	CodeRateLimited          = "rate_limited"           // 429
	CodeInternal             = "internal"               // 500
	CodeUnavailable          = "unavailable"            // 503: busy; see Retry-After
)

// ErrorBody is the JSON envelope of every error response.
type ErrorBody struct {
	Error *Error `json:"error"`
}

// Error is a failed request as the server describes it. Code is the kind of
// failure; Reason, when set, says more about a failure that is not about one
// field; Fields maps a JSON field name to why its value was refused. Message
// is English for logs and people reading the JSON: clients show Code, Reason
// and Fields in their own language.
type Error struct {
	Status     int                `json:"-"`
	Code       string             `json:"code"`
	Message    string             `json:"message"`
	Reason     *Reason            `json:"reason,omitempty"`
	Fields     map[string]*Reason `json:"fields,omitempty"`
	RetryAfter time.Duration      `json:"-"`
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	parts := make([]string, 0, len(e.Fields))
	for f, why := range e.Fields {
		parts = append(parts, f+": "+why.String())
	}
	slices.Sort(parts)
	return fmt.Sprintf("%s (%s)", e.Message, strings.Join(parts, "; "))
}

// Is lets errors.Is match on the code: errors.Is(err, &api.Error{Code: api.CodeStale}).
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Sentinels for errors.Is.
var (
	ErrUnauthorized = &Error{Status: http.StatusUnauthorized, Code: CodeUnauthorized, Message: "not signed in"}
	ErrForbidden    = &Error{Status: http.StatusForbidden, Code: CodeForbidden, Message: "not allowed"}
	ErrNotFound     = &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: "not found"}
	ErrStale        = &Error{Status: http.StatusPreconditionFailed, Code: CodeStale, Message: "changed elsewhere"}
	ErrConflict     = &Error{Status: http.StatusConflict, Code: CodeConflict, Message: "conflict"}
	ErrRateLimited  = &Error{Status: http.StatusTooManyRequests, Code: CodeRateLimited, Message: "too many requests"}
)

// Refused builds an error whose message is reason's English.
func Refused(status int, code string, reason *Reason) *Error {
	return &Error{Status: status, Code: code, Message: reason.String(), Reason: reason}
}

// Invalid builds a validation error for one or more fields.
func Invalid(fields map[string]*Reason) *Error {
	return &Error{Status: http.StatusUnprocessableEntity, Code: CodeInvalid, Message: "some fields are not valid", Fields: fields}
}

// ETag renders a resource version as a strong entity tag.
func ETag(version int64) string {
	return `"` + strconv.FormatInt(version, 10) + `"`
}

// ParseETag reads a version back from an ETag or If-Match value.
func ParseETag(tag string) (int64, bool) {
	tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
	if len(tag) < 2 || tag[0] != '"' || tag[len(tag)-1] != '"' {
		return 0, false
	}
	v, err := strconv.ParseInt(tag[1:len(tag)-1], 10, 64)
	return v, err == nil && v >= 0
}
