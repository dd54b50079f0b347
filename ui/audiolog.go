package ui

import (
	"log/slog"
	"strings"

	"github.com/phoneset/phoneset/audio"
)

// logAudioDevices writes the audio backend and the devices it lists to the
// log (slog's default, which cmd/phoneset sets) once, when the audio is
// opened. Support reads these lines, and the end-to-end tests check the
// platform's devices and the headset check by them.
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

// logHeadsetCheck logs how a headset check ended: its verdict and the round
// trip's latency (and how much of the signal went missing, and how much of
// that came back as digital silence), or why it stopped.
func logHeadsetCheck(r audio.CheckResult, err error) {
	if err != nil {
		slog.Warn("headset check", "err", err)
		return
	}
	slog.Info("headset check", "verdict", r.Verdict, "latency", r.Latency,
		"level_dbfs", int(r.Level), "snr_db", int(r.SNR), "missing", r.Missing, "dropped", r.Dropped)
}
