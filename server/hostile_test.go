package server_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server"
)

// Hostile input against the real handlers: every refusal is a clear 4xx
// with an error code (and the field or reason at fault) and leaves the
// database exactly as it was; every accepted oddity is stored and served
// back exactly, or, for images, rendered correctly.

// quadrant colours, top-left, top-right, bottom-left, bottom-right: any
// turn or flip moves them.
var quads = [4]color.NRGBA{
	{R: 220, G: 30, B: 30, A: 255}, {R: 30, G: 200, B: 30, A: 255},
	{R: 30, G: 30, B: 220, A: 255}, {R: 230, G: 220, B: 30, A: 255},
}

// quadImage is a w×w picture of four flat colours, given in the order
// top-left, top-right, bottom-left, bottom-right.
func quadImage(w int, c [4]color.NRGBA) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, w))
	for y := range w {
		for x := range w {
			m.SetNRGBA(x, y, c[(y*2/w)*2+x*2/w])
		}
	}
	return m
}

func encodeJPEG(t testing.TB, img image.Image) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodePNG(t testing.TB, img image.Image) []byte {
	var b bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// withOrientation puts an Exif APP1 segment with just an Orientation tag
// right after a JPEG's SOI.
func withOrientation(jpg []byte, o uint16) []byte {
	tiff := []byte("MM\x00\x2a\x00\x00\x00\x08\x00\x01") // big-endian, IFD0 at 8, one entry
	tiff = binary.BigEndian.AppendUint16(tiff, 0x0112)   // Orientation
	tiff = binary.BigEndian.AppendUint16(tiff, 3)        // SHORT
	tiff = binary.BigEndian.AppendUint32(tiff, 1)
	tiff = binary.BigEndian.AppendUint16(tiff, o)
	tiff = append(tiff, 0, 0, 0, 0, 0, 0) // padding, no next IFD
	seg := binary.BigEndian.AppendUint16([]byte{0xFF, 0xE1}, uint16(2+6+len(tiff)))
	seg = append(append(seg, "Exif\x00\x00"...), tiff...)
	return append(append(append([]byte{}, jpg[:2]...), seg...), jpg[2:]...)
}

// withSize rewrites the dimensions in a baseline JPEG's SOF0: a bomb that
// is a tiny, well-formed file.
func withSize(t testing.TB, jpg []byte, w, h uint16) []byte {
	out := append([]byte{}, jpg...)
	i := bytes.Index(out, []byte{0xFF, 0xC0})
	if i < 0 {
		t.Fatal("no SOF0")
	}
	binary.BigEndian.PutUint16(out[i+5:], h)
	binary.BigEndian.PutUint16(out[i+7:], w)
	return out
}

// corruptIDAT flips a byte of a PNG's first IDAT payload: its CRC no
// longer matches.
func corruptIDAT(t testing.TB, p []byte) []byte {
	out := append([]byte{}, p...)
	i := bytes.Index(out, []byte("IDAT"))
	if i < 0 {
		t.Fatal("no IDAT")
	}
	out[i+6] ^= 0x55
	return out
}

// corruptScanTables points a JPEG's scan at Huffman tables it never
// defined.
func corruptScanTables(t testing.TB, jpg []byte) []byte {
	out := append([]byte{}, jpg...)
	i := bytes.Index(out, []byte{0xFF, 0xDA})
	if i < 0 {
		t.Fatal("no SOS")
	}
	out[i+6] = 0x77
	return out
}

func padTo(b []byte, n int) []byte { return append(append([]byte{}, b...), make([]byte, n-len(b))...) }

// noisePNG is an incompressible PNG of about n bytes.
func noisePNG(t testing.TB, n int) []byte {
	w := 1024
	m := image.NewNRGBA(image.Rect(0, 0, w, n/(4*w)+1))
	r := rand.New(rand.NewPCG(1, 2))
	for i := range m.Pix {
		m.Pix[i] = uint8(r.Uint32())
	}
	return encodePNG(t, m)
}

// probeQuads checks the quadrant colours of a square JPEG rendition.
func probeQuads(t *testing.T, name string, body []byte, want [4]color.NRGBA, tol int) {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s: stored avatar: %v", name, err)
	}
	w := img.Bounds().Dx()
	for i, c := range want {
		x, y := w/4+(i%2)*w/2, w/4+(i/2)*w/2
		r, g, b, _ := img.At(x, y).RGBA()
		got := [3]int{int(r >> 8), int(g >> 8), int(b >> 8)}
		for k, v := range [3]int{int(c.R), int(c.G), int(c.B)} {
			if d := got[k] - v; d > tol || d < -tol {
				t.Errorf("%s: pixel (%d,%d) = %v, want about %v", name, x, y, got, c)
				break
			}
		}
	}
}

func TestHostileImages(t *testing.T) {
	e := newEnv(t)
	a := e.agent1()
	valid := encodeJPEG(t, quadImage(64, quads))
	validPNG := encodePNG(t, quadImage(64, quads))
	var gifData bytes.Buffer
	if err := gif.Encode(&gifData, quadImage(16, quads), nil); err != nil {
		t.Fatal(err)
	}
	svg := []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>`)
	webp := append([]byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"), 0)

	refused := []struct {
		name   string
		data   []byte
		ctype  string
		status int
		code   string
		reason string // fields.image; "" when refused before reading
	}{
		{"png bomb 50000x50000 in 33 bytes", pngBomb(50000, 50000), "image/png", 422, api.CodeInvalid, "too_many_pixels"},
		{"png just over 40 MP", pngBomb(8000, 5001), "image/png", 422, api.CodeInvalid, "too_many_pixels"},
		{"jpeg bomb 65000x65000", withSize(t, valid, 65000, 65000), "image/jpeg", 422, api.CodeInvalid, "too_many_pixels"},
		{"truncated jpeg", valid[:len(valid)/2], "image/jpeg", 422, api.CodeInvalid, "corrupt"},
		{"jpeg cut in its header", valid[:200], "image/jpeg", 422, api.CodeInvalid, "corrupt"},
		{"truncated png", validPNG[:len(validPNG)/2], "image/png", 422, api.CodeInvalid, "corrupt"},
		{"png with a bad IDAT checksum", corruptIDAT(t, validPNG), "image/png", 422, api.CodeInvalid, "corrupt"},
		{"jpeg scanning undefined tables", corruptScanTables(t, valid), "image/jpeg", 422, api.CodeInvalid, "corrupt"},
		{"gif renamed .png", gifData.Bytes(), "image/png", 415, api.CodeUnsupportedMedia, "unsupported_type"},
		{"svg with script renamed .png", svg, "image/png", 415, api.CodeUnsupportedMedia, "unsupported_type"},
		{"webp renamed .png", webp, "image/png", 415, api.CodeUnsupportedMedia, "unsupported_type"},
		{"empty body", nil, "image/png", 415, api.CodeUnsupportedMedia, "unsupported_type"},
		{"svg content type", svg, "image/svg+xml", 415, api.CodeUnsupportedMedia, ""},
		{"6 MB jpeg", padTo(valid, 6<<20), "image/jpeg", 413, api.CodeTooLarge, ""},
		{"6 MB png", noisePNG(t, 6<<20), "image/png", 413, api.CodeTooLarge, ""},
	}
	for _, tt := range refused {
		before := snapshot(t, e)
		r := e.do(req{method: "PUT", path: "/v1/me/avatar", token: a.AccessToken, body: tt.data, ctype: tt.ctype, header: ifMatch(1)})
		if r.status != tt.status {
			t.Errorf("%s: %d %s, want %d", tt.name, r.status, r.body, tt.status)
			continue
		}
		ae := r.apiErr(t)
		if ae.Code != tt.code || ae.Message == "" || (tt.reason != "" && (ae.Fields["image"] == nil || ae.Fields["image"].Code != tt.reason)) {
			t.Errorf("%s: error %+v, want code %s reason %q", tt.name, ae, tt.code, tt.reason)
		}
		if after := snapshot(t, e); after != before {
			t.Errorf("%s: the refused upload changed the database", tt.name)
		}
	}
	wantError(t, e.do(req{method: "GET", path: "/v1/me/avatar", token: a.AccessToken}), 404, api.CodeNotFound)

	// Accepted and rendered right: CMYK, 16 bits per channel, and photos
	// whose pixels are stored turned, with Exif saying how to show them.
	cmyk, err := os.ReadFile("../photo/testdata/cmyk.jpg") // 64×64 quadrants, YCCK
	if err != nil {
		t.Fatal(err)
	}
	deep := image.NewNRGBA64(image.Rect(0, 0, 64, 64))
	for y := range 64 {
		for x := range 64 {
			c := quads[(y*2/64)*2+x*2/64]
			// Real low bytes, so a converter that keeps only them shows noise.
			deep.SetNRGBA64(x, y, color.NRGBA64{uint16(c.R)<<8 | 0xA5, uint16(c.G)<<8 | 0x5A, uint16(c.B)<<8 | 0xC3, 0xFFFF})
		}
	}
	q := quads
	// stored[o] is how a camera stores the upright picture q for Exif
	// orientation o.
	stored := map[uint16][4]color.NRGBA{
		1: q,
		2: {q[1], q[0], q[3], q[2]}, // mirrored
		3: {q[3], q[2], q[1], q[0]}, // upside down
		6: {q[1], q[3], q[0], q[2]}, // turned a quarter left; shown turned right
		8: {q[2], q[0], q[3], q[1]}, // turned a quarter right; shown turned left
	}
	type upload struct {
		name  string
		data  []byte
		ctype string
		tol   int // per channel, for JPEG's losses
	}
	accepted := []upload{
		{"cmyk jpeg", cmyk, "image/jpeg", 30},
		{"16-bit png", encodePNG(t, deep), "image/png", 12},
	}
	for _, o := range []uint16{1, 2, 3, 6, 8} {
		accepted = append(accepted, upload{fmt.Sprintf("exif orientation %d", o),
			withOrientation(encodeJPEG(t, quadImage(64, stored[o])), o), "image/jpeg", 24})
	}
	version := int64(1)
	for _, tt := range accepted {
		r := e.do(req{method: "PUT", path: "/v1/me/avatar", token: a.AccessToken, body: tt.data, ctype: tt.ctype, header: ifMatch(version)})
		if r.status != http.StatusOK {
			t.Fatalf("%s: %d %s", tt.name, r.status, r.body)
		}
		version++
		g := e.do(req{method: "GET", path: "/v1/me/avatar?size=128", token: a.AccessToken})
		wantStatus(t, g, 200)
		if bytes.Contains(g.body, []byte("Exif")) {
			t.Errorf("%s: Exif kept in the stored avatar", tt.name)
		}
		probeQuads(t, tt.name, g.body, quads, tt.tol)
	}
}

// textCase is one JSON request with hostile text.
type textCase struct {
	name   string
	method string
	path   string
	body   any
	status int
	field  string // the field the error names
}

// ssoStart is a single sign-on start whose redirect or PKCE method is
// refused.
func ssoStart(name, redirect, method, field string) textCase {
	return textCase{name, "POST", "/v1/sso/start", api.SSOStartRequest{Email: "agent1@demo.phoneset.test", RedirectURI: redirect,
		CodeChallenge: strings.Repeat("c", 43), CodeChallengeMethod: method}, 422, field}
}

func TestHostileText(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		a := e.agent1()
		long := func(n int) string { return strings.Repeat("é", n) } // n characters, 2n bytes
		name := func(s string) api.ProfilePatch { return api.ProfilePatch{DisplayName: &s} }
		info := func(n int, label, value string) api.ProfilePatch {
			f := make([]api.InfoField, n)
			for i := range f {
				f[i] = api.InfoField{Label: label, Value: value}
			}
			return api.ProfilePatch{ExtraInfo: &f}
		}
		profile := func(n string, body any, field string) textCase {
			return textCase{n, "PATCH", "/v1/me/profile", body, 422, field}
		}
		refused := []textCase{
			{"NUL in a name", "PATCH", "/v1/me/profile", name("Ada\x00Admin"), 400, ""},
			profile("bell in a name", name("Ada\aAdmin"), "display_name"),
			profile("newline in a name", name("Ada\nAdmin"), "display_name"),
			profile("carriage return in a first name", api.ProfilePatch{FirstName: ptr("Ada\rX")}, "first_name"),
			profile("tab in a last name", api.ProfilePatch{LastName: ptr("Ad\ta")}, "last_name"),
			profile("terminal escape", name("\x1b[31mred\x1b[0m"), "display_name"),
			profile("DEL", name("Ada\x7f"), "display_name"),
			profile("C1 next line", name("Ada\u0085Admin"), "display_name"),
			profile("line separator", name("Ada\u2028Admin"), "display_name"),
			profile("paragraph separator", name("Ada\u2029Admin"), "display_name"),
			profile("control in an info label", info(1, "Desk\x1b[2J", "4B"), "extra_info"),
			profile("control in an info value", info(1, "Desk", "4\x07B"), "extra_info"),
			profile("65-character name", name(long(65)), "display_name"),
			profile("65-character first name", api.ProfilePatch{FirstName: ptr(long(65))}, "first_name"),
			profile("33-character username", api.ProfilePatch{Username: ptr(strings.Repeat("a", 33))}, "username"),
			profile("username with a quote", api.ProfilePatch{Username: ptr("ada'--")}, "username"),
			profile("username with markup", api.ProfilePatch{Username: ptr("<b>ada</b>")}, "username"),
			profile("21 info fields", info(21, "Desk", "4B"), "extra_info"),
			profile("201-character info value", info(1, "Desk", long(201)), "extra_info"),
			profile("65-character info label", info(1, long(65), "4B"), "extra_info"),
			profile("empty name", name(""), "display_name"),
			profile("name of spaces", name("   "), "display_name"),
			profile("leading space", name(" Ada"), "display_name"),
			// Issue 13: names that display as something they are not.
			profile("right-to-left override", name("Ada\u202enimdA"), "display_name"),
			profile("left-to-right embedding", name("\u202aAdmin\u202c"), "display_name"),
			profile("isolate in a first name", api.ProfilePatch{FirstName: ptr("Ada\u2067x\u2069")}, "first_name"),
			profile("right-to-left mark", name("Ali \u200fعلي"), "display_name"),
			profile("Arabic letter mark", name("Ali\u061c"), "display_name"),
			profile("zero-width space", name("Ad\u200bmin"), "display_name"),
			profile("zero-width joiner in a last name", api.ProfilePatch{LastName: ptr("Ad\u200dmin")}, "last_name"),
			profile("emoji ZWJ sequence", name("👩🏽\u200d💻 Dev"), "display_name"),
			profile("word joiner", name("Ad\u2060min"), "display_name"),
			profile("byte order mark", name("\ufeffAdmin"), "display_name"),
			profile("decomposed accents", name("Zoe\u0308 Ma\u0301rquez"), "display_name"),
			profile("full-width letters", name("Ａｄｍｉｎ"), "display_name"),
			profile("double inner space", name("Ada  Admin"), "display_name"),
			profile("private-use character", name("Ada\ue000"), "display_name"),
			profile("zero-width space in a username", api.ProfilePatch{Username: ptr("ad\u200bmin")}, "username"),
			profile("bad time zone", api.ProfilePatch{TimeZone: ptr("../../etc/passwd")}, "time_zone"),
			profile("language injection", api.ProfilePatch{Language: ptr("en'; DROP TABLE users;--")}, "language"),
			{"invalid UTF-8", "PATCH", "/v1/me/profile", []byte("{\"display_name\":\"Ada\xff\xfe\"}"), 400, ""},
			// Strict JSON: nothing a lenient decoder would guess at.
			{"a name given twice", "PATCH", "/v1/me/profile", `{"display_name":"Ada","display_name":"Eve"}`, 400, "display_name"},
			{"a nested name given twice", "PATCH", "/v1/me/profile", `{"extra_info":[{"label":"a","value":"b","label":"c"}]}`, 400, "extra_info[0].label"},
			{"a name in capitals", "PATCH", "/v1/me/profile", `{"DISPLAY_NAME":"Eve"}`, 400, "DISPLAY_NAME"},
			{"a name in another case", "PATCH", "/v1/me/profile", `{"Display_Name":"Eve"}`, 400, "Display_Name"},
			{"a name twice in two cases", "PATCH", "/v1/me/profile", `{"display_name":"Ada","DISPLAY_NAME":"Eve"}`, 400, "DISPLAY_NAME"},
			{"an unknown name", "PATCH", "/v1/me/profile", `{"display_name":"Ada","is_admin":true}`, 400, "is_admin"},
			{"a lone high surrogate", "PATCH", "/v1/me/profile", `{"display_name":"A\ud800B"}`, 400, "display_name"},
			{"a lone low surrogate", "PATCH", "/v1/me/profile", `{"display_name":"A\udc00"}`, 400, "display_name"},
			{"surrogates in the wrong order", "PATCH", "/v1/me/profile", `{"display_name":"\udc00\ud800"}`, 400, "display_name"},
			{"an invalid escape", "PATCH", "/v1/me/profile", `{"first_name":"A\qB"}`, 400, "first_name"},
			{"255-character email", "POST", "/v1/me/email", api.EmailChangeRequest{Email: strings.Repeat("a", 243) + "@example.com"}, 422, "email"},
			{"email with a header", "POST", "/v1/me/email", api.EmailChangeRequest{Email: "ann@example.com\r\nBcc: all@example.com"}, 422, "email"},
			{"email with a display name", "POST", "/v1/me/email", api.EmailChangeRequest{Email: "Ann <ann@example.com>"}, 422, "email"},
			{"email without a domain dot", "POST", "/v1/me/email", api.EmailChangeRequest{Email: "ann@localhost"}, 422, "email"},
			{"email with two @", "POST", "/v1/me/email", api.EmailChangeRequest{Email: "ann@@example.com"}, 422, "email"},
			{"email with markup", "POST", "/v1/me/email", api.EmailChangeRequest{Email: "<script>@example.com"}, 422, "email"},
			{"1025-byte new password", "PUT", "/v1/me/password", api.PasswordChangeRequest{Current: "Phoneset-demo-1", New: "Aa1!" + strings.Repeat("x", 1021)}, 422, "new"},
			{"2000-byte current password", "PUT", "/v1/me/password", api.PasswordChangeRequest{Current: strings.Repeat("x", 2000), New: "Tangerine-Orbit-42"}, 422, "current"},
			{"2000-byte password with an email change", "POST", "/v1/me/email", api.EmailChangeRequest{Email: "ann@example.com", Password: strings.Repeat("x", 2000)}, 422, "password"},
			{"2000-byte password with a mobile change", "POST", "/v1/me/mobile", api.MobileChangeRequest{Mobile: "+46709999999", Password: strings.Repeat("x", 2000)}, 422, "password"},
			{"2000-byte re-authentication", "POST", "/v1/sessions/reauth", api.PasswordProof{Password: strings.Repeat("x", 2000)}, 422, "password"},
			ssoStart("SSO redirect to another host", "http://evil.example:80/callback", "S256", "redirect_uri"),
			ssoStart("SSO redirect to localhost by name", "http://localhost:5000/callback", "S256", "redirect_uri"),
			ssoStart("SSO redirect without a port", "http://127.0.0.1/callback", "S256", "redirect_uri"),
			ssoStart("SSO redirect with a user", "http://evil.example@127.0.0.1:5000/callback", "S256", "redirect_uri"),
			ssoStart("SSO redirect over a custom scheme", "phoneset://127.0.0.1:5000/callback", "S256", "redirect_uri"),
			ssoStart("SSO redirect with a query", "http://127.0.0.1:5000/callback?next=https://evil.example", "S256", "redirect_uri"),
			ssoStart("SSO plain PKCE", "http://127.0.0.1:5000/callback", "plain", "code_challenge_method"),
			{"SSO state with a newline", "POST", "/v1/sso/finish", api.SSOFinishRequest{State: "a\nb", Code: "c", CodeVerifier: strings.Repeat("v", 43)}, 422, "state"},
			{"SSO 3000-byte code", "POST", "/v1/sso/finish", api.SSOFinishRequest{State: "s", Code: strings.Repeat("c", 3000), CodeVerifier: strings.Repeat("v", 43)}, 422, "code"},
			{"SSO short verifier", "POST", "/v1/sso/finish", api.SSOFinishRequest{State: "s", Code: "c", CodeVerifier: "short"}, 422, "code_verifier"},
			{"timer of a year", "PUT", "/v1/me/status", `{"availability":"unavailable","reason_code":"lunch","minutes":525600}`, 422, "minutes"},
			{"timer as text", "PUT", "/v1/me/status", `{"availability":"unavailable","reason_code":"lunch","minutes":"30"}`, 400, "minutes"},
			{"timer of 1e400 minutes", "PUT", "/v1/me/status", `{"availability":"unavailable","reason_code":"lunch","minutes":1e400}`, 400, "minutes"},
			{"negative timer", "PUT", "/v1/me/status", `{"availability":"unavailable","reason_code":"lunch","minutes":-30}`, 422, "minutes"},
			{"negative extend", "POST", "/v1/me/status/extend", api.StatusExtend{Minutes: -60}, 422, "minutes"},
			{"extend past int64", "POST", "/v1/me/status/extend", `{"minutes":9223372036854775808}`, 400, "minutes"},
		}
		for _, m := range []string{
			"", "12345", "+46", "+46 70 123", "+999 123 456 789", "+00 70 123 45 67", "+46 70 123 45 6a",
			"+46 8 123 456 78", // a fixed line: no SMS
			"+1 900 555 0123",  // premium rate
			"+800 1234 5678",   // international freephone
			"tel:+46701234567", "+46701234567\x1b", "+46701234567' OR '1'='1",
			"+" + strings.Repeat("4", 40),
		} {
			refused = append(refused, textCase{"mobile " + m, "POST", "/v1/me/mobile", api.MobileChangeRequest{Mobile: m}, 422, "mobile"})
		}
		for _, tt := range refused {
			before := snapshot(t, e)
			r := e.do(req{method: tt.method, path: tt.path, token: a.AccessToken, body: tt.body, header: ifMatch(1)})
			if r.status != tt.status {
				t.Errorf("%s: %d %s, want %d", tt.name, r.status, r.body, tt.status)
				continue
			}
			ae := r.apiErr(t)
			if ae.Code != api.CodeInvalid || (tt.field != "" && ae.Fields[tt.field] == nil) {
				t.Errorf("%s: error %s does not name %q", tt.name, r.body, tt.field)
			}
			if after := snapshot(t, e); after != before {
				t.Errorf("%s: the refused request changed the database", tt.name)
			}
		}

		// Accepted exactly as sent: no normalisation, no escaping in the
		// store, nothing run.
		db := e.srv.Store().DB()
		countUsers := func() int {
			var n int
			if err := db.QueryRow(`SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		users := countUsers()
		var cur api.Profile
		e.do(req{method: "GET", path: "/v1/me/profile", token: a.AccessToken}).decode(t, &cur)
		version := cur.Version
		for _, s := range []string{
			"Zoë Márquez",                      // accents, precomposed (NFC)
			"Nguyễn Văn",                       // stacked diacritics
			"Saq\u0303e",                       // a combining mark with nothing to compose with
			"שלום עליכם",                       // Hebrew
			"مرحبا بالعالم",                    // Arabic
			"Ali علي (Cairo)",                  // mixed directions
			"👩🏽 Dev",                           // emoji with a skin tone
			"क्षत्रिय",                         // Devanagari conjuncts
			long(64),                           // the longest allowed
			"Robert'); DROP TABLE users;--",    // SQL
			"' OR '1'='1",                      // SQL
			`"; DELETE FROM sessions; --`,      // SQL
			"<script>alert(1)</script>",        // markup
			`<img src=x onerror="alert(1)">`,   // markup
			"{{.Token}} ${jndi:ldap://x/a}",    // template and lookup syntax
			`=HYPERLINK("http://x","click")`,   // a spreadsheet formula
			"\\x00 %s %n %00 ../../etc/passwd", // escapes that are only text
		} {
			r := e.do(req{method: "PATCH", path: "/v1/me/profile", token: a.AccessToken, body: name(s), header: ifMatch(version)})
			if r.status != http.StatusOK {
				t.Errorf("%q: %d %s", s, r.status, r.body)
				continue
			}
			version++
			var p api.Profile
			e.do(req{method: "GET", path: "/v1/me/profile", token: a.AccessToken}).decode(t, &p)
			var stored string
			if err := db.QueryRow(`SELECT display_name FROM users WHERE id = 'usr_demo_agent1'`).Scan(&stored); err != nil {
				t.Fatal(err)
			}
			if p.DisplayName != s || stored != s {
				t.Errorf("sent %q; served %q, stored %q", s, p.DisplayName, stored)
			}
			me := e.do(req{method: "GET", path: "/v1/me", token: a.AccessToken})
			if bytes.Contains(me.body, []byte("<")) || me.header.Get("X-Content-Type-Options") != "nosniff" ||
				!strings.HasPrefix(me.header.Get("Content-Type"), "application/json") {
				t.Errorf("%q: /v1/me is not inert JSON: %v %s", s, me.header, me.body)
			}
		}
		// A valid surrogate pair is one character, stored as such.
		r := e.do(req{method: "PATCH", path: "/v1/me/profile", token: a.AccessToken, body: `{"display_name":"Smile \ud83d\ude00"}`, header: ifMatch(version)})
		if r.status != http.StatusOK || profileOf(t, e, a).DisplayName != "Smile \U0001F600" {
			t.Errorf("surrogate pair: %d %s", r.status, r.body)
		}
		version++
		if n := countUsers(); n != users {
			t.Errorf("users: %d, was %d", n, users)
		}

		// A formula in a name reaches the admin's CSV export defused.
		wantStatus(t, e.do(req{method: "PATCH", path: "/v1/me/profile", token: a.AccessToken,
			body: name(`=HYPERLINK("http://x","click")`), header: ifMatch(version)}), 200)
		csv := e.do(req{method: "GET", path: "/v1/org/audit?format=csv", token: e.admin().AccessToken})
		wantStatus(t, csv, 200)
		if !bytes.Contains(csv.body, []byte(`'=HYPERLINK`)) || bytes.Contains(csv.body, []byte(`,=HYPERLINK`)) {
			t.Errorf("formula not defused in the CSV export:\n%s", csv.body)
		}

		// Unusual but valid mobile numbers are normalised to E.164. Each
		// user may ask for five codes an hour, so they take turns.
		for i, tt := range []struct{ in, e164 string }{
			{"0046701234567", "+46701234567"},
			{"+46 (0)70-123 45 67", "+46701234567"},
			{"+46.70.123.45.67", "+46701234567"},
			{"+４６ ７０ １２３ ４５ ６８", "+46701234568"}, // full-width digits
			{"+1 (415) 555-2671", "+14155552671"},
			{"+358 40 1234567", "+358401234567"},
			{"+86 138 0013 8000", "+8613800138000"},
			{"+971 50 123 4567", "+971501234567"},
		} {
			tok := []api.Tokens{a, e.signIn("agent2", "Phoneset-demo-1")}[i%2]
			r := e.do(req{method: "POST", path: "/v1/me/mobile", token: tok.AccessToken, body: api.MobileChangeRequest{Mobile: tt.in}})
			if r.status != http.StatusAccepted {
				t.Errorf("mobile %q: %d %s", tt.in, r.status, r.body)
				continue
			}
			var p api.Profile
			r.decode(t, &p)
			if p.PendingMobile != tt.e164 {
				t.Errorf("mobile %q: pending %q, want %q", tt.in, p.PendingMobile, tt.e164)
			}
		}

		// Injection through sign-in and paths finds nothing.
		for _, login := range []string{"admin' --", "' OR '1'='1", `admin"; --`, "admin\x00"} {
			r := e.do(req{method: "POST", path: "/v1/sessions", body: api.SignInRequest{Login: login, Password: "' OR '1'='1"}})
			if r.status != 401 && r.status != 400 {
				t.Errorf("sign in as %q: %d %s", login, r.status, r.body)
			}
		}
		adm := e.admin()
		for _, id := range []string{"x'%20OR%20'1'='1", "usr_demo_agent1'--", "%2e%2e%2fusr_demo_agent1"} {
			r := e.do(req{method: "PUT", path: "/v1/org/users/" + id + "/email", token: adm.AccessToken,
				body: api.EmailSet{Email: "taken@example.com", Password: server.DemoPassword}, header: ifMatch(1)})
			if r.status != 404 {
				t.Errorf("org user %s: %d %s", id, r.status, r.body)
			}
		}
	})
}

// TestHostileNUL sends U+0000 through every kind of input: JSON strings,
// path segments and query parameters. PostgreSQL cannot hold it, so each
// must be refused up front with 400 on both databases, never a 500.
func TestHostileNUL(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		toks := map[string]string{"": "", "agent": e.agent1().AccessToken, "admin": e.admin().AccessToken}
		cases := []struct {
			who, method, path string
			body              any
		}{
			{"", "POST", "/v1/sessions", `{"login":"admin\u0000","password":"x"}`},
			{"", "POST", "/v1/password-resets", `{"login":"admin\u0000","channel":"email"}`},
			{"", "POST", "/v1/password-resets/confirm", `{"login":"admin\u0000","token":"123456","password":"Tangerine-Orbit-42"}`},
			{"", "POST", "/v1/sessions/refresh", `{"refresh_token":"psr_\u0000"}`},
			{"", "POST", "/v1/sessions", `{"login":"admin","password":"x","device_token":"psd_\u0000"}`},
			{"", "POST", "/v1/sessions/second-factor", `{"challenge":"psc_\u0000","code":"123456"}`},
			{"", "POST", "/v1/sessions/second-factor", `{"challenge":"psc_x","code":"12345\u0000"}`},
			{"", "POST", "/v1/sessions/second-factor/enrolment", `{"challenge":"psc_\u0000"}`},
			{"agent", "POST", "/v1/me/second-factor", `{"password":"Phoneset-demo-1\u0000"}`},
			{"agent", "POST", "/v1/me/second-factor/confirm", `{"code":"\u0000"}`},
			{"agent", "DELETE", "/v1/me/second-factor", `{"password":"Phoneset-demo-1","code":"\u0000"}`},
			{"agent", "POST", "/v1/me/second-factor/recovery-codes", `{"password":"\u0000"}`},
			{"admin", "PUT", "/v1/org/second-factor", `{"policy":"every\u0000one"}`},
			{"admin", "DELETE", "/v1/org/users/usr%00/second-factor", `{"password":"Phoneset-demo-1"}`},
			{"", "GET", "/v1/password-resets/confirm?token=%00", nil},
			{"", "POST", "/v1/account/undo", `{"token":"psl_\u0000"}`},
			{"", "GET", "/v1/account/undo?token=%00", nil},
			{"agent", "DELETE", "/v1/me/sessions/x%00", nil},
			{"agent", "PATCH", "/v1/me/profile", `{"extra_info":[{"label":"a","value":"\u0000"}]}`},
			{"agent", "PUT", "/v1/me/status", `{"availability":"unavailable","reason_code":"lu\u0000nch"}`},
			{"agent", "PUT", "/v1/me/password", `{"current":"Phoneset-demo-1","new":"Tangerine-Orbit-42\u0000"}`},
			{"agent", "POST", "/v1/sessions/reauth", `{"password":"Phoneset-demo-1\u0000"}`},
			{"agent", "POST", "/v1/me/email", `{"email":"a@example.com","password":"Phoneset-demo-1\u0000"}`},
			{"agent", "GET", "/v1/me/avatar?size=64%00", nil},
			{"admin", "PUT", "/v1/org/users/usr%00/email", `{"email":"a@example.com","password":"Phoneset-demo-1"}`},
			{"admin", "PUT", "/v1/org/users/usr_demo_agent2/email", `{"email":"a@example.com","password":"Phoneset-demo-1\u0000"}`},
			{"admin", "PUT", "/v1/org/users/usr%00/permissions/account", nil},
			{"admin", "PUT", "/v1/org/sms/zones/domestic", `{"enabled":true,"scope":"selected","user_ids":["usr\u0000"]}`},
			{"admin", "PUT", "/v1/org/cost-centers/cc_demo_sales/users", `{"user_ids":["usr\u0000"]}`},
			{"admin", "PATCH", "/v1/org/reason-codes/lu%00nch", `{"label":"x"}`},
			{"admin", "PUT", "/v1/org/presence", `{"away_reason_code":"lu\u0000nch"}`},
			{"admin", "GET", "/v1/org/audit?user=%00", nil},
			{"admin", "GET", "/v1/org/audit?action=%00&resource=%00", nil},
			{"admin", "GET", "/v1/org/users?q=%00", nil},
			{"admin", "GET", "/v1/org/users?option=%00&cost_center=%00&license=%00", nil},
			{"admin", "POST", "/v1/org/scim/tokens", `{"name":"Entra\u0000"}`},
			{"admin", "DELETE", "/v1/org/scim/tokens/sct%00", nil},
			{"admin", "POST", "/v1/org/users/import/check?first_line=%00", nil},
			{"admin", "POST", "/v1/org/users/import?first_line=%00", nil},
			{"admin", "POST", "/v1/org/invitations", `{"email":"a\u0000@example.com","display_name":"A"}`},
			{"admin", "POST", "/v1/org/invitations", `{"email":"a@example.com","display_name":"A","license":"pro\u0000"}`},
			{"admin", "POST", "/v1/org/invitations", `{"email":"a@example.com","display_name":"A","options":{"cat_demo_office":"opt\u0000"}}`},
			{"admin", "POST", "/v1/org/invitations/inv%00/resend", nil},
			{"admin", "DELETE", "/v1/org/invitations/inv%00", nil},
			{"admin", "POST", "/v1/org/users/usr%00/deactivate", nil},
			{"admin", "DELETE", "/v1/org/users/usr_demo_agent2", `{"password":"Phoneset-demo-1\u0000"}`},
			{"", "POST", "/v1/invitations/accept", `{"token":"psl_\u0000","username":"a","password":"Tangerine-Orbit-42"}`},
			{"", "GET", "/v1/invitations/accept?token=%00", nil},
		}
		before := snapshot(t, e)
		for _, c := range cases {
			r := e.do(req{method: c.method, path: c.path, token: toks[c.who], body: c.body, header: ifMatch(1)})
			if r.status != 400 || r.apiErr(t).Code != api.CodeInvalid {
				t.Errorf("%s %s: %d %s, want 400", c.method, c.path, r.status, r.body)
			}
		}
		if after := snapshot(t, e); after != before {
			t.Errorf("refused requests changed the database")
		}
		// An escaped backslash before "u0000" is text, not a NUL.
		r := e.do(req{method: "PATCH", path: "/v1/me/profile", token: toks["agent"], body: `{"display_name":"a\\u0000b"}`, header: ifMatch(1)})
		var p api.Profile
		if r.status != 200 || json.Unmarshal(r.body, &p) != nil || p.DisplayName != `a\u0000b` {
			t.Errorf("escaped backslash: %d %s", r.status, r.body)
		}
	})
}

// TestHostileLinkPages checks that the browser pages of emailed links show
// a hostile token as text, under a policy that would block a script anyway.
func TestHostileLinkPages(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/v1/password-resets/confirm", "/v1/email/confirm", "/v1/account/undo", "/v1/invitations/accept"} {
		r := e.do(req{method: "GET", path: path + `?token=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E`})
		if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
			t.Fatalf("%s: %d %v", path, r.status, r.header)
		}
		if bytes.Contains(r.body, []byte("<script")) || !bytes.Contains(r.body, []byte("&lt;script&gt;")) {
			t.Errorf("%s: token not escaped:\n%s", path, r.body)
		}
		if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("%s: CSP %q", path, csp)
		}
	}
}

// TestHostileLive: hostile resume points, agent IDs and scopes on the
// event stream and the supervisor routes are refused without a 5xx and
// without changing anything.
func TestHostileLive(t *testing.T) {
	eachDB(t, func(t *testing.T) {
		e := newEnv(t)
		tok := e.admin().AccessToken
		for _, id := range []string{"-1", "1e9", "0x10", "' OR '1'='1", strings.Repeat("9", 400), "1 2", "１２"} {
			s := e.openStream(t, tok, id, true)
			wantError(t, resp{status: s.status, body: s.body}, 400, api.CodeInvalid)
		}
		cases := []textCase{
			{"agent ID with a path", "PUT", "/v1/supervisor/agents/..%2F..%2Fme/status", api.StatusUpdate{Availability: api.Online}, 404, ""},
			{"agent ID as SQL", "PUT", "/v1/supervisor/agents/' OR '1'='1/status", api.StatusUpdate{Availability: api.Online}, 404, ""},
			{"agent ID of 2000 bytes", "PUT", "/v1/supervisor/agents/" + strings.Repeat("a", 2000) + "/status", api.StatusUpdate{Availability: api.Online}, 404, ""},
			{"status with an unknown name", "PUT", "/v1/supervisor/agents/usr_demo_agent1/status", `{"availability":"online","changed_by":"usr_x"}`, 400, "changed_by"},
			{"status with a control character", "PUT", "/v1/supervisor/agents/usr_demo_agent1/status", api.StatusUpdate{Availability: "online\x1b"}, 422, "availability"},
			{"scope with NUL", "PUT", "/v1/org/users/usr_demo_agent2/supervisor", `{"option_ids":["opt\u0000x"]}`, 400, ""},
			{"scope of the wrong type", "PUT", "/v1/org/users/usr_demo_agent2/supervisor", `{"option_ids":"opt_demo_sthlm"}`, 400, "option_ids"},
			{"scope as null", "PUT", "/v1/org/users/usr_demo_agent2/supervisor", `{"option_ids":[null]}`, 422, "option_ids"},
		}
		for _, tt := range cases {
			before := snapshot(t, e)
			r := e.do(req{method: tt.method, path: strings.ReplaceAll(tt.path, " ", "%20"), token: tok, body: tt.body, header: ifMatch(1)})
			if r.status != tt.status {
				t.Errorf("%s: %d %s, want %d", tt.name, r.status, r.body, tt.status)
				continue
			}
			if ae := r.apiErr(t); tt.field != "" && ae.Fields[tt.field] == nil {
				t.Errorf("%s: error %s does not name %q", tt.name, r.body, tt.field)
			}
			if snapshot(t, e) != before {
				t.Errorf("%s: the refused request changed the database", tt.name)
			}
		}
	})
}
