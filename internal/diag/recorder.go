// Package diag gathers what a support request needs — versions, system,
// audio, server, the last errors — as text with every secret removed
// ("Copy diagnostics" in Help).
package diag

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// Recorder is a slog handler that keeps the last warnings and errors,
// redacted, and passes every record on to the next handler unchanged; its
// Writer keeps what the standard log package prints too.
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

// Writer is an output for the standard log package, through which Fyne
// reports its errors: each line is kept, redacted, and written on to next.
func (r *Recorder) Writer(next io.Writer) io.Writer { return stdlogWriter{r, next} }

type stdlogWriter struct {
	r    *Recorder
	next io.Writer
}

func (w stdlogWriter) Write(p []byte) (int, error) {
	// The log package writes one whole line per call.
	w.r.ring.add(Redact(strings.TrimRight(string(p), "\n")))
	return w.next.Write(p)
}

func (r *Recorder) keep(rec slog.Record) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s", rec.Time.UTC().Format(time.RFC3339), rec.Level, Redact(rec.Message))
	b.WriteString(r.prefix)
	rec.Attrs(func(a slog.Attr) bool {
		writeAttr(&b, r.group, a)
		return true
	})
	r.ring.add(b.String())
}

func (g *ring) add(line string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.lines) == g.max {
		g.lines = g.lines[1:]
	}
	g.lines = append(g.lines, line)
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
