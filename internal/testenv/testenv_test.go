package testenv

import (
	"fmt"
	"runtime"
	"testing"
)

// fakeTB records how Require ended the test. Fatalf and Skipf stop the
// calling goroutine like the real ones do, so code after them must not run.
type fakeTB struct {
	testing.TB
	failed, skipped bool
	msg             string
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.failed = true
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (f *fakeTB) Skipf(format string, args ...any) {
	f.skipped = true
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// run calls require on its own goroutine so Goexit ends only that
// goroutine.
func run(require func(testing.TB, string, string) string, arg, what string) (*fakeTB, string, bool) {
	f := &fakeTB{}
	var got string
	returned := false
	done := make(chan struct{})
	go func() {
		defer close(done)
		got = require(f, arg, what)
		returned = true
	}()
	<-done
	return f, got, returned
}

func TestRequire(t *testing.T) {
	const v = "PHONESET_TESTENV_PROBE"
	tests := []struct {
		name, value, require string
		wantValue            string
		wantReturn           bool
		wantFail, wantSkip   bool
		wantMsg              string
	}{
		{name: "set", value: "postgres://x", require: "", wantValue: "postgres://x", wantReturn: true},
		{name: "set while required", value: "1", require: "1", wantValue: "1", wantReturn: true},
		{name: "unset skips", require: "", wantSkip: true, wantMsg: "PostgreSQL not available: " + v + " not set"},
		{name: "unset skips unless exactly 1", require: "yes", wantSkip: true, wantMsg: "PostgreSQL not available: " + v + " not set"},
		{name: "unset fails when required", require: "1", wantFail: true, wantMsg: "PostgreSQL required: " + v + " not set"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(v, tc.value)
			t.Setenv(RequireServicesVar, tc.require)
			f, got, returned := run(Require, v, "PostgreSQL")
			if returned != tc.wantReturn || got != tc.wantValue {
				t.Errorf("returned=%v value=%q, want returned=%v value=%q", returned, got, tc.wantReturn, tc.wantValue)
			}
			if f.failed != tc.wantFail || f.skipped != tc.wantSkip {
				t.Errorf("failed=%v skipped=%v, want failed=%v skipped=%v", f.failed, f.skipped, tc.wantFail, tc.wantSkip)
			}
			if f.msg != tc.wantMsg {
				t.Errorf("message %q, want %q", f.msg, tc.wantMsg)
			}
		})
	}
}

func TestRequireCommand(t *testing.T) {
	const absent = "phoneset-no-such-program"
	tests := []struct {
		name, command, require string
		wantFound              bool
		wantFail, wantSkip     bool
		wantMsg                string
	}{
		{name: "installed", command: "go", wantFound: true},
		{name: "installed while required", command: "go", require: "1", wantFound: true},
		{name: "missing skips", command: absent, wantSkip: true, wantMsg: "Tool not available: " + absent + " not installed"},
		{name: "missing fails when required", command: absent, require: "1", wantFail: true, wantMsg: "Tool required: " + absent + " not installed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(RequireServicesVar, tc.require)
			f, got, returned := run(RequireCommand, tc.command, "Tool")
			if returned != tc.wantFound || (got != "") != tc.wantFound {
				t.Errorf("returned=%v path=%q, want found=%v", returned, got, tc.wantFound)
			}
			if f.failed != tc.wantFail || f.skipped != tc.wantSkip || f.msg != tc.wantMsg {
				t.Errorf("failed=%v skipped=%v message %q, want %v %v %q", f.failed, f.skipped, f.msg, tc.wantFail, tc.wantSkip, tc.wantMsg)
			}
		})
	}
}
