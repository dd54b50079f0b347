package api

import "slices"

// ActiveReasonCodes are the reason codes a user may choose for Unavailable:
// the organisation's codes that are not retired, in their order.
func ActiveReasonCodes(codes []ReasonCode) []ReasonCode {
	var out []ReasonCode
	for _, c := range codes {
		if !c.Retired {
			out = append(out, c)
		}
	}
	return out
}

// ValidateStatus returns the field errors of a status change keyed by JSON
// name, or nil: the availability must be known, and Unavailable needs one of
// ActiveReasonCodes(codes), the others none; only Unavailable takes a timer.
// The server and the app both check a change with it.
func ValidateStatus(u StatusUpdate, codes []ReasonCode) map[string]*Reason {
	switch u.Availability {
	case Online, Offline:
		if u.ReasonCode != "" {
			return map[string]*Reason{FieldReasonCode: Because(ReasonOnlyUnavailable)}
		}
		if u.Minutes != nil {
			return map[string]*Reason{FieldMinutes: Because(ReasonOnlyUnavailable)}
		}
		return nil
	case Unavailable:
		if !slices.ContainsFunc(ActiveReasonCodes(codes), func(c ReasonCode) bool { return c.Code == u.ReasonCode }) {
			return map[string]*Reason{FieldReasonCode: Because(ReasonUnknownReason)}
		}
		if u.Minutes != nil && (*u.Minutes < 0 || *u.Minutes > MaxStatusMinutes) {
			return map[string]*Reason{FieldMinutes: minutesRange(MaxStatusMinutes)}
		}
		return nil
	}
	return map[string]*Reason{FieldAvailability: OneOf(string(u.Availability), string(Online), string(Unavailable), string(Offline))}
}
