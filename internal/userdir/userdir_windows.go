package userdir

import (
	"errors"
	"os"
)

// dataBase is %LocalAppData%: the data stays on this machine and is not
// roamed between computers (the outbox and database are per-device).
func dataBase() (string, error) {
	if d := os.Getenv("LOCALAPPDATA"); d != "" {
		return d, nil
	}
	return "", errors.New("LOCALAPPDATA is not set")
}
