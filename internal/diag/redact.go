package diag

import (
	"net/url"
	"regexp"
	"strings"
)

// redacted replaces a secret wherever one is found.
const redacted = "[redacted]"

// secretKey reports whether an attribute or parameter named name holds a
// secret: tokens, passwords, API keys, cookies, verification codes.
func secretKey(name string) bool {
	n := strings.ToLower(name)
	for _, s := range []string{"token", "passw", "secret", "apikey", "api_key", "api-key", "authorization", "cookie", "otp", "credential"} {
		if strings.Contains(n, s) {
			return true
		}
	}
	switch n {
	case "key", "code", "pin", "auth", "pwd", "session", "sid":
		return true
	}
	return false
}

var (
	// A URL with credentials or a query, anywhere in a text.
	urlRE = regexp.MustCompile(`[a-zA-Z][a-zA-Z0-9+.-]*://[^\s"'<>]+`)
	// Phoneset's bearer strings (psa_ access, psr_ refresh, psk_ API key,
	// psl_ link), and whatever follows Bearer or Basic.
	prefixedRE = regexp.MustCompile(`\bps[a-z]_[A-Za-z0-9_-]+`)
	schemeRE   = regexp.MustCompile(`(?i)\b(bearer|basic)\s+[^\s"',;]+`)
	// key=value, key: value and "key":"value" in free text.
	pairRE = regexp.MustCompile(`(?i)("?)([a-z][a-z0-9_-]*)("?\s*[:=]\s*"?)([^\s"',;&]+)`)
	// Long random-looking strings (base64url or hex keys, UUIDs): 20+
	// characters of that alphabet with a digit and a letter in them; and
	// JWTs, whose dots would split them.
	randomRE = regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*|[A-Za-z0-9_-]{20,}`)
	// Verification codes are 6 to 8 digits on their own.
	codeRE = regexp.MustCompile(`\b\d{6,8}\b`)
)

// Redact removes secrets from a text meant for a support request: the user
// part and query values of URLs, Phoneset tokens, Bearer/Basic credentials,
// values of secret-named pairs, long random strings and stand-alone
// verification codes.
func Redact(s string) string {
	s = urlRE.ReplaceAllStringFunc(s, redactURL)
	s = prefixedRE.ReplaceAllStringFunc(s, func(t string) string { return t[:4] + redacted })
	s = schemeRE.ReplaceAllString(s, "$1 "+redacted)
	s = pairRE.ReplaceAllStringFunc(s, func(p string) string {
		m := pairRE.FindStringSubmatch(p)
		if !secretKey(m[2]) || m[4] == redacted {
			return p
		}
		return m[1] + m[2] + m[3] + redacted
	})
	s = randomRE.ReplaceAllStringFunc(s, func(t string) string {
		if !strings.ContainsAny(t, "0123456789") ||
			!strings.ContainsAny(strings.ToLower(t), "abcdefghijklmnopqrstuvwxyz") {
			return t
		}
		return redacted
	})
	return codeRE.ReplaceAllString(s, redacted)
}

// redactURL keeps a URL's scheme, host and path, which say where something
// went, and drops what may authenticate: the user part, query values and
// the fragment.
func redactURL(raw string) string {
	// A URL redacted before has "[redacted]" where url.Parse refuses
	// brackets; a plain word stands in for it while parsing.
	const word = "REDACTED"
	u, err := url.Parse(strings.ReplaceAll(raw, redacted, word))
	if err != nil {
		return redacted
	}
	if u.User != nil {
		u.User = url.User(word)
	}
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			q[k] = []string{word}
		}
		u.RawQuery = q.Encode()
	}
	u.Fragment = ""
	return strings.ReplaceAll(u.String(), word, redacted)
}
