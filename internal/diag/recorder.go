// Package diag gathers what a support request needs — versions, system,
// audio, server, the last errors — as text with every secret removed
// ("Copy diagnostics" in Help).
package diag

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// Recorder is a slog handler that keeps the last warnings and errors,
// redacted, and passes every record on to the next handler unchanged.
type Recorder struct {
	next   slog.Handler
	ring   *ring
	prefix string // attributes from WithAttrs, already formatted
	group  string // the WithGroup path, "a.b."
}

type ring struct {
	mu    sync.Mutex
	lines []string // oldest first
	max   int
}

// NewRecorder keeps the last max warning and error records, and hands
// every record to next.
func NewRecorder(next slog.Handler, max int) *Recorder {
	return &Recorder{next: next, ring: &ring{max: max}}
}

// Recent returns the kept records, oldest first, one line each.
func (r *Recorder) Recent() []string {
	r.ring.mu.Lock()
	defer r.ring.mu.Unlock()
	return append([]string(nil), r.ring.lines...)
}

func (r *Recorder) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn || r.next.Enabled(ctx, l)
}

func (r *Recorder) Handle(ctx context.Context, rec slog.Record) error {
	if rec.Level >= slog.LevelWarn {
		r.keep(rec)
	}
	if !r.next.Enabled(ctx, rec.Level) {
		return nil
	}
	return r.next.Handle(ctx, rec)
}

func (r *Recorder) keep(rec slog.Record) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s", rec.Time.UTC().Format(time.RFC3339), rec.Level, Redact(rec.Message))
	b.WriteString(r.prefix)
	rec.Attrs(func(a slog.Attr) bool {
		writeAttr(&b, r.group, a)
		return true
	})
	r.ring.mu.Lock()
	defer r.ring.mu.Unlock()
	if len(r.ring.lines) == r.ring.max {
		r.ring.lines = r.ring.lines[1:]
	}
	r.ring.lines = append(r.ring.lines, b.String())
}

// writeAttr appends " key=value", the value redacted: whole when the key
// names a secret, else the secrets found in it.
func writeAttr(b *strings.Builder, group string, a slog.Attr) {
	v := a.Value.Resolve()
	if v.Kind() == slog.KindGroup {
		for _, g := range v.Group() {
			writeAttr(b, group+a.Key+".", g)
		}
		return
	}
	text := redacted
	if !secretKey(a.Key) {
		text = Redact(v.String())
	}
	fmt.Fprintf(b, " %s%s=%q", group, a.Key, text)
}

func (r *Recorder) WithAttrs(attrs []slog.Attr) slog.Handler {
	var b strings.Builder
	for _, a := range attrs {
		writeAttr(&b, r.group, a)
	}
	c := *r
	c.next = r.next.WithAttrs(attrs)
	c.prefix += b.String()
	return &c
}

func (r *Recorder) WithGroup(name string) slog.Handler {
	c := *r
	c.next = r.next.WithGroup(name)
	c.group += name + "."
	return &c
}
