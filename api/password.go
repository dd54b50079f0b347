package api

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/phoneset/phoneset/third_party/zxcvbn"
)

// Password policy limits, in characters.
const (
	MinPasswordLen = 8
	MaxPasswordLen = 128
	// MinPasswordScore is the lowest zxcvbn score (0–4) accepted.
	MinPasswordScore = 2
	// zxcvbnMaxRunes bounds the strength estimate, whose cost grows faster
	// than linearly; a longer password is judged on its first runes.
	zxcvbnMaxRunes = 64
)

// Password rules, in the order the checklist shows them.
const (
	RuleLength     = "length"
	RuleUpper      = "upper"
	RuleLower      = "lower"
	RuleDigit      = "digit"
	RuleSpecial    = "special"
	RuleNotCommon  = "not_common"
	RuleNotPersona = "not_personal"
)

// PasswordCheck is one line of the password checklist.
type PasswordCheck struct {
	Rule string `json:"rule"`
	OK   bool   `json:"ok"`
}

// ruleReasons say why a password breaks each rule.
var ruleReasons = map[string]*Reason{
	RuleLength:     {Code: ReasonPasswordLength, Args: Args{"min": MinPasswordLen, "max": MaxPasswordLen}},
	RuleUpper:      {Code: ReasonPasswordUpper},
	RuleLower:      {Code: ReasonPasswordLower},
	RuleDigit:      {Code: ReasonPasswordDigit},
	RuleSpecial:    {Code: ReasonPasswordSpecial},
	RuleNotCommon:  {Code: ReasonPasswordCommon},
	RuleNotPersona: {Code: ReasonPasswordPersonal},
}

// PasswordReport is the whole checklist for a candidate password.
type PasswordReport struct {
	Checks []PasswordCheck `json:"checks"`
	// Score is zxcvbn's 0 (trivial) to 4 (strong), for a strength meter.
	Score int  `json:"score"`
	OK    bool `json:"ok"`
}

// Failed returns why the first failing check fails, or nil.
func (r PasswordReport) Failed() *Reason {
	for _, c := range r.Checks {
		if !c.OK {
			return ruleReasons[c.Rule]
		}
	}
	return nil
}

// password_common.txt is the 10,000 most common passwords in frequency
// order (the head of the "passwords" list shipped with Dropbox's zxcvbn
// 4.4.2, MIT licence), lower-case, one per line.
//
//go:embed password_common.txt
var commonPasswordList string

var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	m := make(map[string]struct{}, 10000)
	for _, p := range strings.Split(commonPasswordList, "\n") {
		if p != "" {
			m[p] = struct{}{}
		}
	}
	return m
})

// IsCommonPassword reports whether pw, ignoring case and digits or
// symbols stuck on either end ("Password1!"), is one of the 10,000 most
// common passwords.
func IsCommonPassword(pw string) bool {
	common := commonPasswords()
	lower := strings.ToLower(pw)
	if _, ok := common[lower]; ok {
		return true
	}
	base := strings.TrimFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) })
	if utf8.RuneCountInString(base) < 4 {
		return false
	}
	_, ok := common[base]
	return ok
}

// PreparePasswordCheck builds the strength estimator's word lists and
// keyboard graphs (about 80 ms, done once, on first use), so that a live
// checklist can have them ready before the first keystroke.
func PreparePasswordCheck() { zxcvbn.PasswordStrength("", nil) }

// CheckPassword runs the password policy over pw: 8–128 characters, an
// upper-case and a lower-case letter, a digit and a special character,
// not a common or easily guessed password, and not containing the
// username, the email address or its local part. username and email may be
// empty (e.g. while signing up).
func CheckPassword(pw, username, email string) PasswordReport {
	n := utf8.RuneCountInString(pw)
	var upper, lower, digit, special bool
	for _, r := range pw {
		switch {
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsLower(r):
			lower = true
		case unicode.IsDigit(r):
			digit = true
		case unicode.IsLetter(r), unicode.IsMark(r):
		default:
			special = true
		}
	}
	personal := personalWords(username, email)
	score := 0
	if pw != "" {
		sample := pw
		if n > zxcvbnMaxRunes {
			sample = string([]rune(pw)[:zxcvbnMaxRunes])
		}
		score = zxcvbn.PasswordStrength(sample, personal).Score
	}
	notCommon := pw != "" && !IsCommonPassword(pw) && score >= MinPasswordScore
	notPersonal := true
	lowerPW := strings.ToLower(pw)
	for _, w := range personal {
		if strings.Contains(lowerPW, w) {
			notPersonal = false
		}
	}
	r := PasswordReport{Score: score, Checks: []PasswordCheck{
		{RuleLength, n >= MinPasswordLen && n <= MaxPasswordLen && utf8.ValidString(pw)},
		{RuleUpper, upper},
		{RuleLower, lower},
		{RuleDigit, digit},
		{RuleSpecial, special},
		{RuleNotCommon, notCommon},
		{RuleNotPersona, notPersonal},
	}}
	r.OK = r.Failed() == nil
	return r
}

// personalWords are the lower-cased parts of the account a password must
// not contain; parts shorter than 3 characters are too common to refuse.
func personalWords(username, email string) []string {
	var out []string
	add := func(s string) {
		s = strings.ToLower(strings.TrimSpace(s))
		if utf8.RuneCountInString(s) >= 3 {
			out = append(out, s)
		}
	}
	add(username)
	add(email)
	if at := strings.LastIndexByte(email, '@'); at > 0 {
		add(email[:at])
	}
	return out
}

// ValidatePassword returns why pw breaks the policy, or nil.
func ValidatePassword(pw, username, email string) *Reason {
	return CheckPassword(pw, username, email).Failed()
}
