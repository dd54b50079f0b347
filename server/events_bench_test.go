package server_test

import (
	"bufio"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/server"
	"github.com/phoneset/phoneset/server/servertest"
)

// Environment of TestLiveClients when BenchmarkLiveFanout runs it as its
// client process.
const (
	envLiveURL     = "PHONESET_BENCH_LIVE_URL"
	envLiveToken   = "PHONESET_BENCH_LIVE_TOKEN"
	envLiveClients = "PHONESET_BENCH_LIVE_CLIENTS"
)

// BenchmarkLiveFanout holds liveClients event streams open on one server
// (SQLite) and changes the status b.N times; each change must reach every
// stream. The clients run in a child process, so the server's memory per
// stream is measured alone. It reports the server's heap and stack bytes
// per stream and goroutines per stream, and the delay from the change's
// request to the stream reading it: p99 over every stream and change, and
// p99 over changes of the delay until the last stream had it.
//
//	go test ./server -run '^$' -bench BenchmarkLiveFanout -benchtime 50x
func BenchmarkLiveFanout(b *testing.B) {
	const liveClients = 1000
	srv, base, _ := servertest.NewWith(b, server.Config{LiveStreamsPerUser: liveClients + 10})
	e := &env{t: b, srv: srv, base: base}
	tok := e.agent1().AccessToken

	before := serverMem()
	goBefore := runtime.NumGoroutine()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLiveClients$", "-test.v")
	cmd.Env = append(os.Environ(), envLiveURL+"="+base, envLiveToken+"="+tok, envLiveClients+"="+strconv.Itoa(liveClients))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stdin = nil
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		in.Close()
		cmd.Wait()
	}()
	lines := bufio.NewScanner(out)
	next := func() string {
		for lines.Scan() {
			if l := lines.Text(); strings.HasPrefix(l, "live ") {
				return l[5:]
			}
		}
		b.Fatalf("client process ended: %v", lines.Err())
		return ""
	}
	if l := next(); l != "ready" {
		b.Fatalf("client process: %s", l)
	}
	for server.LiveStreams(srv) < liveClients {
		time.Sleep(10 * time.Millisecond)
	}
	after := serverMem()
	goAfter := runtime.NumGoroutine()

	var all, last []time.Duration
	avail := []api.Availability{api.Online, api.Offline}
	b.ResetTimer()
	for i := range b.N {
		a := avail[i%2]
		t0 := time.Now()
		e.setStatus(b, tok, a, "")
		// The child answers with each stream's receipt time of this change.
		fmt.Fprintln(in, a)
		fields := strings.Fields(next())
		if len(fields) != liveClients {
			b.Fatalf("change %d reached %d of %d streams", i, len(fields), liveClients)
		}
		var worst time.Duration
		for _, f := range fields {
			ns, _ := strconv.ParseInt(f, 10, 64)
			d := time.Unix(0, ns).Sub(t0)
			all = append(all, d)
			worst = max(worst, d)
		}
		last = append(last, worst)
	}
	b.StopTimer()
	b.ReportMetric(float64(after-before)/liveClients, "server-B/stream")
	b.ReportMetric(float64(goAfter-goBefore)/liveClients, "goroutines/stream")
	b.ReportMetric(float64(p99(all).Microseconds())/1000, "p99-ms/stream")
	b.ReportMetric(float64(p99(last).Microseconds())/1000, "p99-ms/all-streams")
}

func p99(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[(len(s)*99)/100]
}

// serverMem is the heap and stack in use after a collection.
func serverMem() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse + m.StackInuse)
}

// TestLiveClients is BenchmarkLiveFanout's client process: it opens the
// streams, says "live ready", and for every availability read on stdin
// answers with each stream's receipt time of a change to it. It skips
// outside the benchmark.
func TestLiveClients(t *testing.T) {
	base := os.Getenv(envLiveURL)
	if base == "" {
		t.Skip("the benchmark's client process")
	}
	n, _ := strconv.Atoi(os.Getenv(envLiveClients))
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	req := "GET /v1/me/events HTTP/1.1\r\nHost: " + u.Host + "\r\nAuthorization: Bearer " + os.Getenv(envLiveToken) +
		"\r\nAccept: text/event-stream\r\n\r\n"
	type seen struct {
		avail api.Availability
		at    int64
	}
	got := make([]chan seen, n)
	var opened sync.WaitGroup
	for i := range n {
		got[i] = make(chan seen, 64)
		opened.Add(1)
		go func() {
			c, err := net.Dial("tcp", u.Host)
			if err != nil {
				t.Error(err)
				opened.Done()
				return
			}
			defer c.Close()
			c.Write([]byte(req))
			r := bufio.NewReaderSize(c, 1024)
			first := true
			for {
				line, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if !strings.HasPrefix(line, "data: ") {
					continue
				}
				at := time.Now().UnixNano()
				if first { // the stream's own status as it opens
					first = false
					opened.Done()
					continue
				}
				for _, a := range []api.Availability{api.Online, api.Offline, api.Unavailable} {
					if strings.Contains(line, `"availability":"`+string(a)+`"`) {
						got[i] <- seen{a, at}
					}
				}
			}
		}()
	}
	opened.Wait()
	fmt.Println("live ready")
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		want := api.Availability(in.Text())
		times := make([]string, n)
		for i := range n {
			for s := range got[i] {
				if s.avail == want {
					times[i] = strconv.FormatInt(s.at, 10)
					break
				}
			}
		}
		fmt.Println("live " + strings.Join(times, " "))
	}
}
