package api

import "time"

// Wire types added with the account backend (server/). They complete the
// contract in types.go for the endpoints listed in openapi.yaml.

// SignedOut answers DELETE /v1/me/sessions: how many other sessions ended.
type SignedOut struct {
	Count int64 `json:"signed_out"`
}

// InFlight is how many requests the server is handling (development only).
type InFlight struct {
	Requests int64 `json:"requests"`
}

// TokenRequest carries a token from an emailed link:
// POST /v1/me/email/confirm and POST /v1/email/confirm.
type TokenRequest struct {
	Token string `json:"token"`
}

// DevMessage is an email or text the server would have sent, as its
// development outbox lists them.
type DevMessage struct {
	ID      int64     `json:"id"`
	Channel string    `json:"channel"` // "email" or "sms"
	To      string    `json:"to"`
	Subject string    `json:"subject"`
	Body    string    `json:"body"`
	At      time.Time `json:"at"`
}
