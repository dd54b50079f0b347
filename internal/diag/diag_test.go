package diag

import (
	"bytes"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/phoneset/phoneset/internal/buildinfo"
)

// Real-looking secrets, as the server makes them (prefix + 256-bit base64url).
const (
	accessToken  = "psa_q2Vh3mZ0bN8xYtR5uW7kLp4sDf6gHj1aCe9vBn2MxQ0"
	refreshToken = "psr_Zk8yT1wQ5eR3tY7uI9oP2aS4dF6gH0jK1lZ3xC5vB7n"
	apiKey       = "psk_live_9fT2kLm4Qx7Rb1Zc8Vn3Wd6Ys0Hg5Je2Ua4Pi7Ko1"
	password     = "Correct-Horse-42"
	urlPassword  = "s3cr3t-pa55"
	jwt          = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZ2VudDEifQ.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	hexKey       = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	code         = "483920"
)

var secrets = []string{accessToken, refreshToken, apiKey, password, urlPassword, jwt, hexKey, code,
	accessToken[4:], refreshToken[4:], apiKey[9:]}

func TestRedact(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"GET https://bo:" + urlPassword + "@phoneset.example.com/v1/me failed",
			"GET https://[redacted]@phoneset.example.com/v1/me failed"},
		{"open https://phoneset.example.com/reset?token=abc&lang=sv#frag",
			"open https://phoneset.example.com/reset?lang=[redacted]&token=[redacted]"},
		{"Authorization: Bearer " + accessToken, "Authorization: [redacted] [redacted]"},
		{"token " + accessToken + " expired", "token psa_[redacted] expired"},
		{"header Bearer " + jwt, "header Bearer [redacted]"},
		{`{"refresh_token":"` + refreshToken + `"}`, `{"refresh_token":"[redacted]"}`},
		{"password=" + password + " login=agent1", "password=[redacted] login=agent1"},
		{"api_key: " + apiKey, "api_key: [redacted]"},
		{"verification code " + code + " sent", "verification code [redacted] sent"},
		{"key " + hexKey, "key [redacted]"},
		{"cookie=session=abc", "cookie=[redacted]"},
		// Kept: what says where and what went wrong.
		{"POST http://127.0.0.1:8443/v1/sessions: 503 Service Unavailable after 2.5s",
			"POST http://127.0.0.1:8443/v1/sessions: 503 Service Unavailable after 2.5s"},
		{"account: keyring unavailable; err=code invalid_credentials", "account: keyring unavailable; err=code invalid_credentials"},
		{"device Jabra Evolve2 65 on wasapi, latency 42 ms, +46701234567", "device Jabra Evolve2 65 on wasapi, latency 42 ms, +46701234567"},
	}
	for _, tt := range tests {
		if got := Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q)\n = %q\nwant %q", tt.in, got, tt.want)
		}
		// The report redacts records the recorder redacted already.
		if got := Redact(tt.want); got != tt.want {
			t.Errorf("Redact of the redacted %q = %q", tt.want, got)
		}
	}
}

func TestRecorderKeepsLastWarningsRedacted(t *testing.T) {
	var out bytes.Buffer
	rec := NewRecorder(slog.NewTextHandler(&out, nil), 3)
	log := slog.New(rec).With("server", "https://phoneset.example.com")
	log.Info("audio devices", "backend", "pulseaudio") // passed on, not kept
	log.Warn("keyring unavailable", "err", errors.New("dbus: no session bus"))
	log.WithGroup("req").Error("sign-in failed", "password", password, "url", "https://bo:"+urlPassword+"@x.example/v1")
	log.Error("refresh failed", slog.Group("auth", "refresh_token", refreshToken), "err", fmt.Errorf("401 for Bearer %s", accessToken))
	log.Error("fourth", "n", 4)

	got := rec.Recent()
	if len(got) != 3 {
		t.Fatalf("kept %d records, want the last 3: %q", len(got), got)
	}
	for i, want := range []string{"ERROR sign-in failed", "ERROR refresh failed", `ERROR fourth server="https://phoneset.example.com" n="4"`} {
		if !strings.Contains(got[i], want) {
			t.Errorf("record %d = %q, want it to contain %q", i, got[i], want)
		}
	}
	for _, want := range []string{`req.password="[redacted]"`, `req.url="https://[redacted]@x.example/v1"`, `auth.refresh_token="[redacted]"`} {
		if !strings.Contains(strings.Join(got, "\n"), want) {
			t.Errorf("records lack %s: %q", want, got)
		}
	}
	for _, s := range secrets {
		if strings.Contains(strings.Join(got, "\n"), s) {
			t.Errorf("a kept record holds the secret %q", s)
		}
	}
	// The next handler sees every record as logged.
	if !strings.Contains(out.String(), `msg="audio devices" server=https://phoneset.example.com backend=pulseaudio`) {
		t.Errorf("info record not passed on:\n%s", out.String())
	}
}

// TestReportHasNoSecrets builds a report from a session full of secrets:
// in the server URL, the audio error and the recent errors.
func TestReportHasNoSecrets(t *testing.T) {
	rec := NewRecorder(slog.DiscardHandler, 20)
	log := slog.New(rec)
	log.Error("sync failed", "err", "PATCH https://phoneset.example.com/v1/me?access_token="+accessToken+": 500")
	log.Error("api key shown", "key", apiKey)
	log.Warn("verify", "msg", "your code is "+code)
	log.Error("login", "body", `{"login":"agent1","password":"`+password+`"}`)
	log.Error("jwt", "id_token", jwt, "detail", "hex "+hexKey)
	r := Report{
		App:          "Phoneset",
		Build:        buildinfo.Info{Version: "0.1.0", Build: "1", Go: "go1.27.3", OS: "linux", Arch: "amd64", Fyne: "v2.8.1"},
		Language:     "sv",
		Server:       "https://it:" + urlPassword + "@phoneset.example.com",
		ServerSource: "/etc/phoneset/phoneset.conf",
		Login:        "agent1",
		AudioBackend: "pulseaudio",
		AudioDevices: []string{"playback: Jabra Evolve2 65 (default)", "capture: Jabra Evolve2 65"},
		AudioErr:     "refresh " + refreshToken,
		RecentErrors: rec.Recent(),
	}
	text := r.String()
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Errorf("the report holds the secret %q:\n%s", s, text)
		}
	}
	for _, want := range []string{"Phoneset 0.1.0 (build 1, commit -)", "go1.27.3", "linux/amd64", "v2.8.1",
		"https://[redacted]@phoneset.example.com", "/etc/phoneset/phoneset.conf", "agent1",
		"PATCH https://phoneset.example.com/v1/me?access_token=[redacted] 500",
		"Jabra Evolve2 65 (default)", "Recent errors (5):", "sync failed"} {
		if !strings.Contains(text, want) {
			t.Errorf("the report lacks %q:\n%s", want, text)
		}
	}
}

func TestRecorderKeepsStdlibLines(t *testing.T) {
	var out bytes.Buffer
	rec := NewRecorder(slog.DiscardHandler, 2)
	l := log.New(rec.Writer(&out), "", 0)
	l.Println("Fyne error:  Translation failure")
	l.Println("  Cause: refresh " + refreshToken + " rejected")
	got := rec.Recent()
	want := []string{"Fyne error:  Translation failure", "  Cause: refresh psr_[redacted] rejected"}
	if !slices.Equal(got, want) {
		t.Errorf("kept %q, want %q", got, want)
	}
	if !strings.Contains(out.String(), refreshToken) {
		t.Errorf("the line was not written on unchanged: %q", out.String())
	}
}
