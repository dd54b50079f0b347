package server

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// HashParams is the argon2id cost. Hashes record their own parameters, so
// changing them affects new hashes only (old ones are upgraded at sign-in).
type HashParams struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// DefaultHashParams follows OWASP's argon2id recommendation (19 MiB, two
// passes, one lane).
var DefaultHashParams = HashParams{Memory: 19 * 1024, Time: 2, Threads: 1}

const (
	saltLen = 16
	keyLen  = 32
)

var b64 = base64.RawStdEncoding

// hashPassword returns the PHC string
// $argon2id$v=19$m=…,t=…,p=…$salt$hash.
func hashPassword(pw string, p HashParams) string {
	salt := make([]byte, saltLen)
	rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// parsePHC reads an argon2id PHC string.
func parsePHC(h string) (p HashParams, salt, key []byte, err error) {
	parts := strings.Split(h, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return p, nil, nil, errors.New("not an argon2id hash")
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, errors.New("unsupported argon2 version")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, fmt.Errorf("argon2 parameters: %w", err)
	}
	if p.Time == 0 || p.Threads == 0 || p.Memory < 8*uint32(p.Threads) || p.Memory > 4<<20 {
		return p, nil, nil, errors.New("argon2 parameters out of range")
	}
	if salt, err = b64.DecodeString(parts[4]); err != nil {
		return p, nil, nil, err
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) == 0 {
		return p, nil, nil, errors.New("argon2 hash is malformed")
	}
	return p, salt, key, nil
}

// verifyPassword compares in constant time. rehash is true when the hash
// was made with other parameters than want.
func verifyPassword(pw, phc string, want HashParams) (ok, rehash bool) {
	p, salt, key, err := parsePHC(phc)
	if err != nil {
		return false, false
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	ok = subtle.ConstantTimeCompare(got, key) == 1
	return ok, ok && p != want
}

// randomToken returns prefix + 256 random bits, base64url.
func randomToken(prefix string) string {
	b := make([]byte, 32)
	rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// Token prefixes say what a bearer string is without a lookup.
const (
	prefixAccess  = "psa_"
	prefixRefresh = "psr_"
	prefixAPIKey  = "psk_"
	prefixLink    = "psl_"
)

// hashToken is how tokens are stored: SHA-256 is enough for 256-bit
// random secrets, and it keeps lookups indexable.
func hashToken(t string) string {
	sum := sha256.Sum256([]byte(t))
	return hex.EncodeToString(sum[:])
}

// sealer encrypts values the server must show again later (the API key)
// with AES-256-GCM under a key derived from the server secret, and derives
// values only this server can compute (HMAC-SHA256 under another key).
type sealer struct {
	aead   cipher.AEAD
	macKey [32]byte
}

func newSealer(secret []byte) (*sealer, error) {
	key := sha256.Sum256(append([]byte("phoneset seal v1\x00"), secret...))
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead, macKey: sha256.Sum256(append([]byte("phoneset mac v1\x00"), secret...))}, nil
}

// derive is a 128-bit value, in hex, that only holders of the server
// secret can compute from context.
func (s *sealer) derive(context string) string {
	m := hmac.New(sha256.New, s.macKey[:])
	m.Write([]byte(context))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

func (s *sealer) seal(plain, context string) string {
	nonce := make([]byte, s.aead.NonceSize())
	rand.Read(nonce)
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, []byte(plain), []byte(context)))
}

func (s *sealer) open(sealed, context string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil || len(b) < s.aead.NonceSize() {
		return "", errors.New("sealed value is malformed")
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, b[:n], b[n:], []byte(context))
	if err != nil {
		return "", errors.New("sealed value does not open with this server's secret")
	}
	return string(plain), nil
}
