//go:build !windows && !darwin

package autostart

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
)

// New finds the user's setting following the XDG autostart spec: the user's
// entry in $XDG_CONFIG_HOME/autostart (~/.config), machine-wide ones in each
// of $XDG_CONFIG_DIRS (/etc/xdg). It starts the running program.
func New() (*Login, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	config := os.Getenv("XDG_CONFIG_HOME")
	if !filepath.IsAbs(config) {
		home, err := os.UserHomeDir()
		if err != nil {
			return nil, err
		}
		config = filepath.Join(home, ".config")
	}
	l := &Login{exe: exe, user: filepath.Join(config, "autostart", ID+".desktop")}
	dirs := filepath.SplitList(os.Getenv("XDG_CONFIG_DIRS"))
	if len(dirs) == 0 {
		dirs = []string{"/etc/xdg"}
	}
	for _, d := range dirs {
		if filepath.IsAbs(d) { // the spec says to ignore relative ones
			l.machine = append(l.machine, filepath.Join(d, "autostart", ID+".desktop"))
		}
	}
	return l, nil
}

// entry is the desktop file that starts exe.
func entry(exe string) ([]byte, error) {
	cmd, err := execValue(exe)
	if err != nil {
		return nil, err
	}
	return []byte("[Desktop Entry]\n" +
		"Type=Application\n" +
		"Name=Phoneset\n" +
		"Comment=Softphone settings and status\n" +
		"Exec=" + cmd + "\n" +
		"Icon=" + ID + "\n" +
		"Terminal=false\n" +
		"X-GNOME-Autostart-enabled=true\n"), nil
}

// execValue writes a program path as the Exec key's value: quoted if it has
// reserved characters (with ", `, $ and \ escaped inside the quotes), then
// escaped as a desktop-file string (\ doubled) with % doubled for the
// field-code expansion.
func execValue(path string) (string, error) {
	if strings.ContainsFunc(path, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "", errors.New("the program's path has control characters: it can't go in a desktop file")
	}
	v := path
	if strings.ContainsAny(path, " \t\"'\\><~|&;$*?#()`") {
		var b strings.Builder
		b.WriteByte('"')
		for _, r := range path {
			if strings.ContainsRune("\"`$\\", r) {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
		b.WriteByte('"')
		v = b.String()
	}
	v = strings.ReplaceAll(v, `\`, `\\`)
	return strings.ReplaceAll(v, "%", "%%"), nil
}

// enabled reads a desktop entry as a session manager does: Hidden=true
// means deleted, and GNOME's own switch can turn it off.
func enabled(b []byte) bool {
	group := ""
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") {
			group = line
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok || group != "[Desktop Entry]" {
			continue
		}
		switch strings.TrimSpace(key) {
		case "Hidden":
			if strings.TrimSpace(value) == "true" {
				return false
			}
		case "X-GNOME-Autostart-enabled":
			if strings.TrimSpace(value) == "false" {
				return false
			}
		}
	}
	return true
}
