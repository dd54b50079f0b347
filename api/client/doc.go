// Package client is the only package that speaks HTTP to the account
// backend: a resty client for the /v1 contract in package api, with retries,
// backoff, single-flight token refresh and Idempotency-Keys.
//
// It must not import fyne.io/...; the server must not link it (its tests
// may use it to talk to a running server).
package client
