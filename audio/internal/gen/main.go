// Command gen writes the ringtone WAV that assets embeds:
//
//	go generate ./audio   (runs: go run ./internal/gen -out ../assets/sounds/ringtone.wav)
//
// The sound is synthesised, so it is ours to ship and can be remade at will.
package main

import (
	"flag"
	"log"
	"math"
	"os"

	"github.com/phoneset/phoneset/audio"
)

const (
	rate = 48000
	// length is one ring; the app loops it, so the pattern ends in silence.
	length = 2.4
	// peak leaves 3 dB of headroom for the resampler.
	peak = 0.7
)

// note is one marimba-like strike.
type note struct {
	at, freq float64
}

// pattern: a rising E-major arpeggio, played twice.
var pattern = []note{
	{0.00, 659.26}, {0.15, 830.61}, {0.30, 987.77}, {0.45, 1318.51},
	{0.75, 659.26}, {0.90, 830.61}, {1.05, 987.77}, {1.20, 1318.51},
}

// partial is an overtone: frequency ratio, amplitude and decay time. A bar's
// fourth partial (about 4×) rings briefly and gives the mallet its colour.
type partial struct{ ratio, amp, decay float64 }

var partials = []partial{{1, 1, 0.25}, {2, 0.06, 0.12}, {3.93, 0.12, 0.06}}

const attack = 0.004

func ringtone() audio.Clip {
	n := int(length * rate)
	s := make([]float64, n)
	for _, nt := range pattern {
		start := int(nt.at * rate)
		for i := start; i < n; i++ {
			t := float64(i-start) / rate
			env := math.Min(t/attack, 1)
			var v float64
			for _, p := range partials {
				v += p.amp * math.Exp(-t/p.decay) * math.Sin(2*math.Pi*nt.freq*p.ratio*t)
			}
			s[i] += env * v
		}
	}
	var top float64
	for _, v := range s {
		top = math.Max(top, math.Abs(v))
	}
	out := make([]float32, n)
	for i, v := range s {
		out[i] = float32(v * peak / top)
	}
	// Fade the last 10 ms so the loop point does not click.
	fade := rate / 100
	for i := range fade {
		out[n-1-i] *= float32(i) / float32(fade)
	}
	return audio.Clip{SampleRate: rate, Channels: 1, Samples: out}
}

func main() {
	out := flag.String("out", "ringtone.wav", "where to write the WAV")
	flag.Parse()
	if err := os.WriteFile(*out, audio.EncodeWAV(ringtone()), 0o644); err != nil {
		log.Fatal(err)
	}
}
