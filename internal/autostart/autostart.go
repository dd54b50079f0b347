// Package autostart turns starting the app when the user signs in to the
// computer on and off, the way each desktop expects: an XDG autostart entry
// on Linux, the Run registry key on Windows, a LaunchAgent on macOS. It
// reads the real setting from disk or registry every time, and tells apart
// the user's own setting from one IT made for every user (managed), which
// the user can't turn off here.
package autostart

// ID names the entry: the desktop file, the LaunchAgent's label.
const ID = "io.phoneset.app"

// Name is the Windows Run value, as the MSI writes it machine-wide.
const Name = "Phoneset"
