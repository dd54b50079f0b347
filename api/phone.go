package api

import (
	"strings"

	"github.com/phoneset/phoneset/third_party/phonenumbers"
)

// MaxPhoneInput bounds what is handed to libphonenumber.
const MaxPhoneInput = 40

// NormalizeMobile parses a personal mobile number typed in international
// form ("+46 70-123 45 67", "0046701234567") and returns it as E.164, or why
// it is not accepted. Numbers that cannot take an SMS code (fixed lines,
// premium rate, pagers…) are refused, since the number is verified by SMS.
func NormalizeMobile(s string) (string, *Reason) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", Because(ReasonPhoneRequired)
	}
	if len(s) > MaxPhoneInput || checkText(s, MaxPhoneInput, true) != nil {
		return "", Because(ReasonPhoneFormat)
	}
	if strings.HasPrefix(s, "00") {
		s = "+" + s[2:]
	}
	if !strings.HasPrefix(s, "+") {
		return "", Because(ReasonPhoneCountry)
	}
	n, err := phonenumbers.Parse(s, "ZZ")
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return "", Because(ReasonPhoneInvalid)
	}
	switch phonenumbers.GetNumberType(n) {
	case phonenumbers.MOBILE, phonenumbers.FIXED_LINE_OR_MOBILE:
		return phonenumbers.Format(n, phonenumbers.E164), nil
	}
	return "", Because(ReasonPhoneNotMobile)
}

// FormatPhone shows an E.164 number in international format for people
// ("+46 70 123 45 67"); anything else is returned unchanged.
func FormatPhone(e164 string) string {
	n, err := phonenumbers.Parse(e164, "ZZ")
	if err != nil {
		return e164
	}
	return phonenumbers.Format(n, phonenumbers.INTERNATIONAL)
}
