package server

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/jpeg"
	"image/png"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/phoneset/phoneset/api"
)

// fuzzServer is a seeded server and a signed-in admin token for fuzzing
// handlers in-process.
func fuzzServer(f *testing.F) (*Server, string) {
	ctx := context.Background()
	srv, err := Open(ctx, Config{DataDir: f.TempDir(), Hash: HashParams{Memory: 64, Time: 1, Threads: 1}})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { srv.Close() })
	if _, err := srv.SeedDemo(ctx); err != nil {
		f.Fatal(err)
	}
	r := httptest.NewRequest("POST", "/v1/sessions", strings.NewReader(`{"login":"admin","password":"`+DemoPassword+`"}`))
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	srv.Handler().ServeHTTP(w, r)
	var tok api.Tokens
	if err := json.Unmarshal(w.Body.Bytes(), &tok); err != nil || tok.AccessToken == "" {
		f.Fatalf("sign in: %d %s", w.Code, w.Body)
	}
	return srv, tok.AccessToken
}

// serveFuzz sends one request and fails on a 5xx or on an error answer
// that is not an api.ErrorBody.
func serveFuzz(t *testing.T, srv *Server, method, path, token, ctype string, body []byte, h map[string]string) {
	w := serveRaw(srv, method, path, token, ctype, body, h)
	if w.Code >= 500 {
		t.Fatalf("%s %s with %q: %d %s", method, path, body, w.Code, w.Body)
	}
	if w.Code >= 400 && strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		var eb api.ErrorBody
		if err := json.Unmarshal(w.Body.Bytes(), &eb); err != nil || eb.Error == nil || eb.Error.Code == "" {
			t.Fatalf("%s %s: %d with a body that is no error: %s", method, path, w.Code, w.Body)
		}
	}
}

// serveRaw runs one request through the handler in-process. path may
// carry a raw query, which is not validated.
func serveRaw(srv *Server, method, path, token, ctype string, body []byte, h map[string]string) *httptest.ResponseRecorder {
	path, query, _ := strings.Cut(path, "?")
	r := httptest.NewRequest(method, path, bytes.NewReader(body))
	r.URL.RawQuery = query
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range h {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	srv.Handler().ServeHTTP(w, r)
	return w
}

// fuzzJSON fuzzes one JSON request decoder through its whole route.
func fuzzJSON(f *testing.F, method, path string, auth bool, seeds ...string) {
	srv, tok := fuzzServer(f)
	if !auth {
		tok = ""
	}
	for _, s := range append(seeds, "", "{}", "null", "[]", `{"x":1}`, "{}{}", `{"a":"\ud800"}`) {
		f.Add([]byte(s), `"1"`)
	}
	f.Fuzz(func(t *testing.T, body []byte, ifMatch string) {
		serveFuzz(t, srv, method, path, tok, "application/json", body, map[string]string{"If-Match": ifMatch})
	})
}

func FuzzSignInDecoder(f *testing.F) {
	fuzzJSON(f, "POST", "/v1/sessions", false, `{"login":"agent1","password":"Phoneset-demo-1","device":"d"}`, `{"login":1}`)
}

func FuzzRefreshDecoder(f *testing.F) {
	fuzzJSON(f, "POST", "/v1/sessions/refresh", false, `{"refresh_token":"psr_x"}`)
}

func FuzzProfilePatchDecoder(f *testing.F) {
	fuzzJSON(f, "PATCH", "/v1/me/profile", true, `{"display_name":"Ada","username":"Ada.A","time_zone":"Europe/Oslo"}`,
		`{"extra_info":[{"label":"a","value":"b"}],"hide_mobile":true}`, `{"language":"sv","first_name":"\u202e"}`,
		`{"display_name":"Ada","display_name":"Eve"}`, `{"DISPLAY_NAME":"Eve"}`, `{"display_name":"A\ud800B"}`)
}

func FuzzStatusDecoder(f *testing.F) {
	fuzzJSON(f, "PUT", "/v1/me/status", true, `{"availability":"unavailable","reason_code":"lunch"}`, `{"availability":"online"}`,
		`{"availability":"unavailable","reason_code":"lunch","minutes":30}`)
}

func FuzzStatusExtendDecoder(f *testing.F) {
	fuzzJSON(f, "POST", "/v1/me/status/extend", true, `{"minutes":5}`, `{"minutes":-1}`)
}

func FuzzNotificationsDecoder(f *testing.F) {
	fuzzJSON(f, "PUT", "/v1/me/notifications", true, `{"email_missed_calls":true,"email_voicemails":false,"version":3}`)
}

func FuzzEmailChangeDecoder(f *testing.F) {
	fuzzJSON(f, "POST", "/v1/me/email", true, `{"email":"new@example.com"}`)
}

func FuzzEmailConfirmDecoder(f *testing.F) {
	fuzzJSON(f, "POST", "/v1/me/email/confirm", true, `{"token":"psl_x"}`)
}

func FuzzMobileChangeDecoder(f *testing.F) {
	fuzzJSON(f, "POST", "/v1/me/mobile", true, `{"mobile":"+46 70 999 99 99"}`, `{"mobile":"0046701234567"}`)
}

func FuzzMobileConfirmDecoder(f *testing.F) {
	fuzzJSON(f, "POST", "/v1/me/mobile/confirm", true, `{"code":"123456"}`)
}

func FuzzPasswordChangeDecoder(f *testing.F) {
	fuzzJSON(f, "PUT", "/v1/me/password", true, `{"current":"Phoneset-demo-1","new":"Tangerine-Orbit-42"}`)
}

func FuzzPasswordProofDecoder(f *testing.F) {
	fuzzJSON(f, "POST", "/v1/me/api-key/reveal", true, `{"password":"Phoneset-demo-1"}`)
}

func FuzzPasswordResetDecoder(f *testing.F) {
	fuzzJSON(f, "POST", "/v1/password-resets", false, `{"login":"agent1","channel":"sms"}`, `{"login":"admin","channel":"email"}`)
}

// FuzzPasswordResetConfirmDecoder covers the JSON and the form spelling.
func FuzzPasswordResetConfirmDecoder(f *testing.F) {
	srv, _ := fuzzServer(f)
	f.Add([]byte(`{"login":"agent1","token":"123456","password":"Tangerine-Orbit-42"}`), "application/json")
	f.Add([]byte("token=psl_x&password=Tangerine-Orbit-42"), "application/x-www-form-urlencoded")
	f.Add([]byte("token=a&token=b"), "application/x-www-form-urlencoded")
	f.Add([]byte("%zz"), "application/x-www-form-urlencoded; charset=utf-8")
	f.Fuzz(func(t *testing.T, body []byte, ctype string) {
		serveFuzz(t, srv, "POST", "/v1/password-resets/confirm", "", ctype, body, nil)
	})
}

func FuzzEmailLinkDecoder(f *testing.F) {
	srv, _ := fuzzServer(f)
	f.Add([]byte(`{"token":"psl_x"}`), "application/json")
	f.Add([]byte("token=psl_x"), "application/x-www-form-urlencoded")
	f.Fuzz(func(t *testing.T, body []byte, ctype string) {
		serveFuzz(t, srv, "POST", "/v1/email/confirm", "", ctype, body, nil)
	})
}

// FuzzPhotoIntake feeds arbitrary bytes and crops to the avatar upload.
func FuzzPhotoIntake(f *testing.F) {
	srv, tok := fuzzServer(f)
	img := image.NewNRGBA(image.Rect(0, 0, 40, 30))
	var p, j bytes.Buffer
	png.Encode(&p, img)
	jpeg.Encode(&j, img, nil)
	f.Add(p.Bytes(), "image/png", "")
	f.Add(j.Bytes(), "image/jpeg", "zoom=2&x=0.3&y=-0.4")
	f.Add(j.Bytes()[:len(j.Bytes())/2], "image/jpeg", "zoom=NaN")
	f.Add([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01\x00\x00\x00\x01\x00\x00\x08\x02"), "image/png", "zoom=1e308")
	f.Fuzz(func(t *testing.T, data []byte, ctype, query string) {
		serveFuzz(t, srv, "PUT", "/v1/me/avatar?"+query, tok, ctype, data, map[string]string{"If-Match": `"1"`})
	})
}
