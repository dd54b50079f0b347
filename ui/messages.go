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
		return lang.L("Too many attempts. Try again in {{.Seconds}} seconds.", retryAfter(ae))
	case api.CodeUnavailable:
		return lang.L("The server is busy. Try again in {{.Seconds}} seconds.", retryAfter(ae))
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

// retryAfter is the template data for ae's Retry-After, in whole seconds.
func retryAfter(ae *api.Error) map[string]any {
	return map[string]any{"Seconds": max(1, int(math.Ceil(ae.RetryAfter.Seconds())))}
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
	case api.FieldFirstName:
		return lang.L("First name")
	case api.FieldLastName:
		return lang.L("Last name")
	case api.FieldDisplayName:
		return lang.L("Display name")
	case api.FieldUsername:
		return lang.L("Username")
	case api.FieldTimeZone:
		return lang.L("Time zone")
	case api.FieldLanguage:
		return lang.L("Language")
	case api.FieldExtraInfo:
		return lang.L("Additional information")
	case api.FieldHideMobile:
		return lang.L("Hide my mobile number from colleagues")
	case api.FieldHideFixed:
		return lang.L("Hide my fixed number from colleagues")
	case api.FieldEmailMissedCalls:
		return lang.L("Email me about missed calls")
	case api.FieldEmailVoicemails:
		return lang.L("Email me about new voicemails")
	case api.FieldEmail:
		return lang.L("Email")
	case api.FieldMobile:
		return lang.L("Mobile number")
	case api.FieldCode:
		return lang.L("Code")
	case api.FieldCurrentPassword, api.FieldPassword:
		return lang.L("Password")
	case api.FieldNewPassword:
		return lang.L("New password")
	case api.FieldLogin:
		return lang.L("Username or email")
	case api.FieldAddressStreet:
		return lang.L("Street")
	case api.FieldAddressPostalCode:
		return lang.L("Postal code")
	case api.FieldAddressCity:
		return lang.L("City")
	case api.FieldAddressCountry:
		return lang.L("Country")
	case api.FieldPackage:
		return lang.L("PBX package")
	case api.FieldItems:
		return lang.L("Licenses")
	case api.FieldLabel, api.FieldName:
		return lang.L("Name")
	case api.FieldReasonCode:
		return lang.L("Reason")
	case api.FieldAddOptions, api.FieldRemoveOptions:
		return lang.L("Options")
	case api.FieldAllowed:
		return lang.L("Message types")
	case api.FieldUserIDs, api.FieldScope:
		return lang.L("Users")
	}
	return ""
}

// capitalise starts s with a capital letter, for a reason shown on its own.
func capitalise(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}
