package ui

import (
	"testing"
	"time"
)

func TestInboxPage(t *testing.T) {
	setup(t)
	var msgs []DemoMessage
	p := NewInboxPage(func() []DemoMessage { return msgs }, utcZone)
	w := show(t, p.Content())
	p.Load()
	if len(p.list.Objects) != 1 {
		t.Fatal("empty inbox shows no note")
	}
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	msgs = []DemoMessage{
		{Channel: "email", To: "bo@example.com", Subject: "Confirm your new email address", Body: "Open http://127.0.0.1:1/v1/email/confirm?token=abc", At: at},
		{Channel: "sms", To: "+46701234567", Body: "Your Phoneset code is 123456", At: at.Add(time.Minute)},
	}
	p.Load()
	assertGolden(t, "inbox.xml", w.Canvas())
	if len(p.list.Objects) != 2 {
		t.Fatalf("%d rows for 2 messages", len(p.list.Objects))
	}
}
