package zxcvbn_test

import (
	"testing"

	upstream "github.com/ccojocar/zxcvbn-go"

	"github.com/phoneset/phoneset/third_party/zxcvbn"
)

// The fork only moves work out of init: it must score every kind of
// password exactly as upstream does.
func TestScoresLikeUpstream(t *testing.T) {
	for _, tc := range []struct {
		pw     string
		inputs []string
	}{
		{pw: ""},
		{pw: "password"},
		{pw: "P@ssw0rd!"},                    // l33t
		{pw: "qwertyuiop"},                   // spatial, qwerty
		{pw: "zxcvbn741852"},                 // spatial, with keypad digits
		{pw: "abcdef123456"},                 // sequences
		{pw: "aaaaaaaaaa"},                   // repeat
		{pw: "11/23/2026"},                   // date with separators
		{pw: "19870415"},                     // date without
		{pw: "jennifer2024"},                 // names
		{pw: "Tangerine-Orbit-42"},           // strong
		{pw: "correct horse battery staple"}, // English words
		{pw: "bo.agent.demo", inputs: []string{"bo", "agent", "demo"}},
		{pw: "Ünïcödé-пароль-密码"},
	} {
		got := zxcvbn.PasswordStrength(tc.pw, tc.inputs)
		want := upstream.PasswordStrength(tc.pw, tc.inputs)
		if got.Score != want.Score || got.Entropy != want.Entropy || got.CrackTime != want.CrackTime {
			t.Errorf("%q: score %d, entropy %v, crack time %v; upstream %d, %v, %v",
				tc.pw, got.Score, got.Entropy, got.CrackTime, want.Score, want.Entropy, want.CrackTime)
		}
	}
}
