package api

// Timed statuses and the organisation's presence policy.

// MaxStatusMinutes bounds a timer and a reason code's default duration: a
// working day.
const MaxStatusMinutes = 12 * 60

// MaxIdleMinutes bounds the idle time before an agent is set Unavailable.
const MaxIdleMinutes = 240

// Presence is GET/PUT /v1/org/presence and part of OrgSummary: what the app
// does when the agent's session locks or idles. The app sets an Online
// agent Unavailable with AwayReasonCode ("" = the first active reason) on
// lock when LockAway, and after IdleMinutes without input (0 = never); on
// unlock it asks "Back Online?" unless AutoOnline.
type Presence struct {
	Version        int64  `json:"version"`
	LockAway       bool   `json:"lock_away"`
	AwayReasonCode string `json:"away_reason_code"`
	IdleMinutes    int    `json:"idle_minutes"`
	AutoOnline     bool   `json:"auto_online"`
}

// DefaultPresence is an organisation's policy until an admin changes it:
// away on lock, not on idle, back Online only when the agent says so.
var DefaultPresence = Presence{Version: 1, LockAway: true}

// PresenceUpdate is the body of PUT /v1/org/presence.
type PresenceUpdate struct {
	LockAway       bool   `json:"lock_away"`
	AwayReasonCode string `json:"away_reason_code"`
	IdleMinutes    int    `json:"idle_minutes"`
	AutoOnline     bool   `json:"auto_online"`
}

// StatusExtend is the body of POST /v1/me/status/extend: minutes added to
// the running timer.
type StatusExtend struct {
	Minutes int `json:"minutes"`
}

// AwayReason is the reason code the app sets on lock or idle: the policy's,
// if still active, else the first active one; "" when there is none.
func AwayReason(p Presence, codes []ReasonCode) string {
	active := ActiveReasonCodes(codes)
	for _, c := range active {
		if c.Code == p.AwayReasonCode {
			return c.Code
		}
	}
	if len(active) == 0 {
		return ""
	}
	return active[0].Code
}

func minutesRange(max int) *Reason {
	return &Reason{Code: ReasonNumberRange, Args: Args{"min": 0, "max": max}}
}

// ValidatePresence returns the field errors of a policy change, or nil.
func ValidatePresence(u PresenceUpdate, codes []ReasonCode) map[string]*Reason {
	fields := map[string]*Reason{}
	if u.AwayReasonCode != "" && AwayReason(Presence{AwayReasonCode: u.AwayReasonCode}, codes) != u.AwayReasonCode {
		fields[FieldAwayReasonCode] = Because(ReasonUnknownReason)
	}
	if u.IdleMinutes < 0 || u.IdleMinutes > MaxIdleMinutes {
		fields[FieldIdleMinutes] = minutesRange(MaxIdleMinutes)
	}
	if len(fields) == 0 {
		return nil
	}
	return fields
}

// ValidateTimer checks a reason code's default duration and what follows it.
func ValidateTimer(minutes int, then Availability) map[string]*Reason {
	fields := map[string]*Reason{}
	if minutes < 0 || minutes > MaxStatusMinutes {
		fields[FieldMinutes] = minutesRange(MaxStatusMinutes)
	}
	if then != Online && then != Offline {
		fields[FieldThen] = OneOf(string(then), string(Online), string(Offline))
	}
	if len(fields) == 0 {
		return nil
	}
	return fields
}

// ValidateExtend checks the minutes an Extend adds.
func ValidateExtend(e StatusExtend) map[string]*Reason {
	if e.Minutes < 1 || e.Minutes > MaxStatusMinutes {
		return map[string]*Reason{FieldMinutes: {Code: ReasonNumberRange, Args: Args{"min": 1, "max": MaxStatusMinutes}}}
	}
	return nil
}
