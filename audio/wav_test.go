package audio

import (
	"encoding/binary"
	"math"
	"slices"
	"testing"
)

// extensible rewrites a canonical file's fmt chunk as WAVE_FORMAT_EXTENSIBLE.
func extensible(file []byte, sub int) []byte {
	le := binary.LittleEndian
	ext := slices.Clone(file[20:36])
	le.PutUint16(ext[0:], wavExtensible)
	ext = le.AppendUint16(ext, 22) // cbSize
	ext = le.AppendUint16(ext, le.Uint16(file[34:36]))
	ext = le.AppendUint32(ext, 0) // channel mask
	ext = le.AppendUint16(ext, uint16(sub))
	ext = append(ext, "\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"...)
	out := append([]byte("RIFF\x00\x00\x00\x00WAVEfmt "), le.AppendUint32(nil, uint32(len(ext)))...)
	out = append(out, ext...)
	out = append(out, file[36:]...)
	le.PutUint32(out[4:], uint32(len(out)-8))
	return out
}

// withChunk inserts an extra chunk before the data chunk.
func withChunk(file []byte, id string, body []byte) []byte {
	chunk := append([]byte(id), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...)
	chunk = append(chunk, body...)
	if len(body)%2 == 1 {
		chunk = append(chunk, 0)
	}
	return slices.Concat(file[:36], chunk, file[36:])
}

func TestDecodeWAV(t *testing.T) {
	le := binary.LittleEndian
	f32 := func(vs ...float32) []byte {
		var b []byte
		for _, v := range vs {
			b = le.AppendUint32(b, math.Float32bits(v))
		}
		return b
	}
	pcm16 := wavFile(wavPCM, 16, 1, 8000, []byte{0x00, 0x80, 0x00, 0x40, 0xff, 0x7f})
	for _, tc := range []struct {
		name     string
		file     []byte
		rate, ch int
		want     []float32
	}{
		{"8-bit unsigned", wavFile(wavPCM, 8, 1, 8000, []byte{0, 128, 192}), 8000, 1, []float32{-1, 0, 0.5}},
		{"16-bit", pcm16, 8000, 1, []float32{-1, 0.5, 32767.0 / 32768}},
		{"24-bit stereo", wavFile(wavPCM, 24, 2, 44100, []byte{0, 0, 0x80, 0, 0, 0x40}), 44100, 2, []float32{-1, 0.5}},
		{"32-bit", wavFile(wavPCM, 32, 1, 48000, le.AppendUint32(nil, 0xC0000000)), 48000, 1, []float32{-0.5}},
		{"float", wavFile(wavFloat, 32, 1, 48000, f32(0.25, -0.75)), 48000, 1, []float32{0.25, -0.75}},
		{"extensible float", extensible(wavFile(wavFloat, 32, 1, 48000, f32(0.25)), wavFloat), 48000, 1, []float32{0.25}},
		{"extensible PCM", extensible(pcm16, wavPCM), 8000, 1, []float32{-1, 0.5, 32767.0 / 32768}},
		{"odd-sized chunk before data", withChunk(pcm16, "LIST", []byte("abc")), 8000, 1, []float32{-1, 0.5, 32767.0 / 32768}},
		{"truncated data", pcm16[:len(pcm16)-1], 8000, 1, []float32{-1, 0.5}},
		{"partial frame dropped", wavFile(wavPCM, 16, 2, 8000, []byte{0, 0x40, 0, 0x40, 0, 0x40}), 8000, 2, []float32{0.5, 0.5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := DecodeWAV(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			if c.SampleRate != tc.rate || c.Channels != tc.ch || !slices.Equal(c.Samples, tc.want) {
				t.Errorf("got %d Hz × %d %v, want %d Hz × %d %v", c.SampleRate, c.Channels, c.Samples, tc.rate, tc.ch, tc.want)
			}
		})
	}
}

func TestDecodeWAVRejects(t *testing.T) {
	good := wavFile(wavPCM, 16, 1, 8000, []byte{0, 0})
	noData := good[:36]
	noFmt := slices.Concat(good[:12], good[36:])
	for _, tc := range []struct {
		name string
		file []byte
	}{
		{"empty", nil},
		{"not RIFF", []byte("RIFX\x00\x00\x00\x00WAVE")},
		{"not WAVE", []byte("RIFF\x00\x00\x00\x00AVI ")},
		{"no data chunk", noData},
		{"no fmt chunk", noFmt},
		{"short fmt", slices.Concat(good[:12], []byte("fmt \x04\x00\x00\x00\x01\x00\x01\x00"), good[36:])},
		{"12-bit PCM", wavFile(wavPCM, 12, 1, 8000, []byte{0, 0})},
		{"64-bit float", wavFile(wavFloat, 64, 1, 8000, make([]byte, 8))},
		{"A-law", wavFile(6, 8, 1, 8000, []byte{0})},
		{"no channels", wavFile(wavPCM, 16, 0, 8000, []byte{0, 0})},
		{"absurd rate", wavFile(wavPCM, 16, 1, 1, []byte{0, 0})},
	} {
		if _, err := DecodeWAV(tc.file); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
}

func TestEncodeWAVRoundTrip(t *testing.T) {
	in := Clip{SampleRate: 22050, Channels: 2, Samples: []float32{0, 0.5, -0.5, 1, -1, 1.5, -1.5, 0.25}}
	out, err := DecodeWAV(EncodeWAV(in))
	if err != nil {
		t.Fatal(err)
	}
	// Full scale and beyond clamp to the 16-bit range.
	want := []float32{0, 0.5, -0.5, 32767.0 / 32768, -1, 32767.0 / 32768, -1, 0.25}
	if out.SampleRate != 22050 || out.Channels != 2 || !slices.Equal(out.Samples, want) {
		t.Errorf("round trip: %+v", out)
	}
}

func FuzzDecodeWAV(f *testing.F) {
	f.Add(EncodeWAV(Clip{SampleRate: 8000, Channels: 1, Samples: []float32{0.1, -0.2}}))
	f.Add(wavFile(wavFloat, 32, 2, 48000, make([]byte, 16)))
	f.Add(wavFile(wavPCM, 24, 1, 44100, []byte{1, 2, 3}))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := DecodeWAV(b)
		if err != nil {
			return
		}
		if c.validateFormat() != nil || len(c.Samples)%c.Channels != 0 || len(c.Samples) > len(b) {
			t.Fatalf("decoded an inconsistent clip: %d Hz × %d, %d samples from %d bytes", c.SampleRate, c.Channels, len(c.Samples), len(b))
		}
	})
}
