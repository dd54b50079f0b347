package ui

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/phoneset/phoneset/audio"
)

// The end-to-end tests read these lines: their message and keys are a
// contract (COMMON: msg="audio devices", msg="headset check").
func TestLogLines(t *testing.T) {
	tests := []struct {
		name string
		log  func()
		want string
	}{
		{"devices", func() {
			logAudioDevices(newFakeAudio(laptopSpeaker, headsetMic, headset))
		}, `level=INFO msg="audio devices" backend=pulseaudio playback="Built-in Speakers; Jabra Evolve2 65 Stereo" capture="Jabra Evolve2 65 Mono"`},
		{"check passed", func() {
			logHeadsetCheck(audio.CheckResult{Verdict: audio.VerdictOK, Latency: 42 * time.Millisecond, Level: -9.4, SNR: 61.8}, nil)
		}, `level=INFO msg="headset check" verdict=ok latency=42ms level_dbfs=-9 snr_db=61 missing=0s dropped=0s`},
		{"check broke up", func() {
			logHeadsetCheck(audio.CheckResult{Verdict: audio.VerdictBrokeUp, Latency: 9 * time.Millisecond, Missing: 60 * time.Millisecond, Dropped: 40 * time.Millisecond}, nil)
		}, `msg="headset check" verdict="broke up" latency=9ms level_dbfs=0 snr_db=0 missing=60ms dropped=40ms`},
		{"check too quiet", func() {
			logHeadsetCheck(audio.CheckResult{Verdict: audio.VerdictTooQuiet}, nil)
		}, `msg="headset check" verdict="too quiet" latency=0s`},
		{"check failed", func() {
			logHeadsetCheck(audio.CheckResult{}, errors.New("device lost"))
		}, `level=WARN msg="headset check" err="device lost"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			old := slog.Default()
			slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
			defer slog.SetDefault(old)
			tt.log()
			if !strings.Contains(buf.String(), tt.want) {
				t.Errorf("logged %q, want it to contain %q", buf.String(), tt.want)
			}
		})
	}
}
