// Package testenv lets tests that need a real service (PostgreSQL, PulseAudio,
// a Secret Service keyring, an X display) find it through environment
// variables exported by scripts/test.sh.
package testenv

import (
	"os"
	"os/exec"
	"runtime/debug"
	"testing"
)

// RequireServicesVar, when "1", turns a missing service from a skip into a
// failure: `make test` starts every service, so a skip there would hide a
// broken harness.
const RequireServicesVar = "PHONESET_REQUIRE_SERVICES"

// Require returns the value of envVar. When it is empty the test is skipped,
// or fails if RequireServicesVar is "1". what names the service in the message.
func Require(t testing.TB, envVar, what string) string {
	t.Helper()
	v := os.Getenv(envVar)
	if v == "" {
		missing(t, what, envVar+" not set")
	}
	return v
}

// RequireCommand returns the path of a program a test runs, such as
// soffice. When it is not installed the test is skipped, or fails if
// RequireServicesVar is "1".
func RequireCommand(t testing.TB, name, what string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		missing(t, what, name+" not installed")
	}
	return path
}

// missing ends a test whose service is not there: a skip, or a failure
// when every service is required.
func missing(t testing.TB, what, why string) {
	t.Helper()
	if os.Getenv(RequireServicesVar) == "1" {
		t.Fatalf("%s required: %s", what, why)
	}
	t.Skipf("%s not available: %s", what, why)
}

// BuildTags returns the build tags this test binary was built with, for tests
// that run `go build` or `go list` themselves: they then build what the suite
// tests, and the tag list is written only in scripts/env.sh.
func BuildTags() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "-tags" {
				return s.Value
			}
		}
	}
	return ""
}
