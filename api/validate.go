package api

import (
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/secure/precis"
)

// Field length limits, in characters.
const (
	MaxNameLen     = 64
	MaxUsernameLen = 32
	MinUsernameLen = 3
	MaxEmailLen    = 254
	MaxInfoLen     = 200
	MaxInfoFields  = 20
)

// checkText refuses what a name field must never hold: invalid UTF-8,
// control characters and overlong values. Combining marks and right-to-left
// text are fine and kept exactly as given.
func checkText(s string, max int, required bool) *Reason {
	switch {
	case !utf8.ValidString(s):
		return Because(ReasonInvalidUTF8)
	case required && strings.TrimSpace(s) == "":
		return Because(ReasonRequired)
	case utf8.RuneCountInString(s) > max:
		return &Reason{Code: ReasonTooLong, Args: Args{"max": max}}
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return Because(ReasonControlChars)
		}
	}
	if s != strings.TrimSpace(s) {
		return Because(ReasonOuterSpace)
	}
	return nil
}

// isBidiControl reports the explicit direction marks and overrides that
// can make a name display as something else (U+202E turns "evil" around).
func isBidiControl(r rune) bool {
	return r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069' ||
		r == '\u200e' || r == '\u200f' || r == '\u061c'
}

// isInvisible reports zero-width characters, which make two names that look
// the same differ.
func isInvisible(r rune) bool {
	return r >= '\u200b' && r <= '\u200d' || r == '\u2060' || r == '\ufeff'
}

// checkName is checkText plus PRECIS Nickname (RFC 8266): bidi controls and
// invisible characters get reasons of their own, and a name must already be
// in the form PRECIS would store (NFKC, single inner spaces), so what is
// shown is exactly what is compared. Right-to-left scripts and combining
// marks that do not compose are allowed.
func checkName(s string, required bool) *Reason {
	if why := checkText(s, MaxNameLen, required); why != nil || s == "" {
		return why
	}
	if strings.ContainsFunc(s, isBidiControl) {
		return Because(ReasonBidiControl)
	}
	if strings.ContainsFunc(s, isInvisible) {
		return Because(ReasonInvisibleChar)
	}
	p, err := precis.Nickname.String(s)
	switch {
	case err != nil:
		return Because(ReasonNameChars)
	case p != s:
		return Because(ReasonNotNormalized)
	}
	return nil
}

// ValidateDisplayName returns why s is not a valid display name, or nil.
func ValidateDisplayName(s string) *Reason { return checkName(s, true) }

// ValidateName returns why s is not a valid first or last name, or nil.
// Names may be empty.
func ValidateName(s string) *Reason { return checkName(s, false) }

// ValidateInfo returns why an "Add info" field is not valid and which part
// ("label" or "value") it is about, or nil.
func ValidateInfo(f InfoField) (part string, why *Reason) {
	if why := checkText(f.Label, MaxNameLen, true); why != nil {
		return "label", why
	}
	if why := checkText(f.Value, MaxInfoLen, false); why != nil {
		return "value", why
	}
	return "", nil
}

var usernameRE = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9._-]*$`)

// ValidateUsername returns why s is not a valid username, or nil. Usernames
// are unique case-insensitively; see NormalizeUsername.
func ValidateUsername(s string) *Reason {
	n := len(s)
	switch {
	case n < MinUsernameLen || n > MaxUsernameLen:
		return &Reason{Code: ReasonLengthRange, Args: Args{"min": MinUsernameLen, "max": MaxUsernameLen}}
	case !usernameRE.MatchString(s):
		return Because(ReasonUsernameChars)
	}
	// The pattern is stricter than PRECIS UsernameCaseMapped (RFC 8265);
	// this keeps the two from drifting apart if the pattern is widened.
	if p, err := precis.UsernameCaseMapped.String(s); err != nil || p != NormalizeUsername(s) {
		return Because(ReasonUsernameChars)
	}
	return nil
}

// NormalizeUsername is the form usernames are compared and indexed in.
func NormalizeUsername(s string) string { return strings.ToLower(s) }

// ValidateEmail returns why s is not a plain email address, or nil.
// Display-name forms ("Ann <a@b>") are refused: the field holds an address.
func ValidateEmail(s string) *Reason {
	if len(s) > MaxEmailLen {
		return &Reason{Code: ReasonTooLong, Args: Args{"max": MaxEmailLen}}
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return Because(ReasonEmailFormat)
	}
	at := strings.LastIndexByte(s, '@')
	if domain := s[at+1:]; !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return Because(ReasonEmailFormat)
	}
	return nil
}

// ValidateTimeZone returns why s is not an IANA time zone name, or nil.
func ValidateTimeZone(s string) *Reason {
	if s == "" || s == "Local" || strings.ContainsAny(s, " \\") {
		return Because(ReasonTimeZone)
	}
	if _, err := time.LoadLocation(s); err != nil {
		return Because(ReasonTimeZone)
	}
	return nil
}

// Languages Phoneset is translated into.
var Languages = []string{"en", "sv"}

// ValidateLanguage returns why s is not a supported language tag, or nil.
func ValidateLanguage(s string) *Reason { return OneOf(s, Languages...) }

// OneOf returns why s is none of allowed, or nil.
func OneOf(s string, allowed ...string) *Reason {
	if slices.Contains(allowed, s) {
		return nil
	}
	return &Reason{Code: ReasonOneOf, Args: Args{"values": strings.Join(allowed, ", ")}}
}

// ValidatePatch checks every field a profile patch sets and returns the
// field errors keyed by JSON name, or nil.
func ValidatePatch(p ProfilePatch) map[string]*Reason {
	errs := map[string]*Reason{}
	check := func(field string, v *string, f func(string) *Reason) {
		if v != nil {
			if why := f(*v); why != nil {
				errs[field] = why
			}
		}
	}
	check(FieldFirstName, p.FirstName, ValidateName)
	check(FieldLastName, p.LastName, ValidateName)
	check(FieldDisplayName, p.DisplayName, ValidateDisplayName)
	check(FieldUsername, p.Username, ValidateUsername)
	check(FieldLanguage, p.Language, ValidateLanguage)
	check(FieldTimeZone, p.TimeZone, ValidateTimeZone)
	if p.ExtraInfo != nil {
		if len(*p.ExtraInfo) > MaxInfoFields {
			errs[FieldExtraInfo] = &Reason{Code: ReasonTooMany, Args: Args{"max": MaxInfoFields}}
		}
		for _, f := range *p.ExtraInfo {
			if _, why := ValidateInfo(f); why != nil {
				errs[FieldExtraInfo] = why
				break
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}
