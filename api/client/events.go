package client

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/phoneset/phoneset/api"
)

// streamIdle is how long a stream may stay silent before the client takes
// the connection for dead: the server comments every 25 s.
const streamIdle = 70 * time.Second

// maxEventBytes caps one event, so a broken or hostile server cannot grow
// the client's memory without bound.
const maxEventBytes = 64 << 10

// WatchStatus follows GET /v1/me/events until ctx ends, calling fn (on
// its own goroutine) for every status change the signed-in user may see.
// It reconnects with backoff and resumes where it was, refreshes an
// expired access token, and calls fn once per status version, whatever
// arrives twice. It returns nil when ctx ends, or an error when the
// session is gone or the server refuses the stream for good.
func (c *Client) WatchStatus(ctx context.Context, fn func(api.StatusEvent)) error {
	w := &watch{c: c, fn: fn, seen: map[string]int64{}}
	failures := 0
	for {
		token := c.Tokens().AccessToken
		if token == "" {
			return api.ErrUnauthorized
		}
		opened, end, err := w.stream(ctx, token)
		if ctx.Err() != nil {
			return nil
		}
		if opened {
			failures = 0
		}
		var ae *api.Error
		errors.As(err, &ae)
		var wait time.Duration
		switch {
		case end == api.CodeUnauthorized || (ae != nil && ae.Status == http.StatusUnauthorized):
			if rerr := c.refreshAfter(ctx, token); rerr != nil {
				if !IsTransient(rerr) {
					return rerr
				}
				wait = c.retry.Backoff(failures)
				failures++
			}
		case end == api.CodeResync:
			// Reconnect at once: the server caught up or moves on.
		case ae != nil && ae.Status == http.StatusBadRequest && w.lastID != "":
			w.lastID = "" // a resume point this server does not know
		case err != nil && !IsTransient(err):
			return err
		default: // a lost connection, a stream that went quiet, 429, 5xx
			wait = c.retry.Backoff(failures)
			if ae != nil && ae.RetryAfter > wait {
				wait = ae.RetryAfter
			}
			failures++
		}
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil
			case <-t.C:
			}
		}
	}
}

// watch is the state WatchStatus keeps across reconnections.
type watch struct {
	c      *Client
	fn     func(api.StatusEvent)
	lastID string
	seen   map[string]int64 // user → newest status version passed on
}

// stream reads one connection's events until it ends; opened says the
// server accepted it, end is the code of its end event, if any.
func (w *watch) stream(ctx context.Context, token string) (opened bool, end string, err error) {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req := w.c.r.R().SetContext(sctx).SetAuthToken(token).SetDoNotParseResponse(true).
		SetHeader("Accept", "text/event-stream")
	if w.lastID != "" {
		req.SetHeader("Last-Event-ID", w.lastID)
	}
	resp, err := req.Get("/v1/me/events")
	if err != nil {
		if errors.Is(err, ErrInsecureURL) {
			return false, "", err
		}
		return false, "", &TransportError{Err: err}
	}
	body := resp.RawBody()
	defer body.Close()
	if resp.StatusCode() != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(body, maxEventBytes))
		return false, "", decodeError(resp.StatusCode(), resp.Header(), b)
	}
	// A watchdog hangs up on a stream that stopped talking.
	var mu sync.Mutex
	last := time.Now()
	go func() {
		t := time.NewTicker(streamIdle / 7)
		defer t.Stop()
		for {
			select {
			case <-sctx.Done():
				return
			case <-t.C:
				mu.Lock()
				quiet := time.Since(last) > streamIdle
				mu.Unlock()
				if quiet {
					cancel()
					return
				}
			}
		}
	}()
	br := bufio.NewReaderSize(body, 4096)
	var id, name string
	var data []byte
	for {
		line, err := readLine(br)
		if err != nil {
			return true, "", &TransportError{Err: err}
		}
		mu.Lock()
		last = time.Now()
		mu.Unlock()
		field, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.TrimPrefix(value, []byte(" "))
		switch string(field) {
		case "":
			if len(line) > 0 {
				continue // a comment
			}
			if name == api.EventEnd {
				var b api.EventEndBody
				json.Unmarshal(data, &b)
				return true, b.Code, nil
			}
			if name == api.EventStatus {
				w.deliver(data)
			}
			if id != "" {
				w.lastID = id
			}
			id, name, data = "", "", nil
		case "id":
			id = string(value)
		case "event":
			name = string(value)
		case "data":
			if len(data)+len(value) > maxEventBytes {
				return true, "", &TransportError{Err: errors.New("client: event too large")}
			}
			data = append(data, value...)
		}
	}
}

// deliver passes on a status event unless its version was seen.
func (w *watch) deliver(data []byte) {
	var ev api.StatusEvent
	if json.Unmarshal(data, &ev) != nil || ev.UserID == "" {
		return
	}
	if ev.Status.Version <= w.seen[ev.UserID] {
		return
	}
	w.seen[ev.UserID] = ev.Status.Version
	w.fn(ev)
}

// readLine reads one line without its end, refusing lines over
// maxEventBytes.
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, more, err := br.ReadLine()
		if err != nil {
			return nil, err
		}
		line = append(line, chunk...)
		if len(line) > maxEventBytes {
			return nil, errors.New("client: event line too long")
		}
		if !more {
			return line, nil
		}
	}
}
