// Package api is Phoneset's wire contract: the JSON types exchanged with the
// account backend under /v1, the error format and codes, ETags, the
// validation rules that both the server and the app apply, and openapi.yaml.
//
// It must not import fyne.io/... nor an HTTP client: the server imports it,
// and the resty client lives in api/client.
package api
