package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server"
	"github.com/phoneset/phoneset/server/servertest"
)

// TestOrgDisableEndsStreams: `phoneset-server org disable` is a process of
// its own on the running server's SQLite file, yet the server ends the
// organisation's event streams at once: their own recheck is an hour away.
func TestOrgDisableEndsStreams(t *testing.T) {
	dir := t.TempDir()
	_, base, demo := servertest.NewWith(t, server.Config{DataDir: dir, LiveRecheck: time.Hour})
	client := &http.Client{Timeout: time.Minute} // only so that a failure cannot hang
	body, _ := json.Marshal(api.SignInRequest{Login: "agent1", Password: server.DemoPassword, Device: "test"})
	r, err := client.Post(base+"/v1/sessions", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var tok api.Tokens
	if err := json.NewDecoder(r.Body).Decode(&tok); err != nil || r.StatusCode != http.StatusCreated {
		t.Fatalf("sign in: %d %v", r.StatusCode, err)
	}
	r.Body.Close()
	req, _ := http.NewRequest("GET", base+"/v1/me/events", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	stream, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Body.Close()
	lines := bufio.NewScanner(stream.Body)
	// next returns the data of the next event named name.
	next := func(name string) string {
		t.Helper()
		event := ""
		for lines.Scan() {
			switch l := lines.Text(); {
			case l == "": // an event ends
				event = ""
			case strings.HasPrefix(l, "event: "):
				event = strings.TrimPrefix(l, "event: ")
			case strings.HasPrefix(l, "data: ") && event == name:
				return strings.TrimPrefix(l, "data: ")
			}
		}
		t.Fatalf("stream ended before an %q event: %v", name, lines.Err())
		return ""
	}
	next(api.EventStatus) // the stream is open

	var out, errb bytes.Buffer
	if code := orgCommand(context.Background(), []string{"disable", demo.OrgID, "--data", dir}, &out, &errb); code != 0 {
		t.Fatalf("disable: %d %q %q", code, out.String(), errb.String())
	}
	var end api.EventEndBody
	if err := json.Unmarshal([]byte(next(api.EventEnd)), &end); err != nil || end.Code != api.CodeUnauthorized {
		t.Fatalf("stream ended with %+v, %v", end, err)
	}
}
