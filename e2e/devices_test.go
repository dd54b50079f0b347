package e2e

import (
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// devicesPath opens the Devices page of the signed-in app, checks that the
// app listed the audio backend's devices, PulseAudio's virtual speaker and
// its monitor among them (scripts/services.sh), and runs the headset check
// over that loopback, which must pass.
func devicesPath(h *harness, backend string) {
	t := h.t
	before := h.capture()
	h.key("ctrl+5") // Devices, as the sidebar lists it
	// The app opens the audio when a page first needs it, and logs what
	// it found then.
	devs := h.logRecord("audio devices", 1, 30*time.Second)
	if devs["backend"] != backend || !strings.Contains(devs["playback"], "VirtualSpeaker") ||
		!strings.Contains(devs["capture"], "Monitor of VirtualSpeaker") {
		t.Fatalf("audio devices = %v, want backend %s with VirtualSpeaker and its monitor", devs, backend)
	}
	var btn image.Rectangle
	var page image.Image
	h.eventually("the Check headset button", 30*time.Second, func() bool {
		page = h.capture()
		btn = primaryButton(page)
		return !btn.Empty() && !sameImage(page, before, page.Bounds())
	})
	// The page at rest is what focusButton compares against: a frame
	// caught while the page still painted made the button look focused
	// with the focus elsewhere (seen with one core busy: space opened the
	// microphone list).
	page = h.settled(nil)
	if btn = primaryButton(page); btn.Empty() {
		t.Fatal("the Check headset button went away")
	}
	// A check that "broke up" heard dropouts, which a loaded machine (two
	// cores, Wine between app and PulseAudio) causes: digital silence inside
	// the signal ("dropped"), where a playback or capture callback ran
	// 40-180 ms late. The app's advice is to try again, and so does the
	// test, up to five times, when the recording proves the dropout; it
	// never accepts a verdict but ok.
	for try := 1; ; try++ {
		h.focusButton(page, btn)
		h.key("space")
		check := h.logRecord("headset check", try, 30*time.Second)
		t.Logf("headset check %d on %s: %v", try, backend, check)
		if check["verdict"] == "ok" {
			break
		}
		if check["verdict"] != "broke up" || check["dropped"] == "0s" || try == 5 {
			t.Fatalf("headset check %v, want verdict ok", check)
		}
	}
	time.Sleep(500 * time.Millisecond) // the verdict's frame
	h.screenshot(h.prefix + "headset.png")
}

// focusButton presses Tab until the button within btn looks other than in
// unfocused, the page before any Tab: then it has the focus, for the space
// bar to press it, as a keyboard user does. (A mouse click is no good here:
// under Wine the app sometimes misses the pointer's move and takes the
// click where it thinks the pointer still is.)
func (h *harness) focusButton(unfocused image.Image, btn image.Rectangle) {
	h.t.Helper()
	page := h.settled(nil)
	for tabs := 0; sameImage(page, unfocused, btn); tabs++ {
		if tabs == 30 {
			h.t.Fatal("Tab never reached the button")
		}
		h.key("Tab")
		page = h.settled(page)
	}
}

// settled waits for a frame that two captures agree on and that differs
// from changed, if given, and returns it. A focused field's blinking
// cursor is no change: frames that differ in a cursor's few pixels agree.
func (h *harness) settled(changed image.Image) image.Image {
	h.t.Helper()
	frame, ok := h.settle(changed, 10*time.Second)
	if !ok {
		h.t.Fatal("timed out waiting for the window to settle")
	}
	return frame
}

// settle is settled that gives up after limit, reporting false.
func (h *harness) settle(changed image.Image, limit time.Duration) (image.Image, bool) {
	h.t.Helper()
	deadline := time.Now().Add(limit)
	last := h.capture()
	for {
		shot := h.capture()
		if nearlySame(shot, last) && (changed == nil || !nearlySame(shot, changed)) {
			return shot, true
		}
		if time.Now().After(deadline) {
			return shot, false
		}
		last = shot
		time.Sleep(50 * time.Millisecond)
	}
}

// nearlySame reports whether a and b differ in at most a text cursor's
// pixels (2 × 22 at most in Fyne's theme).
func nearlySame(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	r, differ := a.Bounds(), 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				if differ++; differ > 64 {
					return false
				}
			}
		}
	}
	return true
}

// capture decodes a screenshot of the window last waited for.
func (h *harness) capture() image.Image {
	h.t.Helper()
	path := filepath.Join(h.t.TempDir(), "window.png")
	h.grab(path)
	f, err := os.Open(path)
	if err != nil {
		h.t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		h.t.Fatal(err)
	}
	return img
}

// sameImage reports whether a and b have the same pixels within r.
func sameImage(a, b image.Image, r image.Rectangle) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				return false
			}
		}
	}
	return true
}

// primaryButton finds the bounds of the largest solid patch of the most
// common vivid colour: on the Devices page that is the "Check headset"
// button, the page's one high-importance button, in the light theme and in
// the dark. A disabled button is grey and not found.
func primaryButton(img image.Image) (button image.Rectangle) {
	r := img.Bounds()
	type rgb struct{ r, g, b uint8 }
	at := func(x, y int) rgb {
		cr, cg, cb, _ := img.At(x, y).RGBA()
		return rgb{uint8(cr >> 8), uint8(cg >> 8), uint8(cb >> 8)}
	}
	vivid := map[rgb]int{}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := at(x, y)
			hi, lo := max(c.r, c.g, c.b), min(c.r, c.g, c.b)
			if hi >= 140 && int(hi-lo)*2 > int(hi) {
				vivid[c]++
			}
		}
	}
	var fill rgb
	for c, n := range vivid {
		if n > vivid[fill] {
			fill = c
		}
	}
	if vivid[fill] == 0 {
		return image.Rectangle{}
	}
	// Connected patches of that colour; a focus ring or a line of text in
	// it is sparse within its bounds, a button's face is not.
	seen := make([]bool, r.Dx()*r.Dy())
	best := 0
	for sy := r.Min.Y; sy < r.Max.Y; sy++ {
		for sx := r.Min.X; sx < r.Max.X; sx++ {
			i := (sy-r.Min.Y)*r.Dx() + sx - r.Min.X
			if seen[i] || at(sx, sy) != fill {
				continue
			}
			seen[i] = true
			n, box := 0, image.Rect(sx, sy, sx+1, sy+1)
			for stack := []image.Point{{sx, sy}}; len(stack) > 0; {
				p := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				n++
				box = box.Union(image.Rect(p.X, p.Y, p.X+1, p.Y+1))
				for _, q := range []image.Point{{p.X + 1, p.Y}, {p.X - 1, p.Y}, {p.X, p.Y + 1}, {p.X, p.Y - 1}} {
					if !q.In(r) {
						continue
					}
					j := (q.Y-r.Min.Y)*r.Dx() + q.X - r.Min.X
					if !seen[j] && at(q.X, q.Y) == fill {
						seen[j] = true
						stack = append(stack, q)
					}
				}
			}
			if n > best && n*2 > box.Dx()*box.Dy() {
				best, button = n, box
			}
		}
	}
	return button
}

// logRecord waits for the running app to log its nth line (from 1) with
// this message and returns its attributes (slog's text format: key=value,
// value quoted when it needs to be).
func (h *harness) logRecord(msg string, nth int, limit time.Duration) map[string]string {
	h.t.Helper()
	var rec map[string]string
	h.eventually(fmt.Sprintf("the app to log %q (#%d)", msg, nth), limit, func() bool {
		out, _ := os.ReadFile(h.appLog)
		n := 0
		for _, line := range strings.Split(string(out), "\n") {
			if a := parseLogLine(line); a["msg"] == msg {
				if n++; n == nth {
					rec = a
					return true
				}
			}
		}
		return false
	})
	return rec
}

func parseLogLine(line string) map[string]string {
	attrs := map[string]string{}
	for line = strings.TrimSpace(line); line != ""; line = strings.TrimLeft(line, " ") {
		key, rest, ok := strings.Cut(line, "=")
		if !ok || strings.Contains(key, " ") {
			return attrs
		}
		var val string
		if q, err := strconv.QuotedPrefix(rest); err == nil {
			val, _ = strconv.Unquote(q)
			rest = rest[len(q):]
		} else {
			val, rest, _ = strings.Cut(rest, " ")
		}
		attrs[key] = val
		line = rest
	}
	return attrs
}
