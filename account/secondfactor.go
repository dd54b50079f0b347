package account

import (
	"context"

	"github.com/phoneset/phoneset/api"
)

// SignInSecondFactor finishes a sign-in that SignIn answered with a
// challenge, with a code from the authenticator app or a recovery code.
// remember keeps a device token in the OS keyring (never on disk) that
// skips the code here for 30 days. After an enrolment at sign-in it returns
// the recovery codes to show once.
func (m *Model) SignInSecondFactor(ctx context.Context, challenge, code string, remember bool) ([]string, error) {
	t, err := m.c.SignInSecondFactor(ctx, api.SecondFactorRequest{Challenge: challenge, Code: code, RememberDevice: remember})
	if err != nil {
		return nil, err
	}
	if t.DeviceToken != "" {
		m.setKeyringErr(m.kr.saveDevice(m.cfg.Server, t.DeviceToken))
	}
	return t.RecoveryCodes, m.signedIn(ctx)
}

// EnrolAtSignIn gets a new secret to set up, for a challenge whose
// organisation requires a second factor this account does not have yet.
func (m *Model) EnrolAtSignIn(ctx context.Context, challenge string) (api.TOTPEnrolment, error) {
	return m.c.EnrolAtSignIn(ctx, challenge)
}
