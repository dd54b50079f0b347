package api

import (
	"strings"
	"testing"
)

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		pw, username, email string
		failed              []string // rules that must fail; the rest must pass
	}{
		{pw: "Phoneset-demo-1", username: "admin", email: "admin@demo.phoneset.test"},
		{pw: "Xk9#mPq2v!", username: "agent1", email: "agent1@example.com"},
		{pw: "Åsa-Öberg-71x", username: "", email: ""},
		{pw: "Xk9#mPq", failed: []string{RuleLength}},
		{pw: "xk9#mpq2v!", failed: []string{RuleUpper}},
		{pw: "XK9#MPQ2V!", failed: []string{RuleLower}},
		{pw: "Xkz#mPqav!", failed: []string{RuleDigit}},
		{pw: "Xk9qmPq2vA", failed: []string{RuleSpecial}},
		{pw: "Password1!", failed: []string{RuleNotCommon}},
		{pw: "Summer2024!", failed: []string{RuleNotCommon}},
		{pw: "Qwerty123!", failed: []string{RuleNotCommon}},
		{pw: "Aa1!aaaa", failed: []string{RuleNotCommon}},
		{pw: "Agent1-Rules-9", username: "agent1", email: "bo@example.com", failed: []string{RuleNotPersona}},
		{pw: "My-Bo.Agent-77x", username: "zzz", email: "bo.agent@example.com", failed: []string{RuleNotPersona}},
		{pw: "Aa1!" + strings.Repeat("xY7$", 40), failed: []string{RuleLength}},
		{pw: "", failed: []string{RuleLength, RuleUpper, RuleLower, RuleDigit, RuleSpecial, RuleNotCommon}},
		{pw: "Ab1!\xff\xfeXyZq", failed: []string{RuleLength}},
	}
	for _, tt := range tests {
		r := CheckPassword(tt.pw, tt.username, tt.email)
		want := map[string]bool{}
		for _, f := range tt.failed {
			want[f] = true
		}
		if len(r.Checks) != 7 {
			t.Fatalf("%d checks", len(r.Checks))
		}
		for _, c := range r.Checks {
			if c.OK == want[c.Rule] {
				t.Errorf("CheckPassword(%q): rule %s ok=%v", tt.pw, c.Rule, c.OK)
			}
			if ruleReasons[c.Rule] == nil {
				t.Errorf("rule %s has no reason", c.Rule)
			}
		}
		if r.OK != (len(tt.failed) == 0) || (ValidatePassword(tt.pw, tt.username, tt.email) == nil) != r.OK {
			t.Errorf("CheckPassword(%q).OK = %v", tt.pw, r.OK)
		}
	}
}

func TestIsCommonPassword(t *testing.T) {
	tests := map[string]bool{
		"123456": true, "PASSWORD": true, "password1!": true, "!!Dragon99": true, "letmein": true,
		"Phoneset-demo-1": false, "zq8#Lm2!": false, "1234": true, "ab12": false,
	}
	for pw, want := range tests {
		if got := IsCommonPassword(pw); got != want {
			t.Errorf("IsCommonPassword(%q) = %v, want %v", pw, got, want)
		}
	}
	if n := len(commonPasswords()); n != 10000 {
		t.Errorf("common list has %d entries, want 10000", n)
	}
}

func FuzzCheckPassword(f *testing.F) {
	for _, s := range []string{"Phoneset-demo-1", "", "Password1!", "\xff", strings.Repeat("aA1!", 50)} {
		f.Add(s, "admin", "admin@example.com")
	}
	f.Fuzz(func(t *testing.T, pw, username, email string) {
		r := CheckPassword(pw, username, email)
		if r.Score < 0 || r.Score > 4 || r.OK != (r.Failed() == nil) {
			t.Fatalf("CheckPassword(%q) = %+v", pw, r)
		}
	})
}
