// Package client is the only package that speaks HTTP to the account
// backend: a resty client for the /v1 contract in package api, with retries,
// backoff, single-flight token refresh and Idempotency-Keys.
//
// It must not import fyne.io/..., and the server must not import it.
package client
