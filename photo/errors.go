package photo

import (
	"errors"
	"fmt"
	"net/http"
)

// Reason classifies why an upload was refused.
type Reason int

// Reasons an upload is refused.
const (
	// ReasonType: not a JPEG or PNG by its magic bytes, whatever its name.
	ReasonType Reason = iota + 1
	// ReasonTooBig: more than MaxBytes bytes.
	ReasonTooBig
	// ReasonTooManyPixels: the header declares more than MaxPixels pixels.
	ReasonTooManyPixels
	// ReasonCorrupt: truncated or malformed image data.
	ReasonCorrupt
)

// String returns a stable code, usable in logs and API error bodies.
func (r Reason) String() string {
	switch r {
	case ReasonType:
		return "unsupported_type"
	case ReasonTooBig:
		return "too_big"
	case ReasonTooManyPixels:
		return "too_many_pixels"
	case ReasonCorrupt:
		return "corrupt"
	}
	return fmt.Sprintf("reason(%d)", int(r))
}

// HTTPStatus is the status a server should answer with for this reason.
func (r Reason) HTTPStatus() int {
	switch r {
	case ReasonType:
		return http.StatusUnsupportedMediaType
	case ReasonTooBig:
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusUnprocessableEntity
}

// Error is every refusal this package returns. Match it with errors.Is
// against the sentinels (ErrType, ErrTooBig, ErrTooManyPixels, ErrCorrupt)
// or errors.As to read the Reason and Detail.
type Error struct {
	Reason Reason
	// Detail says what was found, e.g. "GIF" or "8000x6000".
	Detail string
	// Err is the underlying decoder error, if any.
	Err error
}

// Sentinels for errors.Is; they carry no detail.
var (
	ErrType          = &Error{Reason: ReasonType}
	ErrTooBig        = &Error{Reason: ReasonTooBig}
	ErrTooManyPixels = &Error{Reason: ReasonTooManyPixels}
	ErrCorrupt       = &Error{Reason: ReasonCorrupt}
)

func (e *Error) Error() string {
	var msg string
	switch e.Reason {
	case ReasonType:
		msg = "only JPEG and PNG images are accepted"
	case ReasonTooBig:
		msg = fmt.Sprintf("image is larger than %d MB", MaxBytes>>20)
	case ReasonTooManyPixels:
		msg = fmt.Sprintf("image has more than %d megapixels", MaxPixels/1_000_000)
	case ReasonCorrupt:
		msg = "image data is corrupt or truncated"
	default:
		msg = e.Reason.String()
	}
	if e.Detail != "" {
		msg += " (" + e.Detail + ")"
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return "photo: " + msg
}

// Is makes errors.Is(err, ErrCorrupt) true for every corrupt-data error.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Reason == e.Reason
}

func (e *Error) Unwrap() error { return e.Err }

// ReasonOf returns the Reason of err, or 0 when err is not a photo error.
func ReasonOf(err error) Reason {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return 0
}
