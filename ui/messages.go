package ui

import (
	"errors"
	"math"

	"fyne.io/fyne/v2/lang"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/api/client"
)

// describe turns an error from the account model into a sentence a user can
// act on. Field errors are shown beside their fields, not here.
func describe(err error) string {
	var ae *api.Error
	var te *client.TransportError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &te):
		return lang.L("Can't reach the server. Check your connection and try again.")
	case errors.As(err, &ae):
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
		}
		if ae.Message != "" {
			return ae.Message
		}
	}
	return err.Error()
}
