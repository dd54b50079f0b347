package audio

import (
	"context"
	"testing"
)

// Enumeration is what the watcher does every PollInterval.
func BenchmarkEnumerate(b *testing.B) {
	for _, bc := range []struct {
		name string
		open func(testing.TB) *System
	}{
		{"null", func(tb testing.TB) *System { return openNull(tb, Prefs{}) }},
		{"pulse", openPulse},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s := bc.open(b)
			for b.Loop() {
				if _, err := s.drv.devices(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// The level meter runs on the audio thread for every capture callback: here a
// 10 ms stereo callback at 48 kHz.
func BenchmarkMeasureLevel(b *testing.B) {
	buf := interleave(480, sine(1000, 0.5), sine(1000, 0.5))
	b.SetBytes(int64(4 * len(buf)))
	for b.Loop() {
		MeasureLevel(buf, 2)
	}
}

// The headset check's analysis of a full recording (FFT correlation and all).
func BenchmarkAnalyzeCheck(b *testing.B) {
	sig := newCheckSignal(48000)
	x := simulateCapture(sig, 0, 1200, 0.5, 1e-3)
	for b.Loop() {
		analyzeCheck(sig, x, 0)
	}
}

// The whole headset check, as the user waits for it: ns/op is its duration.
func BenchmarkCheckHeadset(b *testing.B) {
	for _, bc := range []struct {
		name    string
		open    func(testing.TB) *System
		devices func(testing.TB, *System) (Device, Device)
	}{
		{"pulse", openPulse, virtualSpeaker},
		{"null", func(tb testing.TB) *System { return openNull(tb, Prefs{}) }, func(_ testing.TB, s *System) (Device, Device) {
			st := s.Snapshot()
			return st.Selection(Speaker).Device, st.Selection(Microphone).Device
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s := bc.open(b)
			spk, mic := bc.devices(b, s)
			for b.Loop() {
				if _, err := s.CheckHeadset(context.Background(), spk, mic); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
