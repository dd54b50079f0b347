// Package ui is Phoneset's Fyne front end. Each page lives in its own file
// and depends only on a small interface it declares, so tests drive it with
// a fake. Blocking work (network, keyring, disk, image decoding, audio) runs
// through async: a goroutine, then fyne.Do to apply the result.
//
// The account model's reads and edits (Me, UpdateProfile, SetNotifications,
// Resolve, …) are not blocking work: an edit applies in memory and returns,
// and the model writes its outbox on its own goroutine (account/persist.go).
// Pages call them directly; only its methods taking a context block.
//
// Errors reach the user in their language: the server and api's validators
// give reason codes with arguments (api.Reason), which reasonText translates
// through lang; the server's English message is never shown.
//
// Golden files: every page test compares its rendering with testdata/<name>
// (English) and, run again by TestGoldensInSwedish, testdata/sv/<name>. A
// mismatch or a missing golden writes the actual rendering to
// testdata/failed/<name>; to accept it after reading the diff, move it over
// the golden (mv testdata/failed/sv/* testdata/sv/ for the Swedish ones)
// and delete testdata/failed. A new golden test joins goldenTests, or
// TestEveryGoldenHasASwedishTwin fails. TestNoTextClipped walks every page
// in both languages for text wider than the space it got.
package ui
