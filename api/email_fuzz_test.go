package api

import (
	"net/mail"
	"strings"
	"testing"
	"unicode"
)

// FuzzValidateEmail checks what an accepted address guarantees to the
// mail code that uses it: it parses back to itself, fits the limit, has
// one @ with a dotted domain, and holds no whitespace, control character
// or angle bracket that could split a header or smuggle a second address.
func FuzzValidateEmail(f *testing.F) {
	for _, s := range []string{"ann@example.com", "o'brien+tag@example.co.uk", "åsa@exämple.se", "ann@x.com\r\nBcc: e@x.com",
		"Ann <ann@x.com>", `"ann smith"@x.com`, "ann@[127.0.0.1]", "a@b", "ann@@x.com", strings.Repeat("a", 250) + "@x.se"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ValidateEmail(s) != nil {
			return
		}
		a, err := mail.ParseAddress(s)
		switch {
		case err != nil || a.Address != s || a.Name != "":
			t.Fatalf("%q accepted but parses as %v, %v", s, a, err)
		case len(s) > MaxEmailLen:
			t.Fatalf("%q accepted at %d bytes", s, len(s))
		case strings.Count(s, "@") != 1:
			t.Fatalf("%q accepted with %d @", s, strings.Count(s, "@"))
		case strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) || r == '<' || r == '>' }) >= 0:
			t.Fatalf("%q accepted with whitespace, a control character or an angle bracket", s)
		}
		domain := s[strings.IndexByte(s, '@')+1:]
		if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
			t.Fatalf("%q accepted with domain %q", s, domain)
		}
	})
}
