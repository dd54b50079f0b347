//go:build !linux && !windows && !darwin

package away

// New reports ErrUnsupported where there is no watcher.
func New() (Watcher, error) { return nil, ErrUnsupported }
