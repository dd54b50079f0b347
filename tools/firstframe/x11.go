package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// The few X11 core requests firstframe needs, spoken over the local socket.
// One connection answers a poll in well under a millisecond, where starting
// xwininfo costs several (and over 100 ms on a loaded machine).

var le = binary.LittleEndian

// X request opcodes.
const (
	opCreateWindow       = 1
	opGetWindowAttribute = 3
	opMapWindow          = 8
	opGetGeometry        = 14
	opQueryTree          = 15
	opInternAtom         = 16
	opChangeProperty     = 18
	opGetProperty        = 20
	opGetImage           = 73
)

// mapStateViewable is GetWindowAttributes' map-state of a window that is
// mapped with all its ancestors (xwininfo's "IsViewable").
const mapStateViewable = 2

var (
	// errX is an X error reply, e.g. BadWindow for a window closed meanwhile.
	errX = errors.New("error reply from the X server")
	// errRefused is a connection setup the server turned down.
	errRefused = errors.New("refused")
)

type xconn struct {
	c      net.Conn
	root   uint32
	idBase uint32 // first resource id this client may create
}

// socketPath maps a local display name (":1", ":1.0", "unix:1") to the
// server's socket.
func socketPath(display string) (string, error) {
	host, num, ok := strings.Cut(display, ":")
	if !ok || (host != "" && host != "unix") {
		return "", fmt.Errorf("display %q: only local displays are supported", display)
	}
	num, _, _ = strings.Cut(num, ".")
	if num == "" || strings.Trim(num, "0123456789") != "" {
		return "", fmt.Errorf("display %q: bad display number", display)
	}
	return "/tmp/.X11-unix/X" + num, nil
}

// dialX connects without authentication, as to an Xvfb started without
// -auth. An X server without -noreset resets when its last client leaves
// and drops connections meanwhile, so a dropped setup is retried briefly.
func dialX(display string) (*xconn, error) {
	path, err := socketPath(display)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		x, err := dialOnce(path)
		if err == nil || errors.Is(err, errRefused) || time.Now().After(deadline) {
			if err != nil {
				return nil, fmt.Errorf("display %s: %w", display, err)
			}
			return x, nil
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func dialOnce(path string) (*xconn, error) {
	c, err := net.Dial("unix", path)
	if err != nil {
		return nil, err
	}
	x := &xconn{c: c}
	if err := x.setup(); err != nil {
		c.Close()
		return nil, err
	}
	return x, nil
}

func (x *xconn) Close() error { return x.c.Close() }

func (x *xconn) setup() error {
	// 'l': little-endian, protocol 11.0, no authorisation.
	if _, err := x.c.Write([]byte{'l', 0, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0}); err != nil {
		return err
	}
	head := make([]byte, 8)
	if _, err := io.ReadFull(x.c, head); err != nil {
		return err
	}
	body := make([]byte, int(le.Uint16(head[6:]))*4)
	if _, err := io.ReadFull(x.c, body); err != nil {
		return err
	}
	root, base, err := parseSetup(head, body)
	x.root, x.idBase = root, base
	return err
}

// parseSetup returns the first screen's root window and the client's
// resource-id base from the connection setup reply.
func parseSetup(head, body []byte) (root, idBase uint32, err error) {
	if head[0] != 1 {
		n := min(int(head[1]), len(body))
		return 0, 0, fmt.Errorf("%w: %s", errRefused, strings.TrimSpace(string(body[:n])))
	}
	if len(body) < 32 {
		return 0, 0, errors.New("short setup reply")
	}
	vendor := int(le.Uint16(body[16:]))
	formats := int(body[21])
	screens := 32 + (vendor+3)&^3 + 8*formats
	if body[20] == 0 || len(body) < screens+4 {
		return 0, 0, errors.New("setup reply has no screen")
	}
	return le.Uint32(body[screens:]), le.Uint32(body[4:]), nil
}

// request sends one request and, when the request has one, reads its reply.
func (x *xconn) request(req []byte, reply bool) ([]byte, error) {
	le.PutUint16(req[2:], uint16(len(req)/4))
	if _, err := x.c.Write(req); err != nil {
		return nil, err
	}
	if !reply {
		return nil, nil
	}
	head := make([]byte, 32)
	for {
		if _, err := io.ReadFull(x.c, head); err != nil {
			return nil, err
		}
		if head[0] <= 1 {
			break
		}
		// An event. None are selected, but the server sends some to every
		// client anyway: MappingNotify whenever xdotool, say, remaps a key.
	}
	if head[0] == 0 {
		return nil, fmt.Errorf("%w: code %d to request %d", errX, head[1], req[0])
	}
	out := make([]byte, 32+int(le.Uint32(head[4:]))*4)
	copy(out, head)
	_, err := io.ReadFull(x.c, out[32:])
	return out, err
}

// newRequest makes a request of n bytes (a multiple of 4) with opcode op and
// data byte b.
func newRequest(op, b byte, n int) []byte {
	r := make([]byte, n)
	r[0], r[1] = op, b
	return r
}

func pad4(n int) int { return (n + 3) &^ 3 }

func (x *xconn) internAtom(name string) (uint32, error) {
	r := newRequest(opInternAtom, 0, 8+pad4(len(name)))
	le.PutUint16(r[4:], uint16(len(name)))
	copy(r[8:], name)
	rep, err := x.request(r, true)
	if err != nil {
		return 0, err
	}
	return le.Uint32(rep[8:]), nil
}

func (x *xconn) children(w uint32) ([]uint32, error) {
	r := newRequest(opQueryTree, 0, 8)
	le.PutUint32(r[4:], w)
	rep, err := x.request(r, true)
	if err != nil {
		return nil, err
	}
	n := int(le.Uint16(rep[16:]))
	if len(rep) < 32+4*n {
		return nil, errors.New("short QueryTree reply")
	}
	kids := make([]uint32, n)
	for i := range kids {
		kids[i] = le.Uint32(rep[32+4*i:])
	}
	return kids, nil
}

// property returns the value of an 8-bit property of any type (up to 4 KB).
func (x *xconn) property(w, prop uint32) ([]byte, error) {
	r := newRequest(opGetProperty, 0, 24)
	le.PutUint32(r[4:], w)
	le.PutUint32(r[8:], prop)
	le.PutUint32(r[20:], 1024) // in 4-byte units
	rep, err := x.request(r, true)
	if err != nil {
		return nil, err
	}
	if rep[1] != 8 {
		return nil, nil
	}
	n := int(le.Uint32(rep[16:]))
	if len(rep) < 32+n {
		return nil, errors.New("short GetProperty reply")
	}
	return rep[32 : 32+n], nil
}

func (x *xconn) mapState(w uint32) (byte, error) {
	r := newRequest(opGetWindowAttribute, 0, 8)
	le.PutUint32(r[4:], w)
	rep, err := x.request(r, true)
	if err != nil {
		return 0, err
	}
	return rep[26], nil
}

func (x *xconn) size(w uint32) (width, height uint16, err error) {
	r := newRequest(opGetGeometry, 0, 8)
	le.PutUint32(r[4:], w)
	rep, err := x.request(r, true)
	if err != nil {
		return 0, 0, err
	}
	return le.Uint16(rep[16:]), le.Uint16(rep[18:]), nil
}

// image returns the window's pixels (ZPixmap, all planes): 4 bytes a pixel
// at Xvfb's depth 24.
func (x *xconn) image(w uint32) ([]byte, error) {
	width, height, err := x.size(w)
	if err != nil {
		return nil, err
	}
	r := newRequest(opGetImage, 2, 20)
	le.PutUint32(r[4:], w)
	le.PutUint16(r[12:], width)
	le.PutUint16(r[14:], height)
	le.PutUint32(r[16:], 0xffffffff)
	rep, err := x.request(r, true)
	if err != nil {
		return nil, err
	}
	return rep[32:], nil
}

// painted reports whether an image (32 bits a pixel) holds more than one
// colour: a window the app has not drawn yet is all background.
func painted(pix []byte) bool {
	if len(pix) < 8 {
		return false
	}
	first := pix[:3]
	for i := 4; i+3 <= len(pix); i += 4 {
		if !bytes.Equal(pix[i:i+3], first) {
			return true
		}
	}
	return false
}

// window is a window found by title.
type window struct {
	id       uint32
	viewable bool
}

// atoms are the properties a title may be in.
type atoms struct{ netWMName, wmName uint32 }

func (x *xconn) titleAtoms() (atoms, error) {
	var a atoms
	var err error
	if a.netWMName, err = x.internAtom("_NET_WM_NAME"); err != nil {
		return a, err
	}
	a.wmName = 39 // WM_NAME is predefined
	return a, nil
}

// find looks through the window tree for a window titled title, in
// _NET_WM_NAME (UTF-8) or WM_NAME. Windows that vanish mid-search are
// skipped.
func (x *xconn) find(a atoms, title string) (window, bool, error) {
	queue := []uint32{x.root}
	for len(queue) > 0 {
		w := queue[0]
		queue = queue[1:]
		kids, err := x.children(w)
		if errors.Is(err, errX) {
			continue
		} else if err != nil {
			return window{}, false, err
		}
		for _, k := range kids {
			match := false
			for _, p := range []uint32{a.netWMName, a.wmName} {
				v, err := x.property(k, p)
				if err != nil && !errors.Is(err, errX) {
					return window{}, false, err
				}
				if string(v) == title {
					match = true
					break
				}
			}
			if !match {
				queue = append(queue, k)
				continue
			}
			st, err := x.mapState(k)
			if err != nil && !errors.Is(err, errX) {
				return window{}, false, err
			}
			return window{id: k, viewable: st == mapStateViewable}, true, nil
		}
	}
	return window{}, false, nil
}
