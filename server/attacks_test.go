package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server"
)

// Attacks on two-factor sign-in, tried for real against the server on
// SQLite and PostgreSQL. Each names what an attacker holds and what they
// try; the server must refuse, and refuse the same way however the
// account is spelled.

// TestStolenTokenCannotWeakenSecondFactor: an access token without the
// password (or with it, but without a code) cannot turn the second
// factor off, read or replace the recovery codes, put a new secret over
// the one in use, or make itself a remembered device.
func TestStolenTokenCannotWeakenSecondFactor(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e, clk := newClockEnv(t)
		secret, codes := enrol(t, e, clk, "admin")
		ch, _ := challenge(t, e, "admin", "")
		r := secondFactor(e, ch, totpAt(t, secret, clk.Now()), true)
		wantStatus(t, r, 201)
		var victim api.SecondFactorTokens
		r.decode(t, &victim)
		clk.Add(30 * time.Second)
		stolen := victim.AccessToken
		adminID := e.demo.Admins[0].ID
		for _, c := range []struct {
			name   string
			r      req
			status int
		}{
			{"turn it off with a code only", req{method: "DELETE", path: "/v1/me/second-factor", body: api.SecondFactorOff{Code: totpAt(t, secret, clk.Now())}}, 422},
			{"turn it off with a recovery code only", req{method: "DELETE", path: "/v1/me/second-factor", body: api.SecondFactorOff{Code: codes[0]}}, 422},
			{"new recovery codes without the password", req{method: "POST", path: "/v1/me/second-factor/recovery-codes", body: api.PasswordProof{}}, 422},
			{"a new secret over the one in use", req{method: "POST", path: "/v1/me/second-factor", body: api.PasswordProof{Password: server.DemoPassword}}, 409},
			{"confirm a secret over the one in use", req{method: "POST", path: "/v1/me/second-factor/confirm", body: api.CodeRequest{Code: totpAt(t, secret, clk.Now())}}, 409},
			{"an enrolment with the access token as challenge", req{method: "POST", path: "/v1/sessions/second-factor/enrolment", body: api.ChallengeRequest{Challenge: stolen}}, 401},
			{"a remembered device with the access token as challenge", req{method: "POST", path: "/v1/sessions/second-factor",
				body: api.SecondFactorRequest{Challenge: stolen, Code: totpAt(t, secret, clk.Now()), RememberDevice: true}}, 401},
			// The admin route resets another member's lost phone; on the
			// admin's own account it would be "off" without a code.
			{"reset one's own second factor as admin", req{method: "DELETE", path: "/v1/org/users/" + adminID + "/second-factor",
				body: api.PasswordProof{Password: server.DemoPassword}}, 409},
		} {
			c.r.token = stolen
			if got := e.do(c.r); got.status != c.status {
				t.Errorf("%s: %d %s, want %d", c.name, got.status, got.body, c.status)
			}
		}
		var st api.SecondFactorStatus
		e.do(req{method: "GET", path: "/v1/me/second-factor", token: stolen}).decode(t, &st)
		if !st.Enabled || st.RecoveryCodesLeft != 10 {
			t.Errorf("after the attempts: %+v", st)
		}
		// The device token and the challenge are not bearer tokens.
		for name, tok := range map[string]string{"device token": victim.DeviceToken, "challenge": ch} {
			wantStatus(t, e.do(req{method: "GET", path: "/v1/me", token: tok}), 401)
			_ = name
		}
		// The code still signs in, so nothing was replaced.
		ch, _ = challenge(t, e, "admin", "")
		wantStatus(t, secondFactor(e, ch, totpAt(t, secret, clk.Now()), false), 201)
	})
}

// TestSecondFactorLockoutEverySpelling: wrong passwords and wrong codes
// count against one per-account limit whether the account is typed as
// its username, its email address, in other case or with spaces.
func TestSecondFactorLockoutEverySpelling(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e, clk := newClockEnv(t)
		secret, _ := enrol(t, e, clk, "agent1")
		spellings := []string{"agent1", "AGENT1", "agent1@demo.phoneset.test", " Agent1@DEMO.phoneset.test "}
		for i := range 4 {
			ch, _ := challenge(t, e, spellings[i], "")
			wantError(t, secondFactor(e, ch, "123456", false), 422, api.CodeInvalid)
		}
		wantError(t, e.do(req{method: "POST", path: "/v1/sessions", body: api.SignInRequest{Login: "AGENT1@demo.phoneset.test", Password: "wrong"}}),
			401, api.CodeUnauthorized)
		for _, login := range spellings {
			r := e.do(req{method: "POST", path: "/v1/sessions", body: api.SignInRequest{Login: login, Password: server.DemoPassword}})
			wantError(t, r, 429, api.CodeRateLimited)
		}
		_ = secret
	})
}

// TestChallengeTokenBounds: a sign-in challenge answers only for its own
// user, once, within its time, and not after the password changed or the
// account was deactivated.
func TestChallengeTokenBounds(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e, clk := newClockEnv(t)
		secret1, _ := enrol(t, e, clk, "agent1")
		secret2, codes2 := enrol(t, e, clk, "agent2")

		// Agent 1's challenge with agent 2's code or recovery code.
		ch, _ := challenge(t, e, "agent1", "")
		wantError(t, secondFactor(e, ch, totpAt(t, secret2, clk.Now()), false), 422, api.CodeInvalid)
		wantError(t, secondFactor(e, ch, codes2[0], false), 422, api.CodeInvalid)

		// Expired: five minutes after it was given.
		ch, _ = challenge(t, e, "agent1", "")
		clk.Add(5 * time.Minute)
		wantError(t, secondFactor(e, ch, totpAt(t, secret1, clk.Now()), false), 401, api.CodeUnauthorized)

		// A new challenge replaces the old one.
		old, _ := challenge(t, e, "agent1", "")
		ch, _ = challenge(t, e, "agent1", "")
		wantError(t, secondFactor(e, old, totpAt(t, secret1, clk.Now()), false), 401, api.CodeUnauthorized)

		// The password changes (the owner noticed): a challenge won with
		// the old one is dead.
		clk.Add(30 * time.Second)
		owner := secondFactor(e, mustChallenge(t, e, "agent1"), totpAt(t, secret1, clk.Now()), false)
		wantStatus(t, owner, 201)
		var tk api.SecondFactorTokens
		owner.decode(t, &tk)
		ch, _ = challenge(t, e, "agent1", "")
		newPassword := "Another-Pass-7-word"
		wantStatus(t, e.do(req{method: "PUT", path: "/v1/me/password", token: tk.AccessToken,
			body: api.PasswordChangeRequest{Current: server.DemoPassword, New: newPassword}}), 204)
		clk.Add(30 * time.Second)
		wantError(t, secondFactor(e, ch, totpAt(t, secret1, clk.Now()), false), 401, api.CodeUnauthorized)

		// Deactivated while the challenge waits: no session.
		ch = mustChallengeWith(t, e, "agent2", server.DemoPassword)
		adm := e.admin().AccessToken
		wantStatus(t, e.do(req{method: "POST", path: "/v1/org/users/" + e.demo.Agents[1].ID + "/deactivate", token: adm}), 200)
		r := secondFactor(e, ch, totpAt(t, secret2, clk.Now()), false)
		if r.status != 401 {
			t.Errorf("a deactivated user's challenge: %d %s", r.status, r.body)
		}
	})
}

func mustChallenge(t *testing.T, e *env, login string) string {
	t.Helper()
	return mustChallengeWith(t, e, login, server.DemoPassword)
}

func mustChallengeWith(t *testing.T, e *env, login, password string) string {
	t.Helper()
	r := e.do(req{method: "POST", path: "/v1/sessions", body: api.SignInRequest{Login: login, Password: password}})
	er := wantError(t, r, http.StatusUnauthorized, api.CodeSecondFactorRequired)
	tok, _ := er.Reason.Args["challenge"].(string)
	if !strings.HasPrefix(tok, "psc_") {
		t.Fatalf("challenge %q", tok)
	}
	return tok
}

// TestRecoveryCodeSingleUse: ten parallel uses of one recovery code, to
// sign in and to turn the second factor off, succeed once. The losers'
// wrong codes count against the account's limit, so some may be told to
// wait (429) instead.
func TestRecoveryCodeSingleUse(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e, clk := newClockEnv(t)
		secret, codes := enrol(t, e, clk, "agent1")
		race := func(what string, r func() req, win int) {
			t.Helper()
			won := 0
			for _, res := range e.race(10, func(int) req { return r() }) {
				switch res.status {
				case win:
					won++
				case 401, 409, 422, 429:
				default:
					t.Errorf("racing %s: %d %s", what, res.status, res.body)
				}
			}
			if won != 1 {
				t.Fatalf("%d of 10 racing %s with one recovery code won", won, what)
			}
		}
		ch := mustChallenge(t, e, "agent1")
		race("sign-ins", func() req {
			return req{method: "POST", path: "/v1/sessions/second-factor", body: api.SecondFactorRequest{Challenge: ch, Code: codes[0]}}
		}, 201)
		// The losers' failures have used up the account's attempts: the
		// window passes, and the owner signs in with the app's code.
		clk.Add(15 * time.Minute)
		r := secondFactor(e, mustChallenge(t, e, "agent1"), totpAt(t, secret, clk.Now()), false)
		wantStatus(t, r, 201)
		var tk api.SecondFactorTokens
		r.decode(t, &tk)
		race("turn-offs", func() req {
			return req{method: "DELETE", path: "/v1/me/second-factor", token: tk.AccessToken,
				body: api.SecondFactorOff{Password: server.DemoPassword, Code: codes[1]}}
		}, 204)
		if n := countRows(t, e, `SELECT COUNT(*) FROM recovery_codes WHERE user_id = ?`, e.demo.Agents[0].ID); n != 0 {
			t.Errorf("%d recovery codes left after turning it off", n)
		}
	})
}

// TestInvitationNoSecondFactorBypass: where the organisation requires a
// second factor, accepting an invitation (a link from a mailbox) makes the
// account but gives no session until the new member has enrolled; the
// browser's form says the account is ready.
func TestInvitationNoSecondFactorBypass(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e, clk := newClockEnv(t)
		adm := e.admin().AccessToken
		v := e.do(req{method: "GET", path: "/v1/org/second-factor", token: adm})
		ver, _ := api.ParseETag(v.header.Get("ETag"))
		wantStatus(t, e.do(req{method: "PUT", path: "/v1/org/second-factor", token: adm, body: api.SecondFactorPolicy{Policy: api.SecondFactorEveryone}, header: ifMatch(ver)}), 200)
		for _, email := range []string{"app@example.com", "browser@example.com"} {
			wantStatus(t, e.invite(adm, api.InvitationRequest{Email: email, DisplayName: "New"}), 201)
		}

		r := e.accept(e.inviteLink("app@example.com"), "newapp")
		ch, enrolFirst, ok := api.ChallengeOf(r.apiErr(t))
		if r.status != 401 || !ok || !enrolFirst {
			t.Fatalf("accept under 'everyone': %d %s, want a challenge to enrol", r.status, r.body)
		}
		if n := countRows(t, e, `SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = ?`, "newapp"); n != 0 {
			t.Errorf("%d sessions before the second factor", n)
		}
		_, tk := enrolAtSignIn(t, e, clk, ch)
		wantStatus(t, e.do(req{method: "GET", path: "/v1/me", token: tk.AccessToken}), 200)

		form := e.do(req{method: "POST", path: "/v1/invitations/accept", ctype: "application/x-www-form-urlencoded",
			body: url.Values{"token": {e.inviteLink("browser@example.com")}, "username": {"newbrowser"}, "password": {"Tangerine-Orbit-42"}}.Encode()})
		if form.status != 200 || !strings.Contains(string(form.body), "Your account is ready") {
			t.Errorf("browser accept under 'everyone': %d %s", form.status, form.body)
		}
		mustChallengeWith(t, e, "newbrowser", "Tangerine-Orbit-42")
	})
}

// TestInvitationLinkAttacks: guessing links from one address is
// throttled like the other links, so the right one waits too; and a live
// link of an organisation an operator disabled makes no account.
func TestInvitationLinkAttacks(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		adm := e.admin().AccessToken
		for _, email := range []string{"late@example.com", "guess@example.com"} {
			wantStatus(t, e.invite(adm, api.InvitationRequest{Email: email, DisplayName: "New"}), 201)
		}
		guessed, late := e.inviteLink("guess@example.com"), e.inviteLink("late@example.com")
		if _, err := e.srv.DisableOrganisation(t.Context(), e.demo.OrgID); err != nil {
			t.Fatal(err)
		}
		wantError(t, e.accept(late, "latecomer"), 422, api.CodeInvalid)
		if n := countRows(t, e, `SELECT COUNT(*) FROM users WHERE username = ?`, "latecomer"); n != 0 {
			t.Error("a disabled organisation's invitation made an account")
		}
		for i := range 29 {
			wantError(t, e.accept("psl_"+strings.Repeat("A", 42)+itoa(i%10), "guesser"), 422, api.CodeInvalid)
		}
		wantError(t, e.accept(guessed, "guesser"), 429, api.CodeRateLimited)
	})
}
