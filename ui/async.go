package ui

import "fyne.io/fyne/v2"

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
