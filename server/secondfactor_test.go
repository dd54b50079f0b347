package server_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server"
	"github.com/phoneset/phoneset/server/store"
)

// totpAt is the code an authenticator app shows for secret at t.
func totpAt(t testing.TB, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// enrol turns two-factor sign-in on for login through the Security page
// routes and returns the secret and the recovery codes. The clock moves on
// one step, so the code used here is not the next sign-in's.
func enrol(t *testing.T, e *env, clk *clock, login string) (string, []string) {
	t.Helper()
	tok := e.signIn(login, server.DemoPassword).AccessToken
	r := e.do(req{method: "POST", path: "/v1/me/second-factor", token: tok, body: api.PasswordProof{Password: server.DemoPassword}})
	wantStatus(t, r, 200)
	var en api.TOTPEnrolment
	r.decode(t, &en)
	if !strings.HasPrefix(en.URI, "otpauth://totp/Phoneset:") || !strings.Contains(en.URI, "secret="+en.Secret) {
		t.Fatalf("enrolment URI %q", en.URI)
	}
	r = e.do(req{method: "POST", path: "/v1/me/second-factor/confirm", token: tok, body: api.CodeRequest{Code: totpAt(t, en.Secret, clk.Now())}})
	wantStatus(t, r, 200)
	var rc api.RecoveryCodeList
	r.decode(t, &rc)
	clk.Add(30 * time.Second)
	return en.Secret, rc.Codes
}

// challenge signs in with the password and returns the second factor
// challenge, failing unless the answer is 401 second_factor_required.
func challenge(t *testing.T, e *env, login, deviceToken string) (tok string, enrol bool) {
	t.Helper()
	r := e.do(req{method: "POST", path: "/v1/sessions", body: api.SignInRequest{Login: login, Password: server.DemoPassword, Device: "t", DeviceToken: deviceToken}})
	er := wantError(t, r, http.StatusUnauthorized, api.CodeSecondFactorRequired)
	if er.Reason == nil || er.Reason.Code != api.ReasonSecondFactor {
		t.Fatalf("no challenge reason: %s", r.body)
	}
	tok, _ = er.Reason.Args["challenge"].(string)
	enrol, _ = er.Reason.Args["enrol"].(bool)
	if !strings.HasPrefix(tok, "psc_") {
		t.Fatalf("challenge %q", tok)
	}
	return tok, enrol
}

// enrolAtSignIn answers an enrol-first challenge: a new secret, then its
// first code, which signs in with ten recovery codes.
func enrolAtSignIn(t *testing.T, e *env, clk *clock, ch string) (api.TOTPEnrolment, api.SecondFactorTokens) {
	t.Helper()
	r := e.do(req{method: "POST", path: "/v1/sessions/second-factor/enrolment", body: api.ChallengeRequest{Challenge: ch}})
	wantStatus(t, r, 200)
	var en api.TOTPEnrolment
	r.decode(t, &en)
	r = secondFactor(e, ch, totpAt(t, en.Secret, clk.Now()), false)
	wantStatus(t, r, 201)
	var tk api.SecondFactorTokens
	r.decode(t, &tk)
	if len(tk.RecoveryCodes) != 10 {
		t.Errorf("enrolled at sign-in with %d recovery codes", len(tk.RecoveryCodes))
	}
	return en, tk
}

func secondFactor(e *env, ch, code string, remember bool) resp {
	return e.do(req{method: "POST", path: "/v1/sessions/second-factor", body: api.SecondFactorRequest{Challenge: ch, Code: code, RememberDevice: remember}})
}

func countRows(t *testing.T, e *env, query string, args ...any) int {
	t.Helper()
	var n int
	if err := e.srv.Store().DB().QueryRow(rebind(e, query), args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// rebind spells ? placeholders for PostgreSQL when the test runs on it.
func rebind(e *env, q string) string {
	if e.srv.Store().Dialect() != store.Postgres {
		return q
	}
	var b strings.Builder
	n := 0
	for _, c := range q {
		if c == '?' {
			n++
			b.WriteString("$" + string(rune('0'+n)))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

func TestSecondFactorSignIn(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e, clk := newClockEnv(t)
		agent := e.demo.Agents[0]

		// A stolen access token can neither read a secret nor start one.
		tok := e.agent1().AccessToken
		r := e.do(req{method: "POST", path: "/v1/me/second-factor", token: tok, body: api.PasswordProof{}})
		wantError(t, r, 422, api.CodeInvalid)
		secret, codes := enrol(t, e, clk, agent.Login)
		if len(codes) != 10 {
			t.Fatalf("%d recovery codes", len(codes))
		}
		seen := map[string]bool{}
		for _, c := range codes {
			if !regexp.MustCompile(`^[a-z2-7]{4}(-[a-z2-7]{4}){3}$`).MatchString(c) || seen[c] {
				t.Errorf("recovery code %q", c)
			}
			seen[c] = true
		}
		// The secret is sealed at rest; the codes are hashed.
		var sealed string
		if err := e.srv.Store().DB().QueryRow(rebind(e, `SELECT secret_sealed FROM second_factors WHERE user_id = ?`), agent.ID).Scan(&sealed); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(sealed, secret) || strings.Contains(strings.ToUpper(sealed), secret) {
			t.Error("the TOTP secret is stored in the clear")
		}
		if n := countRows(t, e, `SELECT COUNT(*) FROM recovery_codes WHERE code_hash = ?`, codes[0]); n != 0 {
			t.Error("a recovery code is stored in the clear")
		}
		// Once on, the secret is never shown again.
		r = e.do(req{method: "POST", path: "/v1/me/second-factor", token: tok, body: api.PasswordProof{Password: server.DemoPassword}})
		wantError(t, r, 409, api.CodeConflict)

		// The password alone gives no session.
		sessions := countRows(t, e, `SELECT COUNT(*) FROM sessions WHERE user_id = ?`, agent.ID)
		ch, enrolFirst := challenge(t, e, agent.Login, "")
		if enrolFirst {
			t.Error("an enrolled user is asked to enrol")
		}
		if n := countRows(t, e, `SELECT COUNT(*) FROM sessions WHERE user_id = ?`, agent.ID); n != sessions {
			t.Errorf("sessions %d -> %d before the second factor", sessions, n)
		}
		// Nor does the challenge alone, or with a code.
		wantStatus(t, e.do(req{method: "GET", path: "/v1/me", token: ch}), 401)
		wantError(t, secondFactor(e, ch, "000000", false), 422, api.CodeInvalid)
		wantError(t, secondFactor(e, "psc_forged", totpAt(t, secret, clk.Now()), false), 401, api.CodeUnauthorized)

		// Concurrent answers with one code: exactly one session.
		code := totpAt(t, secret, clk.Now())
		won := 0
		for _, res := range e.race(4, func(int) req {
			return req{method: "POST", path: "/v1/sessions/second-factor", body: api.SecondFactorRequest{Challenge: ch, Code: code}}
		}) {
			if res.status == 201 {
				won++
			} else if res.status != 401 && res.status != 422 {
				t.Errorf("racing answer: %d %s", res.status, res.body)
			}
		}
		if won != 1 {
			t.Fatalf("%d of 4 racing answers signed in", won)
		}
		// The challenge is spent, and so is the code.
		clk.Add(30 * time.Second)
		wantError(t, secondFactor(e, ch, totpAt(t, secret, clk.Now()), false), 401, api.CodeUnauthorized)
		ch, _ = challenge(t, e, agent.Login, "")
		wantError(t, secondFactor(e, ch, code, false), 422, api.CodeInvalid)
		r = secondFactor(e, ch, totpAt(t, secret, clk.Now()), false)
		wantStatus(t, r, 201)
		var tk api.SecondFactorTokens
		r.decode(t, &tk)
		wantStatus(t, e.do(req{method: "GET", path: "/v1/me", token: tk.AccessToken}), 200)
		if tk.DeviceToken != "" || len(tk.RecoveryCodes) != 0 {
			t.Errorf("unasked-for extras: %s", r.body)
		}

		// A recovery code works once, typed in any case and spacing.
		clk.Add(30 * time.Second)
		ch, _ = challenge(t, e, agent.Login, "")
		wantStatus(t, secondFactor(e, ch, strings.ToUpper(strings.ReplaceAll(codes[3], "-", " ")), false), 201)
		ch, _ = challenge(t, e, agent.Login, "")
		wantError(t, secondFactor(e, ch, codes[3], false), 422, api.CodeInvalid)
		var st api.SecondFactorStatus
		e.do(req{method: "GET", path: "/v1/me/second-factor", token: tok}).decode(t, &st)
		if !st.Enabled || st.RecoveryCodesLeft != 9 || st.Required {
			t.Errorf("status %+v", st)
		}
		// Another user's recovery code is no use.
		otherSecret, otherCodes := enrol(t, e, clk, e.demo.Agents[1].Login)
		_ = otherSecret
		ch, _ = challenge(t, e, agent.Login, "")
		wantError(t, secondFactor(e, ch, otherCodes[0], false), 422, api.CodeInvalid)

		// Remember this device: 30 days without the code, then the code again.
		clk.Add(30 * time.Second)
		ch, _ = challenge(t, e, agent.Login, "")
		r = secondFactor(e, ch, totpAt(t, secret, clk.Now()), true)
		wantStatus(t, r, 201)
		r.decode(t, &tk)
		if !strings.HasPrefix(tk.DeviceToken, "psd_") {
			t.Fatalf("device token %q", tk.DeviceToken)
		}
		signIn := func(login, device string) resp {
			return e.do(req{method: "POST", path: "/v1/sessions", body: api.SignInRequest{Login: login, Password: server.DemoPassword, DeviceToken: device}})
		}
		wantStatus(t, signIn(agent.Login, tk.DeviceToken), 201)
		// Not another user's device, and not with a wrong password.
		challenge(t, e, e.demo.Agents[1].Login, tk.DeviceToken)
		wantError(t, e.do(req{method: "POST", path: "/v1/sessions", body: api.SignInRequest{Login: agent.Login, Password: "wrong", DeviceToken: tk.DeviceToken}}), 401, api.CodeUnauthorized)
		clk.Add(30*24*time.Hour + time.Second)
		challenge(t, e, agent.Login, tk.DeviceToken)
	})
}

// TestTOTPWindowEdges: a code is accepted for its own 30-second step and one
// step either side, never further, and never for a step at or before one
// already used.
func TestTOTPWindowEdges(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e, clk := newClockEnv(t)
		login := e.demo.Agents[0].Login
		secret, _ := enrol(t, e, clk, login)
		for _, tt := range []struct {
			name   string
			within time.Duration // where in the current step the server's clock is
			codeAt time.Duration // the code's time relative to the step's start
			ok     bool
		}{
			{"this step, at its start", 0, 0, true},
			{"this step, at its last millisecond", 30*time.Second - time.Millisecond, 0, true},
			{"the previous step", 0, -30 * time.Second, true},
			{"the next step", 29 * time.Second, 30 * time.Second, true},
			{"two steps back", 0, -60 * time.Second, false},
			{"two steps back, at the step's end", 30*time.Second - time.Millisecond, -31 * time.Second, false},
			{"two steps ahead", 0, 60 * time.Second, false},
		} {
			t.Run(tt.name, func(t *testing.T) {
				// Each case starts on a fresh step, five after the last.
				clk.Add(150*time.Second - time.Duration(clk.Now().UnixNano())%(30*time.Second))
				start := clk.Now()
				ch, _ := challenge(t, e, login, "")
				clk.Add(tt.within)
				r := secondFactor(e, ch, totpAt(t, secret, start.Add(tt.codeAt)), false)
				if tt.ok {
					wantStatus(t, r, 201)
				} else {
					wantError(t, r, 422, api.CodeInvalid)
				}
			})
		}
		// After a step was used, its predecessor's code is a replay too.
		clk.Add(150*time.Second - time.Duration(clk.Now().UnixNano())%(30*time.Second))
		now := clk.Now()
		ch, _ := challenge(t, e, login, "")
		wantStatus(t, secondFactor(e, ch, totpAt(t, secret, now), false), 201)
		ch, _ = challenge(t, e, login, "")
		wantError(t, secondFactor(e, ch, totpAt(t, secret, now.Add(-30*time.Second)), false), 422, api.CodeInvalid)
	})
}

// TestSecondFactorLockout: wrong codes count against the password's
// per-account lockout, and signing in with the password again does not
// reset the count.
func TestSecondFactorLockout(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e, clk := newClockEnv(t)
		login := e.demo.Agents[0].Login
		secret, codes := enrol(t, e, clk, login)
		for i := range 5 {
			ch, _ := challenge(t, e, login, "")
			wantError(t, secondFactor(e, ch, []string{"123456", "aaaa-bbbb-cccc-dddd"}[i%2], false), 422, api.CodeInvalid)
		}
		// Locked: the password, the right code and a recovery code all wait.
		r := e.do(req{method: "POST", path: "/v1/sessions", body: api.SignInRequest{Login: login, Password: server.DemoPassword}})
		wantError(t, r, 429, api.CodeRateLimited)
		if r.header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
		clk.Add(15 * time.Minute)
		ch, _ := challenge(t, e, login, "")
		clk.Add(-15 * time.Minute)
		wantError(t, secondFactor(e, ch, totpAt(t, secret, clk.Now()), false), 429, api.CodeRateLimited)
		wantError(t, secondFactor(e, ch, codes[0], false), 429, api.CodeRateLimited)
		// The window passes; then a success clears the count.
		clk.Add(15 * time.Minute)
		wantStatus(t, secondFactor(e, ch, totpAt(t, secret, clk.Now()), false), 201)
		evs, err := e.srv.Store().Q().AuditEvents(t.Context(), store.AuditFilter{OrgID: e.demo.OrgID, Action: "session.second_factor_failed", Limit: 50})
		if err != nil || len(evs) != 5 {
			t.Errorf("%d failed second factors audited, want 5 (%v)", len(evs), err)
		}
	})
}

// TestSecondFactorOff: turning it off needs the password and a code, and the
// email address hears of it; the organisation's policy can forbid it.
func TestSecondFactorOff(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e, clk := newClockEnv(t)
		agent := e.demo.Agents[0]
		secret, codes := enrol(t, e, clk, agent.Login)
		ch, _ := challenge(t, e, agent.Login, "")
		r := secondFactor(e, ch, totpAt(t, secret, clk.Now()), true)
		var tk api.SecondFactorTokens
		r.decode(t, &tk)
		clk.Add(30 * time.Second)
		off := func(pw, code string) resp {
			return e.do(req{method: "DELETE", path: "/v1/me/second-factor", token: tk.AccessToken, body: api.SecondFactorOff{Password: pw, Code: code}})
		}
		var email string
		if err := e.srv.Store().DB().QueryRow(rebind(e, `SELECT email FROM users WHERE id = ?`), agent.ID).Scan(&email); err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct{ name, pw, code, field string }{
			{"a stolen token alone", "", "", "password"},
			{"the password without a code", server.DemoPassword, "", "code"},
			{"a code without the password", "", totpAt(t, secret, clk.Now()), "password"},
			{"the password and a wrong code", server.DemoPassword, "999999", "code"},
		} {
			er := wantError(t, off(tt.pw, tt.code), 422, api.CodeInvalid)
			if er.Fields[tt.field] == nil {
				t.Errorf("%s: refused, but not for %s: %+v", tt.name, tt.field, er)
			}
		}
		// An organisation that requires it keeps it on.
		adm := e.admin().AccessToken
		v := e.do(req{method: "GET", path: "/v1/org/second-factor", token: adm})
		ver, _ := api.ParseETag(v.header.Get("ETag"))
		wantStatus(t, e.do(req{method: "PUT", path: "/v1/org/second-factor", token: adm, body: api.SecondFactorPolicy{Policy: "everyone"}, header: ifMatch(ver)}), 200)
		wantError(t, off(server.DemoPassword, totpAt(t, secret, clk.Now())), 409, api.CodeConflict)
		wantError(t, e.do(req{method: "PUT", path: "/v1/org/second-factor", token: adm, body: api.SecondFactorPolicy{Policy: "optional"}, header: ifMatch(ver)}), 412, api.CodeStale)
		wantStatus(t, e.do(req{method: "PUT", path: "/v1/org/second-factor", token: adm, body: api.SecondFactorPolicy{Policy: "optional"}, header: ifMatch(ver + 1)}), 200)

		wantStatus(t, off(server.DemoPassword, codes[0]), 204)
		m, ok := e.srv.Outbox().Last(email)
		if !ok || m.Subject != "Two-factor sign-in was turned off" {
			t.Errorf("no email about it: %+v", m)
		}
		// Everything went: the password signs in, the device token is dead.
		if n := countRows(t, e, `SELECT COUNT(*) FROM trusted_devices WHERE user_id = ?`, agent.ID) +
			countRows(t, e, `SELECT COUNT(*) FROM recovery_codes WHERE user_id = ?`, agent.ID); n != 0 {
			t.Errorf("%d remembered devices and recovery codes left", n)
		}
		e.signIn(agent.Login, server.DemoPassword)
		evs, err := e.srv.Store().Q().AuditEvents(t.Context(), storeFilter(e.demo.OrgID, "user/"+agent.ID+"/second-factor"))
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, ev := range evs {
			actions = append(actions, ev.Action+":"+ev.Old+"->"+ev.New)
		}
		if got := strings.Join(actions, " "); got != "second_factor.disable:on->off second_factor.enable:off->on second_factor.enrol:->pending" {
			t.Errorf("audit: %s", got)
		}
	})
}

// TestSecondFactorPolicy: an organisation that requires a second factor
// walks its members through enrolment at their next sign-in, and an admin
// can reset a member's.
func TestSecondFactorPolicy(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e, clk := newClockEnv(t)
		adm := e.admin().AccessToken
		put := func(policy string) {
			t.Helper()
			v := e.do(req{method: "GET", path: "/v1/org/second-factor", token: adm})
			ver, _ := api.ParseETag(v.header.Get("ETag"))
			wantStatus(t, e.do(req{method: "PUT", path: "/v1/org/second-factor", token: adm, body: api.SecondFactorPolicy{Policy: policy}, header: ifMatch(ver)}), 200)
		}
		wantError(t, e.do(req{method: "PUT", path: "/v1/org/second-factor", token: adm, body: api.SecondFactorPolicy{Policy: "sometimes"}, header: ifMatch(1)}), 422, api.CodeInvalid)
		put(api.SecondFactorAdmins)

		// Admins enrol at sign-in; agents are not asked.
		e.agent1()
		ch, enrolFirst := challenge(t, e, "admin", "")
		if !enrolFirst {
			t.Fatal("an admin without a second factor is not asked to enrol")
		}
		// No code can be right before enrolment starts.
		wantError(t, secondFactor(e, ch, "123456", false), 422, api.CodeInvalid)
		en, tk := enrolAtSignIn(t, e, clk, ch)
		clk.Add(30 * time.Second)
		// From now on the admin gives a code, and the secret stays hidden.
		ch, enrolFirst = challenge(t, e, "admin", "")
		if enrolFirst {
			t.Error("asked to enrol again")
		}
		wantError(t, e.do(req{method: "POST", path: "/v1/sessions/second-factor/enrolment", body: api.ChallengeRequest{Challenge: ch}}), 409, api.CodeConflict)
		r := secondFactor(e, ch, totpAt(t, en.Secret, clk.Now()), false)
		wantStatus(t, r, 201)
		r.decode(t, &tk)
		adm = tk.AccessToken

		put(api.SecondFactorEveryone)
		_, enrolFirst = challenge(t, e, "agent1", "")
		if !enrolFirst {
			t.Error("policy everyone: an agent is not asked to enrol")
		}
		put(api.SecondFactorOptional)
		secret, _ := enrol(t, e, clk, "agent1")
		_ = secret
		var org api.OrgSecondFactor
		e.do(req{method: "GET", path: "/v1/org/second-factor", token: adm}).decode(t, &org)
		on := map[string]bool{}
		for _, m := range org.Members {
			on[m.ID] = m.Enabled
		}
		if org.Policy != "optional" || !on[e.demo.Admins[0].ID] || !on[e.demo.Agents[0].ID] || on[e.demo.Agents[1].ID] {
			t.Errorf("org view %+v", org)
		}

		// The admin resets the agent's second factor, with their password.
		agentID := e.demo.Agents[0].ID
		reset := func(id, pw string) resp {
			return e.do(req{method: "DELETE", path: "/v1/org/users/" + id + "/second-factor", token: adm, body: api.PasswordProof{Password: pw}})
		}
		wantError(t, reset(agentID, "wrong"), 422, api.CodeInvalid)
		wantError(t, reset("usr_nobody", server.DemoPassword), 404, api.CodeNotFound)
		wantStatus(t, reset(agentID, server.DemoPassword), 204)
		wantError(t, reset(agentID, server.DemoPassword), 409, api.CodeConflict)
		e.agent1() // no code asked any more
		evs, err := e.srv.Store().Q().AuditEvents(t.Context(), store.AuditFilter{OrgID: e.demo.OrgID, Action: "second_factor.reset", Limit: 10})
		if err != nil || len(evs) != 1 || evs[0].ActorID != e.demo.Admins[0].ID || evs[0].Resource != "user/"+agentID+"/second-factor" {
			t.Errorf("reset audit: %+v %v", evs, err)
		}
		pol, err := e.srv.Store().Q().AuditEvents(t.Context(), store.AuditFilter{OrgID: e.demo.OrgID, Action: "org.update", Limit: 10})
		if err != nil || len(pol) != 3 || pol[0].Field != "second_factor_policy" || pol[0].Old != "everyone" || pol[0].New != "optional" {
			t.Errorf("policy audit: %+v %v", pol, err)
		}
	})
}

// TestHostileSecondFactorInput: odd codes and challenges are refused as
// wrong (422) or unknown (401), never a 5xx, and give no session.
func TestHostileSecondFactorInput(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e, clk := newClockEnv(t)
		login := e.demo.Agents[0].Login
		secret, _ := enrol(t, e, clk, login)
		good := totpAt(t, secret, clk.Now())
		full := strings.Map(func(r rune) rune { return r - '0' + '０' }, good) // full-width digits
		for _, tt := range []struct {
			name, challenge, code string
			status                int
		}{
			{"full-width digits", "", full, 422},
			{"Arabic-Indic digits", "", "٠١٢٣٤٥", 422},
			{"five digits", "", good[:5], 422},
			{"seven digits", "", good + "0", 422},
			{"a sign", "", "-" + good[1:], 422},
			{"SQL", "", "' OR '1'='1", 422},
			{"a recovery code's shape", "", "' OR-1=1-- -xxxx", 422},
			{"10 000 characters", "", strings.Repeat("1", 10000), 422},
			{"markup", "", "<script>alert(1)</script>", 422},
			{"empty", "", "", 422},
			{"a forged challenge", "psc_" + strings.Repeat("A", 43), good, 401},
			{"a challenge of another kind", "psr_x", good, 401},
			{"an overlong challenge", "psc_" + strings.Repeat("A", 200), good, 401},
			{"a SQL challenge", "psc_' OR '1'='1", good, 401},
		} {
			ch := tt.challenge
			if ch == "" {
				ch, _ = challenge(t, e, login, "")
			}
			r := secondFactor(e, ch, tt.code, false)
			if r.status != tt.status {
				t.Errorf("%s: %d %s, want %d", tt.name, r.status, truncate(r.body), tt.status)
			}
			// Stay under the lockout: the attempts here are not the point.
			clk.Add(15 * time.Minute)
		}
		if n := countRows(t, e, `SELECT COUNT(*) FROM sessions WHERE user_id = ?`, e.demo.Agents[0].ID); n != 1 {
			t.Errorf("%d sessions, want only enrol's", n)
		}
	})
}

// TestSecondFactorOtherSecret: a secret sealed under another server secret
// (a lost or mismatched key) refuses every code as wrong, never a 500, and
// an admin's reset lets the member in with the password again.
func TestSecondFactorOtherSecret(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e, clk := newClockEnv(t)
		login := e.demo.Agents[0].Login
		secret, _ := enrol(t, e, clk, login)
		if _, err := e.srv.Store().DB().Exec(`UPDATE second_factors SET secret_sealed = 'bm90LXNlYWxlZC1oZXJlLWF0LWFsbC0xMjM0NTY3OA'`); err != nil {
			t.Fatal(err)
		}
		ch, _ := challenge(t, e, login, "")
		wantError(t, secondFactor(e, ch, totpAt(t, secret, clk.Now()), false), 422, api.CodeInvalid)
		r := e.do(req{method: "DELETE", path: "/v1/org/users/" + e.demo.Agents[0].ID + "/second-factor", token: e.admin().AccessToken,
			body: api.PasswordProof{Password: server.DemoPassword}})
		wantStatus(t, r, 204)
		e.signIn(login, server.DemoPassword)
	})
}
