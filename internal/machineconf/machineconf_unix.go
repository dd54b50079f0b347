//go:build !windows && !darwin

package machineconf

import (
	"cmp"
	"os"
	"path/filepath"
)

// Location is where the machine-wide setting is read on this system.
func Location() string {
	return filepath.Join(cmp.Or(os.Getenv("PHONESET_CONFIG_DIR"), "/etc/phoneset"), "phoneset.conf")
}

func read() (string, error) { return readConf(Location()) }
