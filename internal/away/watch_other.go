//go:build !linux && !windows && !(darwin && cgo)

package away

// New reports ErrUnsupported where there is no watcher: other systems, and
// macOS builds without cgo (the app itself needs cgo there).
func New() (Watcher, error) { return nil, ErrUnsupported }
