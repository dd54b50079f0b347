package ui

import (
	"time"

	"fyne.io/fyne/v2"
)

// goAsync starts background work. Tests replace it with a synchronous call so
// that interactions can be asserted without sleeping.
var goAsync = func(f func()) { go f() }

// async runs work off the UI goroutine and applies its result on it. It is
// the one way pages do anything that may block.
func async[T any](work func() (T, error), apply func(T, error)) {
	goAsync(func() {
		v, err := work()
		fyne.Do(func() { apply(v, err) })
	})
}

// tickUntil applies f on the UI goroutine every d until stop closes: the
// clocks that count on a page while it is shown.
func tickUntil(d time.Duration, stop <-chan struct{}, f func()) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			fyne.Do(f)
		}
	}
}
