package api

// Wire types added with the account backend (server/). They complete the
// contract in types.go for the endpoints listed in openapi.yaml.

// SignedOut answers DELETE /v1/me/sessions: how many other sessions ended.
type SignedOut struct {
	Count int64 `json:"signed_out"`
}

// TokenRequest carries a token from an emailed link:
// POST /v1/me/email/confirm and POST /v1/email/confirm.
type TokenRequest struct {
	Token string `json:"token"`
}
