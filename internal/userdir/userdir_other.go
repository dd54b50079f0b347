//go:build !linux && !darwin && !windows

package userdir

import "os"

// dataBase falls back to the platform's config directory.
func dataBase() (string, error) { return os.UserConfigDir() }
