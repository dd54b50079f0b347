package api

import (
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
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
func checkText(s string, max int, required bool) string {
	switch {
	case !utf8.ValidString(s):
		return "must be valid UTF-8 text"
	case required && strings.TrimSpace(s) == "":
		return "must not be empty"
	case utf8.RuneCountInString(s) > max:
		return "must be at most " + strconv.Itoa(max) + " characters"
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return "must not contain control characters"
		}
	}
	if s != strings.TrimSpace(s) {
		return "must not start or end with spaces"
	}
	return ""
}

// ValidateDisplayName returns why s is not a valid display name, or "".
func ValidateDisplayName(s string) string { return checkText(s, MaxNameLen, true) }

// ValidateName returns why s is not a valid first or last name, or "".
// Names may be empty.
func ValidateName(s string) string { return checkText(s, MaxNameLen, false) }

// ValidateInfo returns why an "Add info" field is not valid, or "".
func ValidateInfo(f InfoField) string {
	if why := checkText(f.Label, MaxNameLen, true); why != "" {
		return "label " + why
	}
	if why := checkText(f.Value, MaxInfoLen, false); why != "" {
		return "value " + why
	}
	return ""
}

var usernameRE = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9._-]*$`)

// ValidateUsername returns why s is not a valid username, or "". Usernames
// are unique case-insensitively; see NormalizeUsername.
func ValidateUsername(s string) string {
	n := len(s)
	switch {
	case n < MinUsernameLen || n > MaxUsernameLen:
		return "must be " + strconv.Itoa(MinUsernameLen) + " to " + strconv.Itoa(MaxUsernameLen) + " characters"
	case !usernameRE.MatchString(s):
		return "may use letters a–z, digits, dot, dash and underscore, starting with a letter or digit"
	}
	return ""
}

// NormalizeUsername is the form usernames are compared and indexed in.
func NormalizeUsername(s string) string { return strings.ToLower(s) }

// ValidateEmail returns why s is not a plain email address, or "".
// Display-name forms ("Ann <a@b>") are refused: the field holds an address.
func ValidateEmail(s string) string {
	if len(s) > MaxEmailLen {
		return "must be at most " + strconv.Itoa(MaxEmailLen) + " characters"
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return "must be an email address like name@example.com"
	}
	at := strings.LastIndexByte(s, '@')
	if domain := s[at+1:]; !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return "must be an email address like name@example.com"
	}
	return ""
}

// ValidateTimeZone returns why s is not an IANA time zone name, or "".
func ValidateTimeZone(s string) string {
	if s == "" || s == "Local" || strings.ContainsAny(s, " \\") {
		return "must be a time zone like Europe/Stockholm"
	}
	if _, err := time.LoadLocation(s); err != nil {
		return "must be a time zone like Europe/Stockholm"
	}
	return ""
}

// Languages Phoneset is translated into.
var Languages = []string{"en", "sv"}

// ValidateLanguage returns why s is not a supported language tag, or "".
func ValidateLanguage(s string) string {
	if slices.Contains(Languages, s) {
		return ""
	}
	return "must be one of " + strings.Join(Languages, ", ")
}

// ValidatePatch checks every field a profile patch sets and returns the
// field errors keyed by JSON name, or nil.
func ValidatePatch(p ProfilePatch) map[string]string {
	errs := map[string]string{}
	check := func(field string, v *string, f func(string) string) {
		if v != nil {
			if why := f(*v); why != "" {
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
			errs["extra_info"] = "at most " + strconv.Itoa(MaxInfoFields) + " fields"
		}
		for _, f := range *p.ExtraInfo {
			if why := ValidateInfo(f); why != "" {
				errs["extra_info"] = why
				break
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}
