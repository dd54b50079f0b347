package audio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// WAV format tags.
const (
	wavPCM        = 1
	wavFloat      = 3
	wavExtensible = 0xFFFE
)

// maxWAVSamples bounds what DecodeWAV allocates: 10 minutes of 48 kHz stereo.
const maxWAVSamples = 10 * 60 * 48000 * 2

// DecodeWAV reads a RIFF WAVE file: PCM of 8, 16, 24 or 32 bits, or 32-bit
// float, plain or WAVE_FORMAT_EXTENSIBLE.
func DecodeWAV(b []byte) (Clip, error) {
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return Clip{}, errors.New("audio: not a WAV file")
	}
	var (
		format, bits int
		clip         Clip
		data         []byte
		haveFmt      bool
	)
	for rest := b[12:]; len(rest) >= 8; {
		id := string(rest[0:4])
		size := int(binary.LittleEndian.Uint32(rest[4:8]))
		rest = rest[8:]
		if size < 0 || size > len(rest) {
			// A truncated last chunk: take what is there, as players do.
			size = len(rest)
		}
		body := rest[:size]
		switch id {
		case "fmt ":
			if size < 16 {
				return Clip{}, errors.New("audio: WAV fmt chunk too short")
			}
			format = int(binary.LittleEndian.Uint16(body[0:2]))
			clip.Channels = int(binary.LittleEndian.Uint16(body[2:4]))
			clip.SampleRate = int(binary.LittleEndian.Uint32(body[4:8]))
			bits = int(binary.LittleEndian.Uint16(body[14:16]))
			if format == wavExtensible {
				if size < 26 {
					return Clip{}, errors.New("audio: WAV extensible fmt chunk too short")
				}
				// The sub-format GUID starts with the plain format tag.
				format = int(binary.LittleEndian.Uint16(body[24:26]))
			}
			haveFmt = true
		case "data":
			data = body
		}
		// Chunks are padded to an even size.
		rest = rest[min(size+size%2, len(rest)):]
	}
	if !haveFmt || data == nil {
		return Clip{}, errors.New("audio: WAV lacks a fmt or data chunk")
	}
	if format == wavFloat && bits != 32 || format == wavPCM && (bits < 8 || bits > 32 || bits%8 != 0) || format != wavPCM && format != wavFloat {
		return Clip{}, fmt.Errorf("audio: unsupported WAV format %d with %d bits", format, bits)
	}
	if err := clip.validateFormat(); err != nil {
		return Clip{}, err
	}
	width := bits / 8
	n := len(data) / width
	n -= n % clip.Channels
	if n > maxWAVSamples {
		return Clip{}, fmt.Errorf("audio: WAV too long (%d samples)", n)
	}
	clip.Samples = make([]float32, n)
	for i := range clip.Samples {
		clip.Samples[i] = decodeSample(data[i*width:], format, bits)
	}
	return clip, nil
}

func decodeSample(b []byte, format, bits int) float32 {
	switch {
	case format == wavFloat:
		return math.Float32frombits(binary.LittleEndian.Uint32(b))
	case bits == 8: // unsigned
		return (float32(b[0]) - 128) / 128
	case bits == 16:
		return float32(int16(binary.LittleEndian.Uint16(b))) / (1 << 15)
	case bits == 24:
		v := int32(uint32(b[0])<<8|uint32(b[1])<<16|uint32(b[2])<<24) >> 8
		return float32(v) / (1 << 23)
	default:
		return float32(float64(int32(binary.LittleEndian.Uint32(b))) / (1 << 31))
	}
}

// EncodeWAV writes the clip as 16-bit PCM WAV, rounding and clamping to full scale.
func EncodeWAV(c Clip) []byte {
	data := make([]byte, 2*len(c.Samples))
	for i, s := range c.Samples {
		v := math.Round(float64(s) * (1 << 15))
		v = min(max(v, math.MinInt16), math.MaxInt16)
		binary.LittleEndian.PutUint16(data[2*i:], uint16(int16(v)))
	}
	return wavFile(wavPCM, 16, c.Channels, c.SampleRate, data)
}

// wavFile wraps sample data in a canonical 44-byte-header WAV file.
func wavFile(format, bits, channels, rate int, data []byte) []byte {
	blockAlign := channels * bits / 8
	le := binary.LittleEndian
	b := make([]byte, 0, 44+len(data))
	b = append(b, "RIFF"...)
	b = le.AppendUint32(b, uint32(36+len(data)))
	b = append(b, "WAVEfmt "...)
	b = le.AppendUint32(b, 16)
	b = le.AppendUint16(b, uint16(format))
	b = le.AppendUint16(b, uint16(channels))
	b = le.AppendUint32(b, uint32(rate))
	b = le.AppendUint32(b, uint32(rate*blockAlign))
	b = le.AppendUint16(b, uint16(blockAlign))
	b = le.AppendUint16(b, uint16(bits))
	b = append(b, "data"...)
	b = le.AppendUint32(b, uint32(len(data)))
	return append(b, data...)
}
