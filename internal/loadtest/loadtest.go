// Package loadtest drives a running account backend with many concurrent
// clients and proves that it kept every write it acknowledged.
//
// Each virtual client signs in as its own user and loops over a weighted
// mix of sign-ins, reads and conditional writes (profile, status,
// notifications, avatar) as fast as the server answers. A client is the
// only writer of its user's resources, so every outcome is predictable: a
// write must be acknowledged with exactly the next version, a read must
// never show less than the client saw acknowledged, and at the end (see
// Runner.Verify) the server must hold the last acknowledged value of
// everything. A write whose answer was lost (transport error, 5xx) may or
// may not have landed; the client reads the resource back before writing
// it again and accepts either outcome, but nothing else.
package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/phoneset/phoneset/api"
)

// Op is one kind of request in the mix.
type Op int

// The operations of the mix. Writes are conditional (If-Match).
const (
	OpSignIn Op = iota
	OpSignOut
	OpMe
	OpProfile
	OpPlan
	OpAvatarRead
	OpStatus
	OpNotifications
	OpProfileWrite
	OpStatusWrite
	OpNotificationsWrite
	OpAvatarWrite
	numOps
)

var opNames = [numOps]string{"sign-in", "sign-out", "GET me", "GET profile", "GET plan", "GET avatar",
	"GET status", "GET notifications", "PATCH profile", "PUT status", "PUT notifications", "PUT avatar"}

func (o Op) String() string { return opNames[o] }

// Mix weighs the operations a client picks from. Sign-out is not in it: it
// follows every sign-in, ending the session it replaces.
type Mix map[Op]int

// DefaultMix, in per mille: mostly reads, a fifth profile edits and a few
// avatar uploads. Sign-ins are rare, as in real use: each costs the server
// an argon2id hash (about 90 ms of one core here).
var DefaultMix = Mix{
	OpSignIn: 2, OpMe: 300, OpProfile: 150, OpPlan: 50, OpAvatarRead: 80,
	OpProfileWrite: 200, OpStatusWrite: 120, OpNotificationsWrite: 78, OpAvatarWrite: 20,
}

// User is an account a virtual client signs in as.
type User struct{ Login, Password string }

// Config describes a run.
type Config struct {
	BaseURL string
	// Users has one account per virtual client; no two clients may share
	// an account, or their writes would conflict.
	Users []User
	Mix   Mix // nil: DefaultMix
	// RetryPause is how long a client waits after a transport error or
	// 5xx before its next request, so a dead server is not spun on.
	RetryPause time.Duration
	// Timeout bounds each request; 0 means 30 seconds.
	Timeout time.Duration
}

// Runner runs one load and keeps what every client knows for Verify.
type Runner struct {
	cfg     Config
	hc      *http.Client
	images  [][]byte // avatar uploads, one flat palette colour each
	clients []*client
	ops     []Op // the mix expanded to a weighted list

	requests  atomic.Int64
	errors5xx atomic.Int64
	transport atomic.Int64
	acked     atomic.Int64
	inFlight  atomic.Int64
	last5xx   atomic.Int64 // UnixNano of the latest 5xx

	mu         sync.Mutex
	violations []string
}

// Palette is the flat colour of each avatar image; an avatar read back is
// matched to the nearest one.
var Palette = []color.RGBA{
	{R: 220, G: 40, B: 40, A: 255}, {R: 40, G: 180, B: 60, A: 255}, {R: 40, G: 70, B: 220, A: 255},
	{R: 230, G: 210, B: 40, A: 255}, {R: 30, G: 30, B: 30, A: 255}, {R: 235, G: 235, B: 235, A: 255},
}

// New prepares a run: HTTP client, avatar images and one client per user.
func New(cfg Config) (*Runner, error) {
	if len(cfg.Users) == 0 {
		return nil, errors.New("loadtest: no users")
	}
	if cfg.Mix == nil {
		cfg.Mix = DefaultMix
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.RetryPause <= 0 {
		cfg.RetryPause = 50 * time.Millisecond
	}
	r := &Runner{cfg: cfg}
	for op := range numOps {
		for range cfg.Mix[op] {
			r.ops = append(r.ops, op)
		}
	}
	if len(r.ops) == 0 {
		return nil, errors.New("loadtest: empty mix")
	}
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        len(cfg.Users) * 2,
		MaxIdleConnsPerHost: len(cfg.Users) * 2,
		IdleConnTimeout:     time.Minute,
	}
	r.hc = &http.Client{Transport: tr, Timeout: cfg.Timeout}
	for _, c := range Palette {
		img := image.NewRGBA(image.Rect(0, 0, 160, 160))
		for i := 0; i < len(img.Pix); i += 4 {
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, 255
		}
		var b bytes.Buffer
		if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
			return nil, err
		}
		r.images = append(r.images, b.Bytes())
	}
	for i, u := range cfg.Users {
		r.clients = append(r.clients, &client{r: r, id: i, user: u,
			rng: rand.New(rand.NewPCG(uint64(i)+1, 0x9e3779b97f4a7c15))})
	}
	return r, nil
}

// Acked is how many writes the server has acknowledged so far.
func (r *Runner) Acked() int64 { return r.acked.Load() }

// InFlight is how many requests are under way: sent, or being sent, and
// not answered yet.
func (r *Runner) InFlight() int64 { return r.inFlight.Load() }

// Errors5xx is how many 5xx answers the clients have had so far.
func (r *Runner) Errors5xx() int64 { return r.errors5xx.Load() }

// Last5xx is when the latest 5xx answer came; zero if none has.
func (r *Runner) Last5xx() time.Time {
	if n := r.last5xx.Load(); n != 0 {
		return time.Unix(0, n)
	}
	return time.Time{}
}

// TransportErrors is how many requests got no HTTP answer so far.
func (r *Runner) TransportErrors() int64 { return r.transport.Load() }

func (r *Runner) violate(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.violations = append(r.violations, fmt.Sprintf(format, args...))
}

// Run signs every client in, then drives the mix until ctx ends or d has
// passed, and reports on that timed part.
func (r *Runner) Run(ctx context.Context, d time.Duration) *Report {
	r.warmUp(ctx)
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for _, c := range r.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.run(ctx)
		}()
	}
	wg.Wait()
	return r.report(time.Since(start))
}

// warmUp signs the clients in a few at a time, for up to five minutes: a
// stampede of slow password hashes is not the load under test. Its
// requests are left out of the report.
func (r *Runner) warmUp(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for _, c := range r.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			for !c.start(ctx) && c.pause(ctx) {
			}
		}()
	}
	wg.Wait()
	r.requests.Store(0)
	r.errors5xx.Store(0)
	r.transport.Store(0)
	r.last5xx.Store(0)
	for _, c := range r.clients {
		c.lat, c.codes = [numOps][]time.Duration{}, [numOps]map[int]int{}
	}
}

// client is one virtual user. Only its own goroutine touches it, except
// Verify after Run has returned.
type client struct {
	r     *Runner
	id    int
	user  User
	rng   *rand.Rand
	token string
	ready bool // signed in and holding the state of every resource

	profile, status, notif, photo tracked
	seq                           int // makes every written value unique

	lat   [numOps][]time.Duration
	codes [numOps]map[int]int // status code (0: transport error) → count
}

// tracked is what a client knows about one resource it alone writes.
type tracked struct {
	name     string
	version  int64     // confirmed: acknowledged or read back
	value    string    // at version
	ackVer   int64     // of the last acknowledged write (first: as first read)
	inDoubt  bool      // a write whose answer was lost, on top of version
	doubtful string    // its value
	sent     time.Time // when it was sent
}

// doubt records that the answer to a write of value, sent at sent, was lost.
func (t *tracked) doubt(value string, sent time.Time) {
	t.inDoubt, t.doubtful, t.sent = true, value, sent
}

// observe checks a state read back against what the client knows: the
// confirmed version and value, or the one write in doubt on top of it.
// Anything else means an acknowledged write was lost or a write appeared
// from nowhere.
func (t *tracked) observe(r *Runner, who string, version int64, value string) {
	ok := version == t.version && value == t.value
	if t.inDoubt && version == t.version+1 && value == t.doubtful {
		ok = true
	}
	if !ok {
		want := fmt.Sprintf("%d %q", t.version, t.value)
		if t.inDoubt {
			want += fmt.Sprintf(" or %d %q", t.version+1, t.doubtful)
		}
		r.violate("%s %s: read back version %d %q, want %s (last acknowledged version %d)",
			who, t.name, version, value, want, t.ackVer)
	}
	t.version, t.value, t.inDoubt, t.doubtful, t.sent = version, value, false, "", time.Time{}
}

// result is one finished request.
type result struct {
	status int // 0: no HTTP answer
	header http.Header
	body   []byte
}

func (c *client) do(ctx context.Context, op Op, method, path, token string, body []byte, ctype string, h map[string]string) (result, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.r.cfg.BaseURL+path, rd)
	if err != nil {
		return result{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range h {
		req.Header.Set(k, v)
	}
	t0 := time.Now()
	c.r.inFlight.Add(1)
	res, err := c.r.hc.Do(req)
	var b []byte
	if err == nil {
		b, err = io.ReadAll(res.Body)
		res.Body.Close()
	}
	c.r.inFlight.Add(-1)
	if ctx.Err() != nil {
		// The run ended mid-request: neither a server fault nor a sample.
		return result{}, ctx.Err()
	}
	c.r.requests.Add(1)
	if c.codes[op] == nil {
		c.codes[op] = map[int]int{}
	}
	if err != nil {
		c.codes[op][0]++
		c.r.transport.Add(1)
		return result{}, nil
	}
	c.lat[op] = append(c.lat[op], time.Since(t0))
	c.codes[op][res.StatusCode]++
	if res.StatusCode >= 500 {
		c.r.errors5xx.Add(1)
		c.r.last5xx.Store(time.Now().UnixNano())
	}
	return result{status: res.StatusCode, header: res.Header, body: b}, nil
}

func (c *client) doJSON(ctx context.Context, op Op, method, path string, v any, h map[string]string) (result, error) {
	var body []byte
	if v != nil {
		var err error
		if body, err = json.Marshal(v); err != nil {
			return result{}, err
		}
	}
	return c.do(ctx, op, method, path, c.token, body, "application/json", h)
}

// pause waits after a failure; false when the run is over.
func (c *client) pause(ctx context.Context) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(c.r.cfg.RetryPause):
		return true
	}
}

func (c *client) who() string { return c.user.Login }

func (c *client) run(ctx context.Context) {
	for ctx.Err() == nil {
		if !c.ready {
			if !c.start(ctx) && !c.pause(ctx) {
				return
			}
			continue
		}
		op := c.r.ops[c.rng.IntN(len(c.r.ops))]
		if err := c.step(ctx, op); err != nil {
			if ctx.Err() == nil {
				c.r.violate("%s %s: %v", c.who(), op, err)
			}
			return
		}
	}
}

// start signs in and reads the state of every resource.
func (c *client) start(ctx context.Context) bool {
	if c.token == "" && !c.signIn(ctx) {
		return false
	}
	var me api.Me
	if !c.get(ctx, OpMe, "/v1/me", &me) {
		return false
	}
	if c.photo.name == "" {
		// First sight: this is the state writes build on.
		colour, ok := c.avatarColour(ctx, me.User)
		if !ok {
			return false
		}
		c.profile = tracked{name: "profile", version: me.Profile.Version, value: me.Profile.DisplayName, ackVer: me.Profile.Version}
		c.status = tracked{name: "status", version: me.Status.Version, value: statusValue(me.Status), ackVer: me.Status.Version}
		c.notif = tracked{name: "notifications", version: me.Notifications.Version, value: notifValue(me.Notifications), ackVer: me.Notifications.Version}
		c.photo = tracked{name: "avatar", version: me.User.PhotoVersion, value: colour, ackVer: me.User.PhotoVersion}
	}
	c.ready = true
	return true
}

// statusCycle is the order status writes go through; each differs from
// the one before, so every write changes the resource.
var statusCycle = []api.StatusUpdate{
	{Availability: api.Online},
	{Availability: api.Unavailable, ReasonCode: "lunch"},
	{Availability: api.Unavailable, ReasonCode: "meeting"},
	{Availability: api.Offline},
}

func statusValue(s api.Status) string { return string(s.Availability) + "/" + s.ReasonCode }

func notifValue(n api.Notifications) string {
	return strconv.FormatBool(n.EmailMissedCalls) + "/" + strconv.FormatBool(n.EmailVoicemails)
}

// get reads a JSON resource; false (after a pause) unless it answered 200.
func (c *client) get(ctx context.Context, op Op, path string, v any) bool {
	res, err := c.doJSON(ctx, op, "GET", path, nil, nil)
	if err != nil {
		return false
	}
	if res.status != http.StatusOK {
		c.unexpected(op, res)
		c.pause(ctx)
		return false
	}
	if err := json.Unmarshal(res.body, v); err != nil {
		c.r.violate("%s %s: body does not decode: %v", c.who(), op, err)
		return false
	}
	return true
}

// unexpected records an answer that is neither success nor a server
// fault: with one writer per account, no 4xx is expected. A 401 drops the
// token so the client signs in again.
func (c *client) unexpected(op Op, res result) {
	if res.status == 0 || res.status >= 500 {
		return
	}
	if res.status == http.StatusUnauthorized {
		c.token, c.ready = "", false
	}
	c.r.violate("%s %s: unexpected %d %s", c.who(), op, res.status, bytes.TrimSpace(res.body))
}

func (c *client) signIn(ctx context.Context) bool {
	body, _ := json.Marshal(api.SignInRequest{Login: c.user.Login, Password: c.user.Password, Device: "loadtest"})
	res, err := c.do(ctx, OpSignIn, "POST", "/v1/sessions", "", body, "application/json", nil)
	if err != nil {
		return false
	}
	if res.status != http.StatusCreated {
		c.unexpected(OpSignIn, res)
		return false
	}
	var t api.Tokens
	if err := json.Unmarshal(res.body, &t); err != nil || t.AccessToken == "" {
		c.r.violate("%s sign-in: no tokens in %s", c.who(), res.body)
		return false
	}
	c.token = t.AccessToken
	return true
}

// step runs one operation of the mix. It returns an error only for a
// failure of the load generator itself.
func (c *client) step(ctx context.Context, op Op) error {
	switch op {
	case OpSignIn:
		old := c.token
		if c.signIn(ctx) {
			// End the replaced session, as an app signing in again would.
			res, err := c.do(ctx, OpSignOut, "DELETE", "/v1/sessions/current", old, nil, "", nil)
			if err == nil && res.status != http.StatusNoContent {
				c.unexpected(OpSignOut, res)
			}
		} else {
			c.pause(ctx)
		}
	case OpMe:
		var me api.Me
		if c.get(ctx, op, "/v1/me", &me) {
			c.notBehind(&c.profile, me.Profile.Version)
			c.notBehind(&c.status, me.Status.Version)
			c.notBehind(&c.notif, me.Notifications.Version)
			c.notBehind(&c.photo, me.User.PhotoVersion)
		}
	case OpProfile:
		var p api.Profile
		if c.get(ctx, op, "/v1/me/profile", &p) {
			c.notBehind(&c.profile, p.Version)
		}
	case OpPlan:
		var p api.Plan
		c.get(ctx, op, "/v1/me/plan", &p)
	case OpAvatarRead:
		c.readAvatar(ctx)
	case OpProfileWrite:
		return c.write(ctx, op, &c.profile)
	case OpStatusWrite:
		return c.write(ctx, op, &c.status)
	case OpNotificationsWrite:
		return c.write(ctx, op, &c.notif)
	case OpAvatarWrite:
		return c.write(ctx, op, &c.photo)
	}
	return nil
}

// notBehind checks read-your-writes: a read may show a write in doubt, but
// never less than what was acknowledged.
func (c *client) notBehind(t *tracked, version int64) {
	if version < t.ackVer {
		c.r.violate("%s %s: read version %d after version %d was acknowledged", c.who(), t.name, version, t.ackVer)
	}
}

func (c *client) readAvatar(ctx context.Context) {
	res, err := c.do(ctx, OpAvatarRead, "GET", "/v1/me/avatar?size=64", c.token, nil, "", nil)
	if err != nil {
		return
	}
	switch res.status {
	case http.StatusOK:
		v, _ := api.ParseETag(res.header.Get("ETag"))
		c.notBehind(&c.photo, v)
	case http.StatusNotFound:
		if c.photo.value != "none" && !c.photo.inDoubt {
			c.r.violate("%s avatar: 404 after avatar version %d was acknowledged", c.who(), c.photo.ackVer)
		}
	default:
		c.unexpected(OpAvatarRead, res)
	}
}

// avatarColour reads which palette colour the avatar shows, "none" when
// there is none.
func (c *client) avatarColour(ctx context.Context, u api.User) (string, bool) {
	if !u.HasAvatar {
		return "none", true
	}
	res, err := c.do(ctx, OpAvatarRead, "GET", "/v1/me/avatar?size=64", c.token, nil, "", nil)
	if err != nil || res.status != http.StatusOK {
		if err == nil {
			c.unexpected(OpAvatarRead, res)
		}
		return "", false
	}
	img, err := jpeg.Decode(bytes.NewReader(res.body))
	if err != nil {
		c.r.violate("%s avatar: not a JPEG: %v", c.who(), err)
		return "", false
	}
	return nearestColour(img), true
}

// nearestColour names the palette entry closest to the image's centre.
func nearestColour(img image.Image) string {
	b := img.Bounds()
	r, g, bl, _ := img.At(b.Min.X+b.Dx()/2, b.Min.Y+b.Dy()/2).RGBA()
	best, bestD := 0, -1
	for i, p := range Palette {
		dr, dg, db := int(r>>8)-int(p.R), int(g>>8)-int(p.G), int(bl>>8)-int(p.B)
		if d := dr*dr + dg*dg + db*db; bestD < 0 || d < bestD {
			best, bestD = i, d
		}
	}
	return "colour " + strconv.Itoa(best)
}

// read fetches a resource's current version and value; ok is false when
// the server did not answer it.
func (c *client) read(ctx context.Context, t *tracked) (version int64, value string, ok bool) {
	switch t {
	case &c.profile:
		var p api.Profile
		if ok = c.get(ctx, OpProfile, "/v1/me/profile", &p); ok {
			return p.Version, p.DisplayName, true
		}
	case &c.status:
		var s api.Status
		if ok = c.get(ctx, OpStatus, "/v1/me/status", &s); ok {
			return s.Version, statusValue(s), true
		}
	case &c.notif:
		var n api.Notifications
		if ok = c.get(ctx, OpNotifications, "/v1/me/notifications", &n); ok {
			return n.Version, notifValue(n), true
		}
	case &c.photo:
		var me api.Me
		if ok = c.get(ctx, OpMe, "/v1/me", &me); ok {
			colour, ok := c.avatarColour(ctx, me.User)
			return me.User.PhotoVersion, colour, ok
		}
	}
	return 0, "", false
}

// write changes t to a new value with If-Match on its confirmed version.
// A write in doubt is settled by reading the resource back first.
func (c *client) write(ctx context.Context, op Op, t *tracked) error {
	if t.inDoubt {
		v, val, ok := c.read(ctx, t)
		if !ok {
			return nil
		}
		t.observe(c.r, c.who(), v, val)
	}
	c.seq++
	sent := time.Now()
	h := map[string]string{"If-Match": api.ETag(t.version)}
	var res result
	var err error
	var value string
	switch t {
	case &c.profile:
		value = fmt.Sprintf("%s write %d", c.user.Login, c.seq)
		res, err = c.doJSON(ctx, op, "PATCH", "/v1/me/profile", api.ProfilePatch{DisplayName: &value}, h)
	case &c.status:
		next := statusCycle[0]
		for i, st := range statusCycle {
			if statusValue(api.Status{Availability: st.Availability, ReasonCode: st.ReasonCode}) == t.value {
				next = statusCycle[(i+1)%len(statusCycle)]
			}
		}
		value = statusValue(api.Status{Availability: next.Availability, ReasonCode: next.ReasonCode})
		res, err = c.doJSON(ctx, op, "PUT", "/v1/me/status", next, h)
	case &c.notif:
		// Count in binary through the four combinations.
		bits := 0
		for i, s := range []string{"false/false", "false/true", "true/false", "true/true"} {
			if s == t.value {
				bits = (i + 1) % 4
			}
		}
		n := api.Notifications{EmailMissedCalls: bits&2 != 0, EmailVoicemails: bits&1 != 0}
		value = notifValue(n)
		res, err = c.doJSON(ctx, op, "PUT", "/v1/me/notifications", n, h)
	case &c.photo:
		i := c.rng.IntN(len(c.r.images))
		if "colour "+strconv.Itoa(i) == t.value {
			i = (i + 1) % len(c.r.images)
		}
		value = "colour " + strconv.Itoa(i)
		res, err = c.do(ctx, op, "PUT", "/v1/me/avatar", c.token, c.r.images[i], "image/jpeg", h)
	}
	if err != nil {
		if errors.Is(err, ctx.Err()) {
			// Cancelled in flight: it may have landed.
			t.doubt(value, sent)
			return nil
		}
		return err
	}
	switch {
	case res.status == http.StatusOK:
		got, ok := api.ParseETag(res.header.Get("ETag"))
		if !ok || got != t.version+1 {
			c.r.violate("%s %s: write acknowledged as version %q, want %d", c.who(), t.name, res.header.Get("ETag"), t.version+1)
		}
		t.version, t.value, t.ackVer = got, value, got
		c.r.acked.Add(1)
	case res.status == 0 || res.status >= 500:
		t.doubt(value, sent)
		c.pause(ctx)
	default:
		// A 412 means the server lost the version this client confirmed.
		c.unexpected(op, res)
		t.doubt(value, sent)
	}
	return nil
}
