package ui

import (
	"log/slog"
	"strings"

	"github.com/phoneset/phoneset/audio"
)

// logAudioDevices writes the audio backend and the devices it lists to the
// log (slog's default, which cmd/phoneset sets) once at start: support reads
// it, and the end-to-end tests check the platform's devices by it.
func logAudioDevices(m DevicesModel) {
	st := m.Snapshot()
	names := map[audio.Kind][]string{}
	for _, d := range st.Devices {
		names[d.Kind] = append(names[d.Kind], d.Name)
	}
	slog.Info("audio devices", "backend", st.Backend,
		"playback", strings.Join(names[audio.Playback], "; "),
		"capture", strings.Join(names[audio.Capture], "; "))
}
