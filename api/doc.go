// Package api is Phoneset's wire contract: the JSON types exchanged with the
// account backend under /v1, the error format, the validation rules that both
// the server and the app apply, openapi.yaml, and the resty client.
//
// It must not import fyne.io/...: the server and the account model use it.
package api
