package api

import "time"

// PermSupervisor lets a user see and set the status of the agents who hold
// one of the structure options of their scope (SupervisorScope).
const PermSupervisor = "supervisor"

// Events of the stream GET /v1/me/events (text/event-stream). Each event's
// id is an opaque resume point: a client that reconnects sends the last
// one it saw as Last-Event-ID and gets the changes it missed.
const (
	// EventStatus carries a StatusEvent: the status of the signed-in user
	// or of one of their agents changed.
	EventStatus = "status"
	// EventEnd carries an EventEndBody and closes the stream: the session
	// ended (code unauthorized: sign in again) or the stream fell behind
	// or the server is going away (code resync: reconnect and resume).
	EventEnd = "end"
)

// End codes of EventEnd besides CodeUnauthorized.
const CodeResync = "resync"

// StatusEvent is the data of an EventStatus event.
type StatusEvent struct {
	UserID string `json:"user_id"`
	Status Status `json:"status"`
}

// EventEndBody is the data of an EventEnd event.
type EventEndBody struct {
	Code string `json:"code"`
}

// AgentStatus is one agent of GET /v1/supervisor/agents.
type AgentStatus struct {
	ID          string `json:"id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Status      Status `json:"status"`
}

// SupervisorScope is the body of PUT /v1/org/users/{id}/supervisor: the
// structure options whose holders the user supervises.
type SupervisorScope struct {
	OptionIDs []string `json:"option_ids"`
}

// Supervisor is one entry of GET /v1/org/supervisors.
type Supervisor struct {
	UserID    string   `json:"user_id"`
	OptionIDs []string `json:"option_ids"`
}

// StatusTime is how long an agent spent in one status.
type StatusTime struct {
	Availability Availability `json:"availability"`
	ReasonCode   string       `json:"reason_code,omitempty"`
	Seconds      int64        `json:"seconds"`
}

// TimeInStatus is one agent of GET /v1/supervisor/time-in-status: their
// time per status from From (the start of the supervisor's day) to To
// (now), largest first.
type TimeInStatus struct {
	UserID      string       `json:"user_id"`
	DisplayName string       `json:"display_name"`
	From        time.Time    `json:"from"`
	To          time.Time    `json:"to"`
	Times       []StatusTime `json:"times"`
}
