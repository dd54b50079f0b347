package e2e

import (
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/phoneset/phoneset/internal/testenv"
)

// word is a word read off the window, with its box in window pixels.
type word struct {
	text string
	line string // block, paragraph and line: words of one line share it
	box  image.Rectangle
}

// ocrScale enlarges the screenshot for Tesseract: Fyne's 14 px text is
// small for it.
const ocrScale = 3

// Tesseract reads light text on dark and dark on light, but not the white
// label of a blue button; made black and white at a threshold that puts
// all text on one side it does, but loses red text: asShown for
// messages, textBlack for labels to click.
var (
	asShown   = []string{}
	textBlack = []string{"-colorspace", "Gray", "-threshold", "45%", "-negate"}
)

// readWords reads the window as a person would, with Tesseract OCR on a
// screenshot converted so.
func (h *harness) readWords(convert []string) []word {
	h.t.Helper()
	testenv.RequireCommand(h.t, "tesseract", "Tesseract OCR (scripts/deps.sh test installs it)")
	shot := filepath.Join(h.t.TempDir(), "read.png")
	h.grab(shot)
	h.x(append(append([]string{"convert", shot}, convert...), "-resize", strconv.Itoa(ocrScale*100)+"%", shot)...)
	cmd := exec.Command("tesseract", shot, "stdout", "tsv")
	// One thread: on a loaded machine Tesseract's threads only wait on
	// each other.
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
	out, err := cmd.Output()
	if err != nil {
		h.t.Fatalf("tesseract: %v", err)
	}
	var words []word
	for _, row := range strings.Split(string(out), "\n")[1:] {
		f := strings.Split(row, "\t")
		if len(f) != 12 || f[0] != "5" || strings.TrimSpace(f[11]) == "" {
			continue
		}
		n := make([]int, 4)
		for i := range n {
			n[i], _ = strconv.Atoi(f[6+i])
			n[i] /= ocrScale
		}
		words = append(words, word{text: f[11], line: f[2] + "/" + f[3] + "/" + f[4],
			box: image.Rect(n[0], n[1], n[0]+n[2], n[1]+n[3])})
	}
	return words
}

// readWindow is the window's text, words separated by single spaces.
func (h *harness) readWindow() string {
	h.t.Helper()
	var b strings.Builder
	for _, w := range h.readWords(asShown) {
		b.WriteString(w.text + " ")
	}
	return b.String()
}

// showsText fails the test unless the window reads every one of want.
func (h *harness) showsText(what string, want ...string) {
	h.t.Helper()
	text := h.readWindow()
	for _, w := range want {
		if !strings.Contains(text, w) {
			h.t.Fatalf("%s: the window does not say %q; it reads:\n%s", what, w, text)
		}
	}
}

// find is where the window shows phrase on one line, the topmost if
// several; letters, digits and case count, spaces and punctuation do not
// ("Set up…" is "Set up..." and "Setup"; "Your password", a placeholder,
// is not the "your password" of a sentence).
func find(words []word, phrase string) (found image.Rectangle, ok bool) {
	want := letters(phrase)
	for i := range words {
		got, box := "", words[i].box
		for j := i; j < len(words) && words[j].line == words[i].line && len(got) < len(want); j++ {
			got += letters(words[j].text)
			box = box.Union(words[j].box)
		}
		if got == want && (!ok || box.Min.Y < found.Min.Y) {
			found, ok = box, true
		}
	}
	return found, ok
}

func letters(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, s)
}

// click clicks the middle of phrase where the window shows it (a
// button's label, an empty field's placeholder), turning the mouse wheel
// down until it shows it, as a person scrolls a long page. It returns
// where it clicked.
func (h *harness) click(phrase string) image.Point {
	h.t.Helper()
	frame := h.settled(nil)
	for {
		if box, ok := find(h.readWords(textBlack), phrase); ok {
			at := box.Min.Add(box.Max).Div(2)
			h.clickAt(at)
			return at
		}
		h.scroll(6)
		var moved bool
		if frame, moved = h.settle(frame, 2*time.Second); !moved {
			h.t.Fatalf("no %q in the window, down to its end; it reads:\n%s", phrase, h.readWindow())
		}
	}
}

func (h *harness) clickAt(p image.Point) {
	h.x("xdotool", "mousemove", "--window", h.win, fmt.Sprint(p.X), fmt.Sprint(p.Y), "click", "1")
}

// scroll turns the mouse wheel over the window's middle, down for
// positive notches.
func (h *harness) scroll(notches int) {
	h.t.Helper()
	button := "5"
	if notches < 0 {
		button, notches = "4", -notches
	}
	h.x("xdotool", "mousemove", "--window", h.win, "600", "400", "click", "--repeat", fmt.Sprint(notches), button)
}
