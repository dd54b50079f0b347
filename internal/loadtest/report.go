package loadtest

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Report is what a run did and how fast the server answered.
type Report struct {
	Clients   int
	NotReady  int // clients that never got signed in
	Duration  time.Duration
	Requests  int64 // answered or not
	Errors5xx int64
	Transport int64 // requests without an HTTP answer
	Acked     int64 // writes the server acknowledged
	// P50 and P99 are over every answered request.
	P50, P99 time.Duration
	Ops      []OpReport // operations that ran, in Op order
	// Violations are broken promises seen during the run: an unexpected
	// 4xx, a write acknowledged with the wrong version, a read older than
	// an acknowledged write.
	Violations []string
}

// OpReport is one operation's share of a run.
type OpReport struct {
	Op            Op
	Count         int
	Codes         map[int]int // HTTP status (0: no answer) → count
	P50, P99, Max time.Duration
}

// ReqPerSec is the request rate over the run.
func (r *Report) ReqPerSec() float64 { return float64(r.Requests) / r.Duration.Seconds() }

func (r *Runner) report(d time.Duration) *Report {
	rep := &Report{Clients: len(r.clients), Duration: d, Requests: r.requests.Load(),
		Errors5xx: r.errors5xx.Load(), Transport: r.transport.Load(), Acked: r.acked.Load()}
	var all []time.Duration
	for op := range numOps {
		o := OpReport{Op: op, Codes: map[int]int{}}
		var lat []time.Duration
		for _, c := range r.clients {
			lat = append(lat, c.lat[op]...)
			for code, n := range c.codes[op] {
				o.Codes[code] += n
				o.Count += n
			}
		}
		if o.Count == 0 {
			continue
		}
		o.P50, o.P99, o.Max = percentiles(lat)
		all = append(all, lat...)
		rep.Ops = append(rep.Ops, o)
	}
	rep.P50, rep.P99, _ = percentiles(all)
	for _, c := range r.clients {
		if !c.ready {
			rep.NotReady++
		}
	}
	r.mu.Lock()
	rep.Violations = slices.Clone(r.violations)
	r.mu.Unlock()
	return rep
}

// percentiles sorts lat in place and returns its median, 99th percentile
// and maximum (nearest rank).
func percentiles(lat []time.Duration) (p50, p99, maxLat time.Duration) {
	if len(lat) == 0 {
		return 0, 0, 0
	}
	slices.Sort(lat)
	rank := func(p int) time.Duration {
		i := (len(lat)*p + 99) / 100 // ceil(n·p/100), 1-based
		return lat[max(i, 1)-1]
	}
	return rank(50), rank(99), lat[len(lat)-1]
}

// Header is the column line of Summary.
const Header = "label            clients   secs  requests    req/s   acked   5xx  no-answer  violations  lost     p50      p99"

// Summary is one table line; lost is the number of lost writes Verify found.
func (r *Report) Summary(label string, lost int) string {
	return fmt.Sprintf("%-16s %7d %6.1f %9d %8.0f %7d %5d %10d %11d %5d %7s %8s",
		label, r.Clients, r.Duration.Seconds(), r.Requests, r.ReqPerSec(), r.Acked, r.Errors5xx, r.Transport,
		len(r.Violations), lost, round(r.P50), round(r.P99))
}

// Detail lists each operation's count, statuses and latencies.
func (r *Report) Detail() string {
	var b strings.Builder
	fmt.Fprintf(&b, "  %-18s %8s %8s %8s %8s  %s\n", "operation", "count", "p50", "p99", "max", "statuses")
	for _, o := range r.Ops {
		codes := make([]int, 0, len(o.Codes))
		for c := range o.Codes {
			codes = append(codes, c)
		}
		sort.Ints(codes)
		var cs []string
		for _, c := range codes {
			name := fmt.Sprint(c)
			if c == 0 {
				name = "none"
			}
			cs = append(cs, fmt.Sprintf("%s×%d", name, o.Codes[c]))
		}
		fmt.Fprintf(&b, "  %-18s %8d %8s %8s %8s  %s\n", o.Op, o.Count, round(o.P50), round(o.P99), round(o.Max), strings.Join(cs, " "))
	}
	return b.String()
}

func round(d time.Duration) string {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	}
	return d.Round(time.Microsecond).String()
}

// Verify reads back every resource of every client that got signed in and
// checks it holds the last acknowledged write (or the one write in doubt
// on top of it). It returns each lost write it finds; err is set when the
// server could not be read at all.
func (r *Runner) Verify(ctx context.Context) (checked int, lost []string, err error) {
	r.mu.Lock()
	from := len(r.violations)
	r.mu.Unlock()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	sem := make(chan struct{}, 16)
	for _, c := range r.clients {
		if c.photo.name == "" {
			continue // never signed in: wrote nothing
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			n, err := c.verify(ctx)
			mu.Lock()
			checked += n
			if err != nil {
				errs = append(errs, err)
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	r.mu.Lock()
	lost = slices.Clone(r.violations[from:])
	r.mu.Unlock()
	if len(errs) > 0 {
		err = fmt.Errorf("loadtest: verify: %d clients could not read back, first: %w", len(errs), errs[0])
	}
	return checked, lost, err
}

// verify reads the client's four resources, retrying for a while when the
// server does not answer (it may still be starting).
func (c *client) verify(ctx context.Context) (int, error) {
	checked := 0
	for _, t := range []*tracked{&c.profile, &c.status, &c.notif, &c.photo} {
		var ok bool
		for try := 0; try < 100 && !ok; try++ {
			if try > 0 && !c.pause(ctx) {
				return checked, ctx.Err()
			}
			if c.token == "" && !c.signIn(ctx) {
				continue
			}
			var v int64
			var val string
			if v, val, ok = c.read(ctx, t); ok {
				t.observe(c.r, c.who(), v, val)
				checked++
			}
		}
		if !ok {
			return checked, fmt.Errorf("%s %s: no answer", c.who(), t.name)
		}
	}
	return checked, nil
}
