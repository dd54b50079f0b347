// Package mail delivers the backend's emails and text messages through a
// small Sender interface: SMTP (net/smtp), an HTTP webhook, or a
// development outbox that keeps messages in memory for tests and the
// embedded demo.
package mail

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/smtp"
	"strings"
	"sync"
	"time"
)

// Channels a message goes out on.
const (
	Email = "email"
	SMS   = "sms"
)

// Message is one email or text message. Subject is empty for SMS.
type Message struct {
	ID      int64     `json:"id"`
	Channel string    `json:"channel"`
	To      string    `json:"to"`
	Subject string    `json:"subject,omitempty"`
	Body    string    `json:"body"`
	At      time.Time `json:"at"`
}

// Sender delivers messages.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// SMTP sends email through an SMTP relay with net/smtp. Auth is optional;
// net/smtp only sends PLAIN credentials over TLS or to localhost.
type SMTP struct {
	Addr string // host:port
	From string
	Auth smtp.Auth
}

// Send implements Sender.
func (s *SMTP) Send(_ context.Context, m Message) error {
	if strings.ContainsAny(m.To, "\r\n") || strings.ContainsAny(s.From, "\r\n") {
		return errors.New("mail: address contains a line break")
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
		s.From, m.To, mime.QEncoding.Encode("utf-8", m.Subject), m.At.Format(time.RFC1123Z))
	b.WriteString(strings.ReplaceAll(m.Body, "\n", "\r\n"))
	if err := smtp.SendMail(s.Addr, s.Auth, s.From, []string{m.To}, b.Bytes()); err != nil {
		return fmt.Errorf("mail: smtp %s: %w", s.Addr, err)
	}
	return nil
}

// Webhook POSTs each message as JSON to URL (an SMS gateway or a mail API
// bridge). A non-2xx answer is an error.
type Webhook struct {
	URL    string
	Header http.Header // e.g. an Authorization for the gateway
	Client *http.Client
}

// Send implements Sender.
func (w *Webhook) Send(ctx context.Context, m Message) error {
	body, err := json.Marshal(m)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("mail: webhook: %w", err)
	}
	for k, v := range w.Header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	hc := w.Client
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		var ue interface{ Unwrap() error }
		if errors.As(err, &ue) {
			err = ue.Unwrap() // the URL may hold a gateway token: keep it out of logs
		}
		return fmt.Errorf("mail: webhook: %w", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("mail: webhook answered %s", resp.Status)
	}
	return nil
}

// Outbox keeps messages in memory, newest last, for tests and the embedded
// demo. With ShowBodies it also writes them to the log, secrets included,
// which is only acceptable in development.
type Outbox struct {
	Log        *slog.Logger
	ShowBodies bool
	Max        int // messages kept; default 200

	mu     sync.Mutex
	msgs   []Message
	nextID int64
}

// Send implements Sender.
func (o *Outbox) Send(_ context.Context, m Message) error {
	o.mu.Lock()
	o.nextID++
	m.ID = o.nextID
	o.msgs = append(o.msgs, m)
	limit := o.Max
	if limit <= 0 {
		limit = 200
	}
	if len(o.msgs) > limit {
		o.msgs = append([]Message(nil), o.msgs[len(o.msgs)-limit:]...)
	}
	o.mu.Unlock()
	if o.Log != nil {
		if o.ShowBodies {
			o.Log.Info("dev outbox", "channel", m.Channel, "to", m.To, "subject", m.Subject, "body", m.Body)
		} else {
			o.Log.Info("dev outbox", "channel", m.Channel, "to", m.To, "subject", m.Subject)
		}
	}
	return nil
}

// Messages returns a copy of the kept messages, oldest first.
func (o *Outbox) Messages() []Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]Message{}, o.msgs...)
}

// Last returns the newest message sent to to, if any.
func (o *Outbox) Last(to string) (Message, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i := len(o.msgs) - 1; i >= 0; i-- {
		if strings.EqualFold(o.msgs[i].To, to) {
			return o.msgs[i], true
		}
	}
	return Message{}, false
}
