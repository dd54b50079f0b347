package machineconf

import (
	"errors"

	"golang.org/x/sys/windows/registry"
)

const (
	regPath  = `SOFTWARE\Phoneset`
	regValue = "ServerURL"
)

// Location is where the machine-wide setting is read on this system.
func Location() string { return `HKLM\` + regPath + `\` + regValue }

// read takes the value from the 64-bit registry view, where the x64 MSI
// writes it; a missing key or value means not set.
func read() (string, error) {
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, regPath, registry.QUERY_VALUE|registry.WOW64_64KEY)
	if errors.Is(err, registry.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	defer k.Close()
	v, _, err := k.GetStringValue(regValue)
	if errors.Is(err, registry.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return checkURL(v)
}
