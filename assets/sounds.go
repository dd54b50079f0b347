package assets

import _ "embed"

// Ringtone is the incoming-call sound: 16-bit mono 48 kHz WAV, 2.4 s, made to
// loop. Decode it with audio.DecodeWAV. It is generated: go generate ./audio.
//
//go:embed sounds/ringtone.wav
var Ringtone []byte
