package mail

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// fakeSMTP accepts one message on loopback and returns what it received.
func fakeSMTP(t *testing.T) (addr string, got <-chan string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	ch := make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		say := func(s string) { io.WriteString(c, s+"\r\n") }
		say("220 fake")
		var data strings.Builder
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			switch cmd := strings.ToUpper(strings.TrimSpace(line)); {
			case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
				say("250 fake")
			case cmd == "DATA":
				say("354 go on")
				for {
					l, err := r.ReadString('\n')
					if err != nil || l == ".\r\n" {
						break
					}
					data.WriteString(l)
				}
				say("250 queued")
			case cmd == "QUIT":
				say("221 bye")
				ch <- data.String()
				return
			default:
				data.WriteString(line)
				say("250 ok")
			}
		}
	}()
	return ln.Addr().String(), ch
}

func TestSMTP(t *testing.T) {
	addr, got := fakeSMTP(t)
	s := &SMTP{Addr: addr, From: "phoneset@example.com"}
	m := Message{Channel: Email, To: "bo@example.com", Subject: "Återställ lösenord", Body: "line 1\nline 2", At: time.Now()}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	msg := <-got
	for _, want := range []string{"MAIL FROM:<phoneset@example.com>", "RCPT TO:<bo@example.com>", "To: bo@example.com",
		"Subject: =?utf-8?q?", "line 1\r\nline 2"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	if err := s.Send(context.Background(), Message{To: "a@b.c\r\nBcc: x@y.z"}); err == nil {
		t.Error("header injection through the recipient was sent")
	}
}

func TestWebhook(t *testing.T) {
	var got Message
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer gw" || r.Header.Get("Content-Type") != "application/json" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		json.NewDecoder(r.Body).Decode(&got)
		w.WriteHeader(status)
	}))
	defer srv.Close()
	w := &Webhook{URL: srv.URL + "/sms?token=secret", Header: http.Header{"Authorization": {"Bearer gw"}}}
	if err := w.Send(context.Background(), Message{Channel: SMS, To: "+46701234567", Body: "code 123456"}); err != nil {
		t.Fatal(err)
	}
	if got.To != "+46701234567" || got.Body != "code 123456" || got.Channel != SMS {
		t.Fatalf("got %+v", got)
	}
	status = http.StatusBadGateway
	err := w.Send(context.Background(), Message{To: "x"})
	if err == nil || !strings.Contains(err.Error(), "502") {
		t.Fatalf("gateway failure: %v", err)
	}
	srv.Close()
	err = w.Send(context.Background(), Message{To: "x"})
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Fatalf("unreachable gateway: %v (must not show the URL's token)", err)
	}
}

func TestOutbox(t *testing.T) {
	o := &Outbox{Max: 3}
	for _, to := range []string{"a", "b", "A", "c"} {
		o.Send(context.Background(), Message{To: to, Body: to})
	}
	msgs := o.Messages()
	if len(msgs) != 3 || msgs[0].To != "b" || msgs[2].ID != 4 {
		t.Fatalf("messages %+v", msgs)
	}
	if m, ok := o.Last("a"); !ok || m.Body != "A" {
		t.Fatalf("Last(a) = %+v %v", m, ok)
	}
	if _, ok := o.Last("z"); ok {
		t.Fatal("Last found a message never sent")
	}
}
