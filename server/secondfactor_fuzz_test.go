package server

import (
	"context"
	"testing"
	"time"

	"github.com/phoneset/phoneset/server/store"
)

func FuzzSecondFactorDecoder(f *testing.F) {
	fuzzJSON(f, "POST", "/v1/sessions/second-factor", false, `{"challenge":"psc_x","code":"123456","remember_device":true}`,
		`{"challenge":"psc_x","code":"abcd-efgh-ijkl-mnop"}`, `{"challenge":"psc_x","code":"１２３４５６"}`)
}

func FuzzEnrolAtSignInDecoder(f *testing.F) {
	fuzzJSON(f, "POST", "/v1/sessions/second-factor/enrolment", false, `{"challenge":"psc_x"}`)
}

func FuzzStartEnrolmentDecoder(f *testing.F) {
	fuzzJSON(f, "POST", "/v1/me/second-factor", true, `{"password":"Phoneset-demo-1"}`)
}

func FuzzConfirmEnrolmentDecoder(f *testing.F) {
	fuzzJSON(f, "POST", "/v1/me/second-factor/confirm", true, `{"code":"123456"}`, `{"code":" 123 456 "}`)
}

func FuzzSecondFactorOffDecoder(f *testing.F) {
	fuzzJSON(f, "DELETE", "/v1/me/second-factor", true, `{"password":"Phoneset-demo-1","code":"123456"}`)
}

func FuzzRecoveryCodesDecoder(f *testing.F) {
	fuzzJSON(f, "POST", "/v1/me/second-factor/recovery-codes", true, `{"password":"Phoneset-demo-1"}`)
}

func FuzzSecondFactorPolicyDecoder(f *testing.F) {
	fuzzJSON(f, "PUT", "/v1/org/second-factor", true, `{"policy":"admins"}`, `{"policy":"EVERYONE"}`)
}

func FuzzResetSecondFactorDecoder(f *testing.F) {
	fuzzJSON(f, "DELETE", "/v1/org/users/usr_demo_agent1/second-factor", true, `{"password":"Phoneset-demo-1"}`)
}

// FuzzSecondFactorCode holds the code reader to its contract: only the
// current code (six ASCII digits, spaces aside) or a recovery code of the
// user is accepted, whatever else is typed.
func FuzzSecondFactorCode(f *testing.F) {
	srv, _ := fuzzServer(f)
	const secret = "JBSWY3DPEHPK3PXP"
	at := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	srv.now = func() time.Time { return at }
	ctx := context.Background()
	codes, hashes := newRecoveryCodes("usr_demo_agent1")
	if err := srv.st.Q().SetRecoveryCodes(ctx, "usr_demo_agent1", hashes); err != nil {
		f.Fatal(err)
	}
	fac := &store.SecondFactor{UserID: "usr_demo_agent1", SecretSealed: srv.seal.seal(secret, sealTOTP("usr_demo_agent1")), ConfirmedAt: at}
	for _, s := range []string{"123456", "12 34 56", "１２３４５６", "-12345", "1234567", codes[0], "AAAA-BBBB-CCCC-DDDD", "", " ", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, code string) {
		pr, ok, err := srv.matchCode(ctx, fac, code)
		if err != nil {
			t.Fatalf("%q: %v", code, err)
		}
		if !ok {
			return
		}
		if pr.recovery == "" && totpCode(code) == "" {
			t.Fatalf("%q accepted as a TOTP code", code)
		}
		if pr.recovery != "" && len(code) < 16 {
			t.Fatalf("%q accepted as a recovery code", code)
		}
	})
}
