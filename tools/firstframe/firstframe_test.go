package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/phoneset/phoneset/internal/testenv"
)

// The test binary doubles as the program being measured: with
// FIRSTFRAME_TEST_WINDOW set it keeps a CPU busy for 80 ms, opens a window
// with that title and, unless FIRSTFRAME_TEST_MODE says otherwise, draws
// into it 100 ms later.
func TestMain(m *testing.M) {
	if title := os.Getenv("FIRSTFRAME_TEST_WINDOW"); title != "" {
		os.Exit(fakeApp(title, os.Getenv("FIRSTFRAME_TEST_MODE")))
	}
	os.Exit(m.Run())
}

func fakeApp(title, mode string) int {
	if mode == "exit" {
		return 3
	}
	// Busy for 80 ms first, so there is CPU time to measure.
	for t := time.Now(); time.Since(t) < 80*time.Millisecond; {
	}
	x, err := dialX(os.Getenv("DISPLAY"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ids := x.idBase
	w := createWindow(x, &ids, x.root, 200, 100, 0x000000)
	setTitle(x, w, title)
	mapWindow(x, w)
	if _, _, err := x.size(w); err != nil { // a round trip flushes errors
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if mode != "blank" {
		time.Sleep(100 * time.Millisecond)
		mapWindow(x, createWindow(x, &ids, w, 20, 20, 0xffffff))
		x.size(w)
	}
	time.Sleep(time.Minute) // until measure stops it
	return 0
}

func createWindow(x *xconn, ids *uint32, parent uint32, w, h uint16, background uint32) uint32 {
	*ids++
	r := newRequest(opCreateWindow, 0, 36)
	le.PutUint32(r[4:], *ids)
	le.PutUint32(r[8:], parent)
	le.PutUint16(r[16:], w)
	le.PutUint16(r[18:], h)
	le.PutUint16(r[22:], 1) // InputOutput
	le.PutUint32(r[28:], 2) // value mask: background pixel
	le.PutUint32(r[32:], background)
	x.request(r, false)
	return *ids
}

func setTitle(x *xconn, w uint32, title string) {
	name, _ := x.internAtom("_NET_WM_NAME")
	utf8, _ := x.internAtom("UTF8_STRING")
	r := newRequest(opChangeProperty, 0, 24+pad4(len(title)))
	le.PutUint32(r[4:], w)
	le.PutUint32(r[8:], name)
	le.PutUint32(r[12:], utf8)
	r[16] = 8
	le.PutUint32(r[20:], uint32(len(title)))
	copy(r[24:], title)
	x.request(r, false)
}

func mapWindow(x *xconn, w uint32) {
	r := newRequest(opMapWindow, 0, 8)
	le.PutUint32(r[4:], w)
	x.request(r, false)
}

// connect dials the test Xvfb and sets DISPLAY to it.
func connect(t *testing.T) *xconn {
	display := testenv.Require(t, "PHONESET_TEST_DISPLAY", "Xvfb")
	t.Setenv("DISPLAY", display)
	x, err := dialX(display)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	return x
}

func TestMeasure(t *testing.T) {
	connect(t)
	for _, tc := range []struct {
		mode    string
		timeout time.Duration
		wantErr string
	}{
		{mode: "draw", timeout: 20 * time.Second},
		{mode: "blank", timeout: 2 * time.Second, wantErr: "viewable but not drawn"},
		{mode: "exit", timeout: 20 * time.Second, wantErr: "exited before its window showed"},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			title := fmt.Sprintf("firstframe — %s %d", tc.mode, os.Getpid())
			t.Setenv("FIRSTFRAME_TEST_WINDOW", title)
			t.Setenv("FIRSTFRAME_TEST_MODE", tc.mode)
			r, err := measure(context.Background(), []string{os.Args[0]}, title, time.Millisecond, 200*time.Millisecond, tc.timeout)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				if tc.mode == "blank" && r.mapped == 0 {
					t.Error("a blank window was never seen viewable")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			// The fake app draws 100 ms after mapping.
			if r.mapped <= 0 || r.painted-r.mapped < 80*time.Millisecond {
				t.Errorf("mapped %v, painted %v: want the frame about 100 ms after the map", r.mapped, r.painted)
			}
			// It spun 80 ms before its window: at least a clock tick of that.
			if r.cpu < 10*time.Millisecond || r.cpu > r.painted {
				t.Errorf("cpu %v at the frame %v", r.cpu, r.painted)
			}
			if r.rssKB <= 0 || r.hwmKB < r.rssKB {
				t.Errorf("rss %d kB, peak %d kB", r.rssKB, r.hwmKB)
			}
		})
	}
}

func TestMeasureRefusesOpenWindow(t *testing.T) {
	x := connect(t)
	title := fmt.Sprintf("firstframe open %d", os.Getpid())
	ids := x.idBase
	w := createWindow(x, &ids, x.root, 50, 50, 0)
	setTitle(x, w, title)
	if _, _, err := x.size(w); err != nil {
		t.Fatal(err)
	}
	_, err := measure(context.Background(), []string{"true"}, title, time.Millisecond, 0, time.Second)
	if err == nil || !strings.Contains(err.Error(), "already open") {
		t.Fatalf("err = %v, want a refusal", err)
	}
}

func TestFindAndPainted(t *testing.T) {
	x := connect(t)
	a, err := x.titleAtoms()
	if err != nil {
		t.Fatal(err)
	}
	title := fmt.Sprintf("Phoneset — find %d", os.Getpid())
	ids := x.idBase
	w := createWindow(x, &ids, x.root, 64, 32, 0x202020)
	setTitle(x, w, title)

	steps := []struct {
		name              string
		do                func()
		viewable, painted bool
	}{
		{name: "created", do: func() {}},
		{name: "mapped", do: func() { mapWindow(x, w) }, viewable: true},
		{name: "drawn", do: func() { mapWindow(x, createWindow(x, &ids, w, 8, 8, 0xffffff)) }, viewable: true, painted: true},
	}
	for _, s := range steps {
		s.do()
		got, ok, err := x.find(a, title)
		if err != nil || !ok || got.id != w {
			t.Fatalf("%s: find = %v, %v, %v; want window %#x", s.name, got, ok, err, w)
		}
		if got.viewable != s.viewable {
			t.Errorf("%s: viewable = %v", s.name, got.viewable)
		}
		if !s.viewable {
			continue
		}
		pix, err := x.image(w)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if len(pix) != 64*32*4 || painted(pix) != s.painted {
			t.Errorf("%s: %d bytes, painted = %v", s.name, len(pix), painted(pix))
		}
	}
	if _, ok, err := x.find(a, title+" (other)"); ok || err != nil {
		t.Errorf("found a window with another title (%v)", err)
	}
}

func TestSocketPath(t *testing.T) {
	for _, tc := range []struct{ display, want string }{
		{":1", "/tmp/.X11-unix/X1"},
		{":12.0", "/tmp/.X11-unix/X12"},
		{"unix:3", "/tmp/.X11-unix/X3"},
		{"", ""},
		{":", ""},
		{":x", ""},
		{"host:1", ""},
	} {
		got, err := socketPath(tc.display)
		if got != tc.want || (err == nil) != (tc.want != "") {
			t.Errorf("socketPath(%q) = %q, %v; want %q", tc.display, got, err, tc.want)
		}
	}
}

func TestParseSetup(t *testing.T) {
	// A success reply body with a 5-byte vendor and two pixmap formats,
	// then a screen whose root is 0x2b.
	ok := make([]byte, 32+8+16+40)
	le.PutUint32(ok[4:], 0x400000)
	le.PutUint16(ok[16:], 5)
	ok[20], ok[21] = 1, 2
	le.PutUint32(ok[56:], 0x2b)
	noScreen := append([]byte(nil), ok...)
	noScreen[20] = 0

	for _, tc := range []struct {
		name       string
		head, body []byte
		root, base uint32
		wantErr    string
	}{
		{name: "ok", head: []byte{1, 0, 11, 0, 0, 0, 0, 0}, body: ok, root: 0x2b, base: 0x400000},
		{name: "refused", head: []byte{0, 13, 11, 0, 0, 0, 0, 0}, body: []byte("No protocol  \x00\x00\x00"), wantErr: "refused: No protocol"},
		{name: "short", head: []byte{1, 0, 11, 0, 0, 0, 0, 0}, body: ok[:20], wantErr: "short"},
		{name: "no screen", head: []byte{1, 0, 11, 0, 0, 0, 0, 0}, body: noScreen, wantErr: "no screen"},
		{name: "truncated screen", head: []byte{1, 0, 11, 0, 0, 0, 0, 0}, body: ok[:58], wantErr: "no screen"},
	} {
		root, base, err := parseSetup(tc.head, tc.body)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: err = %v, want %q", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil || root != tc.root || base != tc.base {
			t.Errorf("%s: root %#x base %#x err %v", tc.name, root, base, err)
		}
	}
}

func TestParseStatus(t *testing.T) {
	const linux = "Name:\tphoneset\nVmPeak:\t 2000000 kB\nVmHWM:\t  240000 kB\nVmRSS:\t  231000 kB\nThreads:\t12\n"
	for _, tc := range []struct {
		name, status string
		rss, hwm     int64
		wantErr      bool
	}{
		{name: "linux", status: linux, rss: 231000, hwm: 240000},
		{name: "no hwm", status: "VmRSS:\t 10 kB\n", wantErr: true},
		{name: "other unit", status: "VmHWM:\t 1 MB\nVmRSS:\t 1 MB\n", wantErr: true},
		{name: "not a number", status: "VmHWM:\t x kB\nVmRSS:\t 1 kB\n", wantErr: true},
		{name: "empty", status: "", wantErr: true},
	} {
		rss, hwm, err := parseStatus([]byte(tc.status))
		if (err != nil) != tc.wantErr || rss != tc.rss || hwm != tc.hwm {
			t.Errorf("%s: %d, %d, %v", tc.name, rss, hwm, err)
		}
	}
}

func TestParseStat(t *testing.T) {
	const linux = "4242 (phone set) S 1 4242 4242 0 -1 4194560 5000 0 0 0 37 5 0 0 20 0 12 0 9000 2000000000 50000\n"
	for _, tc := range []struct {
		name, stat string
		want       time.Duration
		wantErr    bool
	}{
		{name: "linux", stat: linux, want: 420 * time.Millisecond},
		{name: "parenthesis in name", stat: "7 (a) b) R 1 7 7 0 -1 0 0 0 0 0 3 4 0 0\n", want: 70 * time.Millisecond},
		{name: "no name", stat: "7 R 1", wantErr: true},
		{name: "short", stat: "7 (x) R 1 7 7 0", wantErr: true},
		{name: "not a number", stat: "7 (x) R 1 7 7 0 -1 0 0 0 0 0 x 4 0 0", wantErr: true},
	} {
		got, err := parseStat([]byte(tc.stat))
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("%s: %v, %v", tc.name, got, err)
		}
	}
}

func TestPainted(t *testing.T) {
	px := func(vals ...uint32) []byte {
		b := make([]byte, 4*len(vals))
		for i, v := range vals {
			le.PutUint32(b[4*i:], v)
		}
		return b
	}
	for _, tc := range []struct {
		name string
		pix  []byte
		want bool
	}{
		{"empty", nil, false},
		{"one pixel", px(0x123456), false},
		{"uniform", px(0x171717, 0x171717, 0x171717), false},
		{"padding byte differs only", px(0x00171717, 0xff171717), false},
		{"last pixel differs", px(0x171717, 0x171717, 0x181717), true},
	} {
		if got := painted(tc.pix); got != tc.want {
			t.Errorf("%s: painted = %v", tc.name, got)
		}
	}
}

func TestVanishedWindow(t *testing.T) {
	x := connect(t)
	// An id of ours that names no window: BadWindow, as for a window that
	// closed between QueryTree and GetProperty.
	if _, err := x.property(x.idBase+999, 39); !errors.Is(err, errX) {
		t.Fatalf("err = %v, want an X error", err)
	}
	if _, err := x.children(x.root); err != nil {
		t.Fatalf("connection unusable after an X error: %v", err)
	}
}

// The server sends MappingNotify to every client when another one (xdotool
// in the e2e test) remaps a key; a reply read must step over it.
func TestRequestSkipsEvents(t *testing.T) {
	for _, tc := range []struct {
		name    string
		packets [][]byte
		wantErr error
	}{
		{name: "reply", packets: [][]byte{reply(7)}},
		{name: "event then reply", packets: [][]byte{event(34), event(34), reply(7)}},
		{name: "event then error", packets: [][]byte{event(34), {0, 3, 31: 0}}, wantErr: errX},
	} {
		t.Run(tc.name, func(t *testing.T) {
			client, server := net.Pipe()
			defer client.Close()
			go func() {
				defer server.Close()
				io.ReadFull(server, make([]byte, 8)) // the request
				for _, p := range tc.packets {
					server.Write(p)
				}
			}()
			x := &xconn{c: client}
			rep, err := x.request(newRequest(opGetGeometry, 0, 8), true)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil || len(rep) != 36 || le.Uint32(rep[32:]) != 7 {
				t.Fatalf("reply %v, %v; want the 36-byte reply carrying 7", rep, err)
			}
		})
	}
}

// reply is a reply packet with one extra 4-byte word holding v.
func reply(v uint32) []byte {
	p := make([]byte, 36)
	p[0] = 1
	le.PutUint32(p[4:], 1)
	le.PutUint32(p[32:], v)
	return p
}

func event(code byte) []byte {
	p := make([]byte, 32)
	p[0] = code
	return p
}
