// Package ui is Phoneset's Fyne front end. Each page lives in its own file
// and depends only on a small interface it declares, so tests drive it with
// a fake. Blocking work (network, keyring, disk, image decoding, audio) runs
// through async: a goroutine, then fyne.Do to apply the result.
//
// The account model's reads and edits (Me, UpdateProfile, SetNotifications,
// Resolve, …) are not blocking work: an edit applies in memory and returns,
// and the model writes its outbox on its own goroutine (account/persist.go).
// Pages call them directly; only its methods taking a context block.
package ui
