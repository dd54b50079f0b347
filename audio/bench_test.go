package audio

import (
	"context"
	"fmt"
	"testing"
	"time"
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
	x := simulateCapture(sig, 6000, 1200, 0.5, 1e-3)
	for b.Loop() {
		analyzeCheck(sig, x, 6000)
	}
}

// The whole headset check, as the user waits for it: ns/op is its duration
// (under 3 s at every rate), on a PulseAudio loopback at each rate (no stream
// keeps it awake, as for a new user) and on miniaudio's null backend.
func BenchmarkCheckHeadset(b *testing.B) {
	for _, rate := range []int{8000, 16000, 22050, 32000, 44100, 48000, 96000} {
		b.Run(fmt.Sprintf("pulse_%dHz", rate), func(b *testing.B) {
			s := openPulse(b)
			spk, mic := rateLoopback(b, s, fmt.Sprintf("bench%d", rate), rate, 2)
			broke := 0
			for b.Loop() {
				r, err := s.CheckHeadset(context.Background(), spk, mic, nil)
				// A busy machine can break the sound up: that check took its time all the same.
				if r.Verdict == VerdictBrokeUp {
					broke++
				} else if err != nil || r.Verdict != VerdictOK {
					b.Fatal(r.Verdict, err)
				}
			}
			b.ReportMetric(float64(broke)/float64(b.N), "brokeup/op")
		})
	}
	b.Run("null", func(b *testing.B) {
		s := openNull(b, Prefs{})
		st := s.Snapshot()
		for b.Loop() {
			if _, err := s.CheckHeadset(context.Background(), st.Selection(Speaker).Device, st.Selection(Microphone).Device, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// How long the watcher takes to notice a headset plugged in or unplugged
// (PulseAudio, default PollInterval): ms/notice should stay under 2000. Each
// change follows the previous notice at once, so it lands just after a poll:
// this is the worst case, a full interval plus enumeration.
func BenchmarkHotPlugNotice(b *testing.B) {
	s := openPulse(b)
	ch := events(b, s)
	waitEvent(b, ch)
	var total time.Duration
	var notices int
	for b.Loop() {
		start := time.Now()
		unplug := plugHeadset(b, "phs_bench")
		waitFor(b, ch, "plug", func(ev Event) bool { return hasName(ev.Added, "PhonesetHeadset") })
		total += time.Since(start)
		start = time.Now()
		unplug()
		waitFor(b, ch, "unplug", func(ev Event) bool { return hasName(ev.Removed, "PhonesetHeadset") })
		total += time.Since(start)
		notices += 2
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(notices), "ms/notice")
}
