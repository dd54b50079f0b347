package api

import "time"

// InvitationTTL is how long an invitation link works.
const InvitationTTL = 7 * 24 * time.Hour

// InvitationRequest is the body of POST /v1/org/invitations: who to invite
// and what their account starts with.
type InvitationRequest struct {
	Email       string `json:"email"`
	DisplayName string `json:"display_name"`
	// License is an optional license SKU, held for the invitee until the
	// invitation is accepted, revoked or expires.
	License string `json:"license,omitempty"`
	// Options maps a structure category ID to one of its option IDs.
	Options map[string]string `json:"options,omitempty"`
}

// Invitation is a pending invitation as admins see it. Its link is only
// ever in the email.
type Invitation struct {
	ID          string            `json:"id"`
	Email       string            `json:"email"`
	DisplayName string            `json:"display_name"`
	License     string            `json:"license,omitempty"`
	Options     map[string]string `json:"options"`
	InvitedBy   string            `json:"invited_by"`
	SentCount   int               `json:"sent_count"`
	CreatedAt   time.Time         `json:"created_at"`
	SentAt      time.Time         `json:"sent_at"`
	ExpiresAt   time.Time         `json:"expires_at"`
	Expired     bool              `json:"expired"`
}

// InvitationAccept is the body of POST /v1/invitations/accept: the
// invitee's chosen username and password. The answer is a signed-in
// session (Tokens).
type InvitationAccept struct {
	Token    string `json:"token"`
	Username string `json:"username"`
	Password string `json:"password"`
	Device   string `json:"device,omitempty"`
}
