package ui

import (
	"errors"
	"math"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2/lang"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/api/client"
)

// describe turns an error from the account model into a sentence a user can
// act on, in the user's language: the server's English message is never
// shown. Field errors name their fields; pages that show them beside their
// fields use reasonText instead.
func describe(err error) string {
	var ae *api.Error
	var te *client.TransportError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &te):
		return lang.L("Can't reach the server. Check your connection and try again.")
	case errors.As(err, &ae):
		return describeAPI(ae)
	}
	return err.Error()
}

// describeAPI says what the server's refusal means: its reason, else why
// each field was refused, else what its code means. Never its Message,
// which is English.
func describeAPI(ae *api.Error) string {
	switch {
	case ae.Reason != nil:
		return capitalise(reasonText(ae.Reason))
	case len(ae.Fields) > 0:
		return describeFields(ae.Fields)
	}
	switch ae.Code {
	case api.CodeUnauthorized:
		return lang.L("Wrong username or password.")
	case api.CodeRateLimited:
		secs := int(math.Ceil(ae.RetryAfter.Seconds()))
		if secs < 1 {
			secs = 1
		}
		return lang.L("Too many attempts. Try again in {{.Seconds}} seconds.", map[string]any{"Seconds": secs})
	case api.CodeForbidden:
		return lang.L("You don't have permission to do that.")
	case api.CodeStale:
		return lang.L("This was changed on another device.")
	case api.CodeNotFound:
		return lang.L("It no longer exists. Someone may have removed it.")
	case api.CodeConflict:
		return lang.L("This clashes with something that already exists.")
	case api.CodeTooLarge:
		return lang.L("That is too large.")
	case api.CodeUnsupportedMedia:
		return lang.L("That kind of file can't be used.")
	case api.CodeInvalid:
		return lang.L("Some values are not valid.")
	}
	return lang.L("Something went wrong on the server. Try again later.")
}

// reasonText is why in the user's language. The English comes from api, so
// a code the translations lack still reads as a sentence.
func reasonText(why *api.Reason) string {
	english := api.ReasonText(why.Code)
	if english == "" { // a code newer than this app
		why = api.Because(api.ReasonRefused)
		english = api.ReasonText(why.Code)
	}
	return lang.X(reasonKey(why.Code), english, why.Args)
}

// reasonKey is code's message ID in the translation files.
func reasonKey(code string) string { return "error." + code }

// describeFields says why each field was refused, one line per field,
// labelled with the field's name as the pages show it.
func describeFields(fields map[string]*api.Reason) string {
	lines := make([]string, 0, len(fields))
	for f, why := range fields {
		lines = append(lines, fieldLine(f, why))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// fieldLine is "Label: reason", or the reason alone for a field no page
// names.
func fieldLine(field string, why *api.Reason) string {
	if label := fieldLabel(field); label != "" {
		return lang.L("{{.Field}}: {{.Reason}}", map[string]any{"Field": label, "Reason": reasonText(why)})
	}
	return capitalise(reasonText(why))
}

// fieldLabel is how the pages name a JSON field ("items[2]" is "items"), or
// "" for a field that has no name on any page.
func fieldLabel(field string) string {
	if i := strings.IndexByte(field, '['); i > 0 {
		field = field[:i]
	}
	switch field {
	case "first_name":
		return lang.L("First name")
	case "last_name":
		return lang.L("Last name")
	case "display_name":
		return lang.L("Display name")
	case "username":
		return lang.L("Username")
	case "time_zone":
		return lang.L("Time zone")
	case "language":
		return lang.L("Language")
	case "extra_info":
		return lang.L("Additional information")
	case "hide_mobile":
		return lang.L("Hide my mobile number from colleagues")
	case "hide_fixed":
		return lang.L("Hide my fixed number from colleagues")
	case "email_missed_calls":
		return lang.L("Email me about missed calls")
	case "email_voicemails":
		return lang.L("Email me about new voicemails")
	case "email":
		return lang.L("Email")
	case "mobile":
		return lang.L("Mobile number")
	case "code":
		return lang.L("Code")
	case "current", "password":
		return lang.L("Password")
	case "new":
		return lang.L("New password")
	case "login":
		return lang.L("Username or email")
	case "address.street":
		return lang.L("Street")
	case "address.postal_code":
		return lang.L("Postal code")
	case "address.city":
		return lang.L("City")
	case "address.country":
		return lang.L("Country")
	case "package":
		return lang.L("PBX package")
	case "items":
		return lang.L("Licenses")
	case "label", "name":
		return lang.L("Name")
	case "reason_code":
		return lang.L("Reason")
	case "add_options", "remove_options":
		return lang.L("Options")
	case "allowed":
		return lang.L("Message types")
	case "user_ids", "scope":
		return lang.L("Users")
	}
	return ""
}

// capitalise starts s with a capital letter, for a reason shown on its own.
func capitalise(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}
