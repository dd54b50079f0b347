package sso_test

import (
	"context"
	"testing"

	"github.com/phoneset/phoneset/api"
)

// TestDeactivatedRefused: a deactivated member signs in through the
// identity provider no more than with a password, and is let in again once
// reactivated.
func TestDeactivatedRefused(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		op := newFakeOP(t)
		e := op.env(t, db, api.SSOSettingsUpdate{Enabled: true})
		op.token = func(g grant) string {
			return op.sign(op.claims(g.nonce, "sub-bo", "agent1@demo.phoneset.test", true))
		}
		if _, err := e.login(t, "agent1@demo.phoneset.test"); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if _, err := e.admin.DeactivateUser(ctx, "usr_demo_agent1"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.login(t, "agent1@demo.phoneset.test"); reasonOf(err) != api.ReasonAccountDisabled {
			t.Errorf("deactivated user through SSO: %v", err)
		}
		if _, err := e.admin.ReactivateUser(ctx, "usr_demo_agent1"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.login(t, "agent1@demo.phoneset.test"); err != nil {
			t.Errorf("reactivated user through SSO: %v", err)
		}
	})
}
