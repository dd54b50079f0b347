package machineconf

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
)

// parseConf reads a phoneset.conf: `key = value` lines, blank lines and
// lines starting with # ignored. server_url is the only key; an unknown key
// is an error, so a typo is reported instead of silently ignored.
func parseConf(r io.Reader) (string, error) {
	sc := bufio.NewScanner(r)
	serverURL, seen := "", false
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			return "", fmt.Errorf("line %d: want `server_url = https://…`, got %q", n, line)
		}
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if key != "server_url" {
			return "", fmt.Errorf("line %d: unknown setting %q (the only one is server_url)", n, key)
		}
		if seen {
			return "", fmt.Errorf("line %d: server_url is set twice", n)
		}
		u, err := checkURL(value)
		if err != nil {
			return "", fmt.Errorf("line %d: %w", n, err)
		}
		serverURL, seen = u, true
	}
	return serverURL, sc.Err()
}

// readConf reads the conf file at path; a missing file means not set.
func readConf(path string) (string, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	defer f.Close()
	return parseConf(f)
}
