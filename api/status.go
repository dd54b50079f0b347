package api

import "slices"

// ValidateStatus returns the field errors of a status change keyed by JSON
// name, or nil: the availability must be known, and Unavailable needs one of
// the organisation's reason codes that is not retired (codes), the others
// none. The server and the app both check a change with it.
func ValidateStatus(u StatusUpdate, codes []ReasonCode) map[string]*Reason {
	switch u.Availability {
	case Online, Offline:
		if u.ReasonCode != "" {
			return map[string]*Reason{FieldReasonCode: Because(ReasonOnlyUnavailable)}
		}
		return nil
	case Unavailable:
		if !slices.ContainsFunc(codes, func(c ReasonCode) bool { return c.Code == u.ReasonCode && !c.Retired }) {
			return map[string]*Reason{FieldReasonCode: Because(ReasonUnknownReason)}
		}
		return nil
	}
	return map[string]*Reason{FieldAvailability: OneOf(string(u.Availability), string(Online), string(Unavailable), string(Offline))}
}
