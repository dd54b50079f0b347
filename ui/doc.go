// Package ui is Phoneset's Fyne front end. Each page lives in its own file
// and depends only on a small interface it declares, so tests drive it with
// a fake. Blocking work (network, keyring, disk, image decoding, audio) runs
// through async: a goroutine, then fyne.Do to apply the result.
package ui
