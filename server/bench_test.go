package server_test

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/api/client"
	"github.com/phoneset/phoneset/server"
	"github.com/phoneset/phoneset/server/servertest"
)

// benchClients is how many clients hammer the server at once.
const benchClients = 16

// loadTest sends b.N GETs to url from benchClients goroutines over
// keep-alive connections and reports throughput and p99 latency.
func loadTest(b *testing.B, url, token string) (rps float64) {
	tr := &http.Transport{MaxIdleConnsPerHost: benchClients, MaxConnsPerHost: benchClients}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	var next atomic.Int64
	lat := make([][]time.Duration, benchClients)
	errs := make(chan error, benchClients)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for c := range benchClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				req, _ := http.NewRequest(http.MethodGet, url, nil)
				req.Header.Set("Authorization", "Bearer "+token)
				t0 := time.Now()
				resp, err := hc.Do(req)
				if err != nil {
					errs <- err
					return
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK {
					errs <- errors.Join(err, errors.New(resp.Status))
					return
				}
				lat[c] = append(lat[c], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	rps = float64(b.N) / elapsed.Seconds()
	b.ReportMetric(rps, "req/s")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds()), "p99-µs")
	b.ReportMetric(0, "ns/op") // per-op time is meaningless with concurrent clients
	return rps
}

// BenchmarkGetMe measures authenticated GET /v1/me on loopback beside a
// bare net/http handler answering a body of the same size, in the same
// run. The target is at least half the bare handler's throughput; the
// "me" line reports the ratio as x-bare.
func BenchmarkGetMe(b *testing.B) {
	_, base, demo := servertest.New(b)
	c, err := client.New(base)
	if err != nil {
		b.Fatal(err)
	}
	tok, err := c.SignIn(b.Context(), api.SignInRequest{Login: demo.Agents[0].Login, Password: server.DemoPassword})
	if err != nil {
		b.Fatal(err)
	}
	body, err := c.Me(b.Context())
	if err != nil {
		b.Fatal(err)
	}
	size := len(mustJSON(b, body))

	var bare float64
	b.Run("bare", func(b *testing.B) {
		payload := make([]byte, size)
		for i := range payload {
			payload[i] = 'x'
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write(payload)
		})}
		go hs.Serve(ln)
		defer hs.Close()
		bare = loadTest(b, "http://"+ln.Addr().String()+"/v1/me", tok.AccessToken)
	})
	b.Run("me", func(b *testing.B) {
		rps := loadTest(b, base+"/v1/me", tok.AccessToken)
		if bare > 0 {
			b.ReportMetric(rps/bare, "x-bare")
		}
	})
}

func mustJSON(b *testing.B, v any) []byte {
	j, err := json.Marshal(v)
	if err != nil {
		b.Fatal(err)
	}
	return j
}
