package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
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
	"github.com/phoneset/phoneset/server/store"
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
	in, next := liveChild(b, "TestLiveClients", envLiveURL+"="+base, envLiveToken+"="+tok, envLiveClients+"="+strconv.Itoa(liveClients))
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

// liveChild starts this test binary's test as a benchmark's client process
// with env added to its environment. It returns the process's stdin and a
// function that returns its next line starting "live ", without that. The
// process ends when the benchmark does.
func liveChild(b *testing.B, test string, env ...string) (io.Writer, func() string) {
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.v")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		in.Close()
		cmd.Wait()
	})
	lines := bufio.NewScanner(out)
	lines.Buffer(nil, 1<<20)
	return in, func() string {
		for lines.Scan() {
			if l := lines.Text(); strings.HasPrefix(l, "live ") {
				return l[5:]
			}
		}
		b.Fatalf("client process ended: %v", lines.Err())
		return ""
	}
}

// readStream opens an event stream on host with token, calls opened.Done
// once the stream's own status arrived and fn with the data and receipt
// time of every later event, until the connection ends.
func readStream(t *testing.T, host, token string, opened *sync.WaitGroup, fn func(data string, at int64)) {
	c, err := net.Dial("tcp", host)
	if err != nil {
		t.Error(err)
		opened.Done()
		return
	}
	defer c.Close()
	c.Write([]byte("GET /v1/me/events HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer " + token +
		"\r\nAccept: text/event-stream\r\n\r\n"))
	r := bufio.NewReaderSize(c, 1024)
	first := true
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			continue
		}
		at := time.Now().UnixNano()
		if first { // the stream's own status as it opens
			first = false
			opened.Done()
			continue
		}
		fn(data, at)
	}
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
	type seen struct {
		avail api.Availability
		at    int64
	}
	got := make([]chan seen, n)
	var opened sync.WaitGroup
	for i := range n {
		got[i] = make(chan seen, 64)
		opened.Add(1)
		go readStream(t, u.Host, os.Getenv(envLiveToken), &opened, func(data string, at int64) {
			for _, a := range []api.Availability{api.Online, api.Offline, api.Unavailable} {
				if strings.Contains(data, `"availability":"`+string(a)+`"`) {
					got[i] <- seen{a, at}
				}
			}
		})
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

// The contact centres of BenchmarkLiveOrgs: each has benchAgents agents in
// benchTeams teams and benchTeams supervisors, supervisor j seeing teams j
// and j+1, so every agent is seen by two supervisors.
const (
	benchOrgs       = 4
	benchTeams      = 5
	benchAgents     = 245
	benchPerOrg     = benchAgents + benchTeams
	benchLiveStream = benchOrgs * benchPerOrg // 1,000
)

// benchClient is one stream of BenchmarkLiveOrgs: its user, and whom it may
// see (itself; a supervisor also the agents of its teams).
type benchClient struct {
	userID, token string
	org           int
	sees          map[string]bool
}

// BenchmarkLiveOrgs holds 1,000 event streams open on one server
// (SQLite), one per user of four organisations: agents and the
// supervisors whose streams carry their scope. Each iteration changes one
// agent's status, the organisations and teams in turn; the change must
// reach the agent's own stream and the two supervisors who see it, and at
// the end no stream may have had a change it should not see (of another
// organisation, or outside a supervisor's scope). The clients run in a
// child process, so the server's memory per stream is measured alone. It
// reports the server's heap and stack bytes and goroutines per stream, and the p99 over
// changes of the delay from the change's request until the last stream
// that should see it has read it.
//
//	go test ./server -run '^$' -bench BenchmarkLiveOrgs -benchtime 400x
func BenchmarkLiveOrgs(b *testing.B) {
	srv, base, demo := servertest.NewWith(b, server.Config{})
	e := &env{t: b, srv: srv, base: base, demo: demo}
	clients, supervisorsOf := seedBenchOrgs(b, e)
	byUser := map[string]int{}
	for i, c := range clients {
		byUser[c.userID] = i
	}

	before := serverMem()
	goBefore := runtime.NumGoroutine()
	in, next := liveChild(b, "TestLiveOrgClients", envLiveURL+"="+base)
	fmt.Fprintln(in, len(clients))
	for _, c := range clients {
		fmt.Fprintln(in, c.token)
	}
	if l := next(); l != "ready" {
		b.Fatalf("client process: %s", l)
	}
	for server.LiveStreams(srv) < len(clients) {
		time.Sleep(10 * time.Millisecond)
	}
	after := serverMem()
	goAfter := runtime.NumGoroutine()

	var last []time.Duration
	avail := map[string]api.Availability{}
	b.ResetTimer()
	for i := range b.N {
		org, agent := i%benchOrgs, (i/benchOrgs)%benchAgents
		c := clients[org*benchPerOrg+agent]
		a := api.Online
		if avail[c.userID] == api.Online {
			a = api.Offline
		}
		avail[c.userID] = a
		// Who must see it: the agent and the supervisors of its team.
		want := []string{strconv.Itoa(byUser[c.userID])}
		for _, s := range supervisorsOf[c.userID] {
			want = append(want, strconv.Itoa(byUser[s]))
		}
		t0 := time.Now()
		e.setStatus(b, c.token, a, "")
		fmt.Fprintln(in, "change", c.userID, a, strings.Join(want, ","))
		fields := strings.Fields(next())
		if len(fields) != len(want) {
			b.Fatalf("change %d reached %d of %d streams", i, len(fields), len(want))
		}
		var worst time.Duration
		for _, f := range fields {
			ns, _ := strconv.ParseInt(f, 10, 64)
			worst = max(worst, time.Unix(0, ns).Sub(t0))
		}
		last = append(last, worst)
	}
	b.StopTimer()
	// Every stream lists the users whose changes it read.
	fmt.Fprintln(in, "check")
	seen := strings.Fields(next())
	if len(seen) != len(clients) {
		b.Fatalf("check answered for %d of %d streams", len(seen), len(clients))
	}
	for i, s := range seen {
		for _, id := range strings.Split(strings.TrimPrefix(s, "-"), ",") {
			if id != "" && !clients[i].sees[id] {
				b.Errorf("stream of %s (organisation %d) read a change of %s", clients[i].userID, clients[i].org, id)
			}
		}
	}
	b.ReportMetric(float64(after-before)/float64(len(clients)), "server-B/stream")
	b.ReportMetric(float64(goAfter-goBefore)/float64(len(clients)), "goroutines/stream")
	b.ReportMetric(float64(p99(last).Microseconds())/1000, "p99-ms/all-who-see")
}

// seedBenchOrgs makes BenchmarkLiveOrgs's organisations in the store and
// signs every user in. It returns the clients, organisation by
// organisation (agents, then supervisors), and each agent's supervisors.
func seedBenchOrgs(b *testing.B, e *env) ([]benchClient, map[string][]string) {
	ctx := context.Background()
	q := e.srv.Store().Q()
	admin, err := q.UserByLogin(ctx, "admin")
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	var clients []benchClient
	supervisorsOf := map[string][]string{}
	err = e.srv.Store().Tx(ctx, func(q store.Q) error {
		for o := range benchOrgs {
			orgID := fmt.Sprintf("org_bench%d", o)
			if err := q.CreateOrg(ctx, &store.Org{ID: orgID, DisplayName: "Bench " + strconv.Itoa(o), TimeZone: "Europe/Stockholm",
				Language: "en", PlanName: "Unlimited", CycleDay: 1, CreatedAt: now}); err != nil {
				return err
			}
			cat := &api.Category{ID: orgID + "_team", Name: "Team"}
			if err := q.CreateCategory(ctx, orgID, cat, now); err != nil {
				return err
			}
			teams := make([]string, benchTeams)
			for t := range teams {
				teams[t] = fmt.Sprintf("%s_team%d", orgID, t)
				if err := q.AddOption(ctx, cat.ID, api.CategoryOption{ID: teams[t], Name: "Team " + strconv.Itoa(t)}); err != nil {
					return err
				}
			}
			newUser := func(login string) (benchClient, error) {
				u := &store.User{ID: "usr_" + login, OrgID: orgID, Username: login, Email: login + "@bench.phoneset.test",
					PasswordHash: admin.PasswordHash, PasswordChangedAt: now, FirstName: "Bench", LastName: login,
					DisplayName: "Bench " + login, Language: "en", TimeZone: "Europe/Stockholm",
					Availability: api.Offline, StatusChangedAt: now, CreatedAt: now}
				return benchClient{userID: u.ID, org: o, sees: map[string]bool{u.ID: true}}, q.CreateUser(ctx, u)
			}
			first := len(clients)
			for a := range benchAgents {
				c, err := newUser(fmt.Sprintf("b%da%03d", o, a))
				if err != nil {
					return err
				}
				if err := q.SetUserOption(ctx, c.userID, cat.ID, teams[a%benchTeams]); err != nil {
					return err
				}
				clients = append(clients, c)
			}
			for s := range benchTeams {
				c, err := newUser(fmt.Sprintf("b%ds%d", o, s))
				if err != nil {
					return err
				}
				if err := q.Grant(ctx, c.userID, api.PermSupervisor); err != nil {
					return err
				}
				scope := []string{teams[s], teams[(s+1)%benchTeams]}
				if err := q.SetSupervisorScope(ctx, c.userID, scope); err != nil {
					return err
				}
				for a := range benchAgents {
					if t := a % benchTeams; t == s || t == (s+1)%benchTeams {
						agent := clients[first+a].userID
						c.sees[agent] = true
						supervisorsOf[agent] = append(supervisorsOf[agent], c.userID)
					}
				}
				clients = append(clients, c)
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for i := range clients {
		clients[i].token = e.signIn(strings.TrimPrefix(clients[i].userID, "usr_"), server.DemoPassword).AccessToken
	}
	return clients, supervisorsOf
}

// TestLiveOrgClients is BenchmarkLiveOrgs's client process. It reads the
// number of streams and a token per stream on stdin, opens the streams and
// says "live ready". Then, for "change USER AVAILABILITY I,J,…" it answers
// with the time streams I, J, … read that change; for "check", with the
// users whose changes each stream read ("-" for none). It skips outside
// the benchmark.
func TestLiveOrgClients(t *testing.T) {
	base := os.Getenv(envLiveURL)
	if base == "" {
		t.Skip("the benchmark's client process")
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	in := bufio.NewScanner(os.Stdin)
	in.Scan()
	n, _ := strconv.Atoi(in.Text())
	type event struct {
		userID string
		avail  api.Availability
		at     int64
	}
	got := make([]chan event, n)
	seen := make([]map[string]bool, n)
	var mu sync.Mutex // guards seen
	var opened sync.WaitGroup
	for i := range n {
		in.Scan()
		got[i], seen[i] = make(chan event, 64), map[string]bool{}
		opened.Add(1)
		go readStream(t, u.Host, in.Text(), &opened, func(data string, at int64) {
			var ev api.StatusEvent
			if json.Unmarshal([]byte(data), &ev) != nil {
				return
			}
			mu.Lock()
			seen[i][ev.UserID] = true
			mu.Unlock()
			select {
			case got[i] <- event{ev.UserID, ev.Status.Availability, at}:
			default: // one it should not have had: check reports it
			}
		})
	}
	opened.Wait()
	fmt.Println("live ready")
	for in.Scan() {
		f := strings.Fields(in.Text())
		switch {
		case len(f) == 4 && f[0] == "change":
			var times []string
			for _, s := range strings.Split(f[3], ",") {
				i, _ := strconv.Atoi(s)
				for ev := range got[i] {
					if ev.userID == f[1] && string(ev.avail) == f[2] {
						times = append(times, strconv.FormatInt(ev.at, 10))
						break
					}
				}
			}
			fmt.Println("live " + strings.Join(times, " "))
		case len(f) == 1 && f[0] == "check":
			out := make([]string, n)
			mu.Lock()
			for i, s := range seen {
				out[i] = "-" + strings.Join(slices.Sorted(maps.Keys(s)), ",")
			}
			mu.Unlock()
			fmt.Println("live " + strings.Join(out, " "))
		}
	}
}
