package api

import "slices"

// ValidateStatus returns the field errors of a status change keyed by JSON
// name, or nil: the availability must be known, and Unavailable needs one of
// the organisation's reason codes that is not retired (codes), the others
// none. The server and the app both check a change with it.
func ValidateStatus(u StatusUpdate, codes []ReasonCode) map[string]string {
	switch u.Availability {
	case Online, Offline:
		if u.ReasonCode != "" {
			return map[string]string{FieldReasonCode: "is only for Unavailable"}
		}
		return nil
	case Unavailable:
		if !slices.ContainsFunc(codes, func(c ReasonCode) bool { return c.Code == u.ReasonCode && !c.Retired }) {
			return map[string]string{FieldReasonCode: "must be one of your organisation's reasons"}
		}
		return nil
	}
	return map[string]string{FieldAvailability: `must be "online", "unavailable" or "offline"`}
}
