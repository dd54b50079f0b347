package main

import (
	"math"
	"os"
	"testing"

	"github.com/phoneset/phoneset/audio"
)

// The committed ringtone is what this generator makes: edit the generator and
// run go generate ./audio, never the WAV by hand.
func TestCommittedRingtoneIsGenerated(t *testing.T) {
	b, err := os.ReadFile("../../../assets/sounds/ringtone.wav")
	if err != nil {
		t.Fatal(err)
	}
	got, err := audio.DecodeWAV(b)
	if err != nil {
		t.Fatal(err)
	}
	want := ringtone()
	if got.SampleRate != want.SampleRate || got.Channels != want.Channels || len(got.Samples) != len(want.Samples) {
		t.Fatalf("committed %d Hz × %d, %d samples; generator %d Hz × %d, %d samples",
			got.SampleRate, got.Channels, len(got.Samples), want.SampleRate, want.Channels, len(want.Samples))
	}
	for i := range got.Samples {
		// One 16-bit step: the file is quantised, and math may round differently on another CPU.
		if math.Abs(float64(got.Samples[i]-want.Samples[i])) > 1.0/32768 {
			t.Fatalf("sample %d: committed %g, generator %g; run go generate ./audio", i, got.Samples[i], want.Samples[i])
		}
	}
}

func TestRingtoneShape(t *testing.T) {
	c := ringtone()
	if c.Duration().Seconds() != length {
		t.Errorf("duration %v", c.Duration())
	}
	l := audio.MeasureLevel(c.Samples, 1)
	if math.Abs(l.Peak-audio.DBFS(peak)) > 0.01 || l.Clipped {
		t.Errorf("level %+v, want peak %.2f dBFS", l, audio.DBFS(peak))
	}
	// It loops: it must start and end quietly.
	if first, last := c.Samples[0], c.Samples[len(c.Samples)-1]; first != 0 || last != 0 {
		t.Errorf("ends %g, %g; want silence at the loop point", first, last)
	}
	// Notes are audible, gaps between the phrases quieter.
	note := audio.MeasureLevel(c.Samples[int(0.46*rate):int(0.56*rate)], 1)
	tail := audio.MeasureLevel(c.Samples[int(2.2*rate):int(2.3*rate)], 1)
	if note.RMS-tail.RMS < 20 {
		t.Errorf("note %.1f dBFS, tail %.1f dBFS: want a decay of 20 dB or more", note.RMS, tail.RMS)
	}
}
