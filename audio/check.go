package audio

import (
	"context"
	"errors"
	"math"
	"slices"
	"sync/atomic"
	"time"
)

// Verdict is the headset check's conclusion.
type Verdict int

const (
	VerdictOK            Verdict = iota
	VerdictTooQuiet              // the test signal came back weak, or barely above the noise
	VerdictClipping              // the input hit full scale: lower the microphone gain
	VerdictNoSignal              // the microphone delivered silence or did not hear the test signal
	VerdictDeviceMissing         // the speaker or the microphone is not present
	VerdictNoisy                 // the test signal came back clearly, but background noise is close to it
	VerdictBrokeUp               // the test signal came back with gaps (dropouts): try again
)

func (v Verdict) String() string {
	switch v {
	case VerdictOK:
		return "ok"
	case VerdictTooQuiet:
		return "too quiet"
	case VerdictClipping:
		return "clipping"
	case VerdictNoSignal:
		return "no signal"
	case VerdictDeviceMissing:
		return "device missing"
	case VerdictNoisy:
		return "noisy"
	case VerdictBrokeUp:
		return "broke up"
	}
	return "unknown"
}

// Verdict rules.
const (
	// silenceDBFS: an input whose peak stays below this is digital silence
	// (muted or dead microphone).
	silenceDBFS = -90.0
	// minCorrelation: the recorded chirp must match the played one at least this
	// well (normalised cross-correlation) to count as heard. Noise alone scores
	// well under 0.1 over the chirp's length.
	minCorrelation = 0.3
	// minLevelDBFS: below it, the signal is too quiet; minSNR: below it, the
	// background noise is too close to the signal.
	minLevelDBFS = -40.0
	minSNR       = 15.0
	// handsFreeRate: a microphone that captures in mono at this rate or below is
	// what a Bluetooth headset offers in its hands-free profile (HFP/HSP: 8 kHz,
	// or 16 kHz with wide-band speech).
	handsFreeRate = 16000
	// brokeUpAfter: this much of the test signal missing is a broken-up
	// signal, not a quiet or noisy one. Shorter gaps cannot be told from the
	// signal's own fades and a resampler's ripple.
	brokeUpAfter = 10 * time.Millisecond
	// gapPiece is the length of the pieces of the received signal in which
	// dropouts are looked for.
	gapPiece = 5 * time.Millisecond
	// silentRun: this many exact zeros in a row inside the signal are
	// digital silence, which no microphone gives: a dropout. A 10 ms one
	// through PulseAudio's resamplers (an 8-22.05 kHz loopback) keeps
	// 6.5-8.9 ms of exact zeros, too few to fill a gapPiece wherever it
	// falls (then unproven: 32 of 4,300 checks in a soak).
	silentRun = 2 * time.Millisecond
	// gapSNR: below this signal-to-noise ratio, a dropout cannot be told
	// from the noise, and the verdict is "noisy" anyway.
	gapSNR = 6.0
	// garbledDB: where the tone should be, the sound may be this much louder
	// than the tone (noise 6 dB below it adds 1 dB, clipping's harmonics
	// about as much; noise as loud as the tone is "noisy", not this).
	garbledDB = 6.0
)

// CheckResult is what the headset check measured.
type CheckResult struct {
	Verdict    Verdict
	Speaker    Device
	Microphone Device
	// Detected: the test signal was found in the recording.
	Detected bool
	// Latency is the round trip from handing the signal to the speaker to
	// receiving it from the microphone. Zero unless Detected, and when the
	// callbacks could not time it (a machine too busy to call them on time).
	Latency time.Duration
	// Level is the received test tone's RMS in dBFS when Detected, else the
	// input's overall RMS.
	Level float64
	// Peak is the input's largest sample, dBFS.
	Peak float64
	// NoiseFloor is the input's RMS, dBFS, while the speaker was silent.
	NoiseFloor float64
	// SNR is Level minus NoiseFloor in dB, when Detected.
	SNR float64
	// Clipped: the input hit full scale.
	Clipped bool
	// Correlation is how well the recording matched the test signal, 0..1.
	Correlation float64
	// Missing is how much of the test signal did not come back where it
	// should have, when Detected: dropouts (an underrun on a busy machine,
	// a Bluetooth hiccup) or a part pushed later by one.
	Missing time.Duration
	// Dropped is the part of Missing that came back as digital silence:
	// samples the sound path lost (an underrun, a server that stalled),
	// since a microphone always hears some noise. It is what proves a
	// dropout on a digital loopback.
	Dropped time.Duration
	// BrokeUp: Missing reached brokeUpAfter, or the test tone came back
	// while the chirp before it did not. It is read from the recording
	// alone: malgo reports no underruns (its callbacks are Data and Stop),
	// and frames counted against the clock cannot tell a lost frame from one
	// a sound server still holds.
	BrokeUp bool
	// MicRate and MicChannels are the microphone's own capture format, before
	// conversion to the check's; zero when the check did not open it.
	MicRate, MicChannels int
	// HandsFree: the microphone captures in mono at 16 kHz or less, as a
	// Bluetooth headset does in its hands-free profile, which also drops its
	// speaker to phone quality.
	HandsFree bool
	// Took is how long the check ran, device opening included.
	Took time.Duration
}

// checkSignal is what the speaker plays once the microphone is delivering
// sound (the noise floor is measured on what it delivered before): a chirp
// (its sharp correlation peak locates the signal in the recording), a short
// gap, then a steady tone (its level is read with Goertzel, which ignores
// noise outside the tone's frequency).
type checkSignal struct {
	rate     int
	samples  []float32
	chirp    []float32
	chirpAt  int
	toneAt   int
	toneLen  int
	toneFreq float64
}

const (
	checkAmp      = 0.5 // -6 dBFS peak: loud enough to hear, far from clipping
	checkToneFreq = 1000.0
	// checkTimeout bounds the whole check, opening devices included. A sound
	// server can take up to 2 s to start delivering (PulseAudio's null sink
	// sleeps that long when idle), so the signal is kept short.
	checkTimeout = 2750 * time.Millisecond
	// checkQuiet is how much the microphone must have delivered before the
	// signal plays: proof that the capture path runs, and the noise floor.
	checkQuiet = 100 * time.Millisecond
	// checkPoll is how often the waiting goroutine looks at the recording.
	checkPoll = 20 * time.Millisecond
	// Margins keep the level and noise windows clear of the fades and of
	// start-up transients.
	checkMargin = 20 * time.Millisecond
	// checkToneSlip is how much later than expected the tone is looked for.
	checkToneSlip = 200 * time.Millisecond
	// The signal waits until the speaker's stream takes sound as fast as it
	// plays: over the last steadyWindow of playback callbacks, at least
	// steadyRate of real time. Wine 8's WASAPI over PulseAudio (winepulse)
	// starts a stream taking one period every 1.5 periods (its timer waits
	// for PulseAudio's clock, which stands still until the sink plays) until
	// PulseAudio's buffer runs dry, 0.3-2 s in: a real 15-30 ms hole in what
	// it plays, which every check under Wine heard as "broke up".
	steadyWindow = 100 * time.Millisecond
	steadyRate   = 0.85
	// steadyGiveUp: the signal plays after this much of the check even if
	// the stream never became steady, so that the check still has time to
	// hear it (and reports a hole if there is one).
	steadyGiveUp = 2 * time.Second
)

func newCheckSignal(rate int) checkSignal {
	sec := func(s float64) int { return int(s * float64(rate)) }
	sig := checkSignal{rate: rate, toneFreq: checkToneFreq}
	// A telephone-band sweep: every headset reproduces it, hands-free ones too.
	sig.chirp = chirp(300, 3400, checkAmp, 0.15, rate)
	tone := tone(checkToneFreq, checkAmp, 0.2, rate)
	sig.chirpAt = sec(0.02)
	sig.toneAt = sig.chirpAt + len(sig.chirp) + sec(0.03)
	sig.toneLen = len(tone)
	sig.samples = make([]float32, sig.toneAt+sig.toneLen)
	copy(sig.samples[sig.chirpAt:], sig.chirp)
	copy(sig.samples[sig.toneAt:], tone)
	return sig
}

// locate finds the chirp in captured[from:] by cross-correlation with the
// played one: the index where it starts and how well it matches (normalised
// correlation, 0..1); -1 and 0 when captured is too short.
func locate(sig checkSignal, captured []float32, from int) (at int, match float64) {
	from = clampIndex(from, len(captured))
	x := captured[from:]
	corr := xcorr(x, sig.chirp)
	if len(corr) == 0 {
		return -1, 0
	}
	best := 0
	for k := range corr {
		if math.Abs(corr[k]) > math.Abs(corr[best]) {
			best = k
		}
	}
	n := len(sig.chirp)
	if energy := rms(x[best:best+n]) * rms(sig.chirp) * float64(n); energy > 0 {
		match = math.Abs(corr[best]) / energy
	}
	return from + best, match
}

// analyzeCheck measures a recording of the check signal, which cannot have
// arrived before index from (the speaker was silent until then). It returns
// the measurements and the index where the chirp arrived (-1 if it did not);
// the latency and the verdict are left to the caller.
func analyzeCheck(sig checkSignal, captured []float32, from int) (CheckResult, int) {
	var r CheckResult
	margin := min(sig.rate*int(checkMargin)/int(time.Second), len(captured))
	warm := margin
	lv := MeasureLevel(captured[warm:], 1)
	r.Peak, r.Clipped = lv.Peak, lv.Clipped
	r.Level, r.NoiseFloor = lv.RMS, lv.RMS

	at, match := locate(sig, captured, from)
	r.Correlation = match
	if at < 0 || match < minCorrelation {
		r.BrokeUp = toneOnly(sig, captured, from)
		return r, -1
	}
	r.Detected = true
	// Where signal sample 0 sits in the recording.
	zero := at - sig.chirpAt
	// The tone where it should be, or up to checkToneSlip later: a dropout
	// (an underrun on a busy machine, a Bluetooth hiccup) delays what follows it.
	toneFrom := clampIndex(zero+sig.toneAt+margin, len(captured))
	toneTo := clampIndex(zero+sig.toneAt+sig.toneLen-margin+sig.rate*int(checkToneSlip)/int(time.Second), len(captured))
	if toneTo > toneFrom {
		r.Level = DBFS(toneLevel(captured[toneFrom:toneTo], sig.toneFreq, sig.rate, sig.toneLen-2*margin) / math.Sqrt2)
	}
	// The noise floor: up to 200 ms just before the chirp arrived, in 20 ms
	// pieces, of which the median, so that a click or a dropout does not skew
	// it; or, if lower, the same of what came in before the signal could
	// play: shreds of a signal broken up before where its chirp was found
	// read as noise (seen under Wine at load 20: "noisy" at -3 dB SNR).
	r.NoiseFloor = min(floor(captured, max(at-sig.rate/5, warm), at-margin, sig.rate/50),
		floor(captured, warm, from, sig.rate/50))
	r.SNR = r.Level - r.NoiseFloor
	// A tone that came back as digital silence on a silent path is no
	// noise: it was lost (seen under a load of 16: the chirp heard, the
	// tone nowhere, called too quiet).
	if r.SNR >= gapSNR || r.Level <= silenceDBFS {
		r.Missing, r.Dropped = missing(sig, captured, zero, math.Pow(10, r.NoiseFloor/20))
		r.BrokeUp = r.Missing >= brokeUpAfter
	}
	r.BrokeUp = r.BrokeUp || garbled(sig, captured, zero, r.Level, r.NoiseFloor)
	return r, at
}

// floor is the median RMS, dBFS, of captured[from:to] in pieces of piece
// frames; 0 dBFS for an empty span, which min then passes over.
func floor(captured []float32, from, to, piece int) float64 {
	from, to = clampIndex(from, len(captured)), clampIndex(to, len(captured))
	if to <= from {
		return 0
	}
	return DBFS(middle(pieces(captured[from:to], piece, rms)))
}

// garbled reports whether the sound where the tone should be, captured[zero:]
// being the signal, stands well above the noise floor but far above the tone
// found there (level and floor: dBFS RMS): something else came back in its
// place, as when a sound server replays or skips part of the signal.
// PulseAudio did so on a loopback in 3 of some 3,500 checks: level -57 to
// -63 dBFS, peak -6, nothing missing; "too quiet" was the verdict.
func garbled(sig checkSignal, captured []float32, zero int, level, floor float64) bool {
	margin := sig.rate * int(checkMargin) / int(time.Second)
	from := clampIndex(zero+sig.toneAt+margin, len(captured))
	to := clampIndex(zero+sig.toneAt+sig.toneLen-margin, len(captured))
	if to-from < 2*margin {
		return false
	}
	there := DBFS(middle(pieces(captured[from:to], margin, rms)))
	return there-level > garbledDB && there-floor > minSNR
}

// missing is how much of the chirp and the tone, the signal starting at
// captured[zero], came back far weaker than the rest of them, in gapPiece
// steps: a gap, or the start of a part pushed later by one, reads as the
// noise floor (noise, RMS) where the signal should be. Pieces of the signal
// past the end of the recording are not counted: a check that ran out of time
// is not a broken-up one. The fades at either end are left out, and so is the
// chirp's last 30% (above 2.5 kHz): a path at 8 kHz, a narrow-band
// hands-free headset's, takes up to 20 dB off its top. Of what is missing,
// dropped is the digital silence: runs of exact zeros of at least
// silentRun.
func missing(sig checkSignal, captured []float32, zero int, noise float64) (lost, dropped time.Duration) {
	piece := max(1, sig.rate*int(gapPiece)/int(time.Second))
	var env []float64
	silent := 0
	for _, span := range [][2]int{{sig.chirpAt, sig.chirpAt + len(sig.chirp)*7/10 + piece}, {sig.toneAt, sig.toneAt + sig.toneLen}} {
		from := clampIndex(zero+span[0]+piece, len(captured))
		to := clampIndex(zero+span[1]-piece, len(captured))
		if to-from >= piece {
			env = append(env, pieces(captured[from:to], piece, rms)...)
			silent += zeroRuns(captured[from:to], sig.rate*int(silentRun)/int(time.Second))
		}
	}
	if len(env) == 0 {
		return 0, 0
	}
	// Halfway, in dB, between the signal and the noise; at least 20 dB
	// below the signal when the noise is lower still. The signal's level is
	// read high in its pieces: a median is a gap's level once gaps fill half
	// the signal (a machine that stalled for 100-250 ms at a time, seen under
	// Wine at load 20: "too quiet", nothing missing).
	ref := quantile(env, 0.8)
	gap := math.Sqrt(ref * max(noise, ref/100))
	n := 0
	for _, v := range env {
		if v < gap {
			n++
		}
	}
	lost = time.Duration(n) * gapPiece
	return lost, min(lost, time.Duration(silent)*time.Second/time.Duration(sig.rate))
}

// zeroRuns is how many samples of x lie in runs of at least run exact zeros.
func zeroRuns(x []float32, run int) int {
	total, n := 0, 0
	for i, v := range x {
		if v == 0 {
			n++
		}
		if v != 0 || i == len(x)-1 {
			if n >= run {
				total += n
			}
			n = 0
		}
	}
	return total
}

// toneOnly reports whether the test tone came back although the chirp before
// it was not found: the signal broke up rather than went missing. It looks
// where the tone can be (after from, the earliest the signal could start,
// plus where the tone sits in it) for a 40 ms piece in which the tone stands
// 20 dB above its median level there and above minLevelDBFS.
func toneOnly(sig checkSignal, captured []float32, from int) bool {
	from = clampIndex(from+sig.toneAt, len(captured))
	vs := pieces(captured[from:], sig.rate/25, func(p []float32) float64 { return goertzel(p, sig.toneFreq, sig.rate) })
	if len(vs) < 3 {
		return false
	}
	top := slices.Max(vs)
	return top >= 10*middle(vs) && DBFS(top/math.Sqrt2) >= minLevelDBFS
}

func clampIndex(i, n int) int { return min(max(i, 0), n) }

// pieces applies f to consecutive pieces of x, piece frames each, in order;
// a remainder shorter than a piece is left out. An input shorter than two
// pieces is measured whole.
func pieces(x []float32, piece int, f func([]float32) float64) []float64 {
	if len(x) < 2*piece {
		return []float64{f(x)}
	}
	vs := make([]float64, 0, len(x)/piece)
	for i := 0; i+piece <= len(x); i += piece {
		vs = append(vs, f(x[i:i+piece]))
	}
	return vs
}

// middle is the median of vs, which it leaves as it was.
func middle(vs []float64) float64 { return quantile(vs, 0.5) }

// quantile is the value q (0..1) of the way up vs sorted; vs is left as it was.
func quantile(vs []float64, q float64) float64 {
	s := slices.Sorted(slices.Values(vs))
	return s[min(int(q*float64(len(s))), len(s)-1)]
}

// toneLevel is the amplitude of a tone of about frames frames somewhere in
// x: x is measured in 40 ms pieces, and of the pieces the tone can fill, the
// second loudest in four counts, so that a dropout in the tone or a click
// does not skew the level (missing reports the dropout). An input shorter
// than two pieces is measured whole.
func toneLevel(x []float32, freq float64, rate, frames int) float64 {
	piece := rate / 25
	vs := pieces(x, piece, func(p []float32) float64 { return goertzel(p, freq, rate) })
	slices.Sort(vs)
	k := min(max(frames/piece, 1), len(vs))
	return vs[len(vs)-1-k/4]
}

// judge turns measurements into a verdict. Silence is judged first (a muted
// microphone is the likeliest fault), then clipping (it also spoils
// detection), then a broken-up signal (dropouts spoil the other measures).
func judge(r CheckResult) Verdict {
	switch {
	case r.Peak <= silenceDBFS:
		return VerdictNoSignal
	case r.Clipped:
		return VerdictClipping
	case r.BrokeUp:
		return VerdictBrokeUp
	case !r.Detected:
		return VerdictNoSignal
	case r.Level < minLevelDBFS:
		return VerdictTooQuiet
	case r.SNR < minSNR:
		return VerdictNoisy
	}
	return VerdictOK
}

// handsFree reports whether a microphone's own format is a Bluetooth
// hands-free profile's.
func handsFree(rate, channels int) bool {
	return rate > 0 && rate <= handsFreeRate && channels == 1
}

// checkRecorder is shared by the check's two audio threads and the goroutine
// waiting for them. The speaker plays silence until the microphone has
// delivered checkQuiet of sound (a Bluetooth headset or an idle sound server
// can take seconds to start), then the signal; the chirp is then found in the
// recording by correlation, wherever start-up delays put it.
//
// The signal also waits for the speaker's stream to keep time (see
// steadyWindow).
//
// Callback times cannot place the signal: a sound server takes the first
// playback buffers at once and plays them only when its device runs, which
// can be seconds later. They serve only for the latency, once correlation
// has placed the chirp (see latency).
type checkRecorder struct {
	sig    checkSignal
	quiet  int   // captured frames that release the signal
	played int   // playback thread only
	start  int   // playback frame the signal starts at, -1 until it does; playback thread only
	giveUp int64 // driver clock time after which the signal plays even on an unsteady stream
	// cadence is a ring of the latest playback callbacks: the frames played
	// before each and the driver clock time; playback thread only.
	cadence  [64][2]int64
	nCadence int
	armedAt  atomic.Int64 // capture frame from which the signal can arrive; -1 until released
	captured []float32    // written by the capture thread
	filled   atomic.Int64 // frames in captured
	// handed holds, for playback callbacks that carried the chirp, the
	// driver clock time at which the signal's first frame was (or would
	// have been) handed over; playback thread until the streams stop.
	handed  [64]int64
	nHanded int
	// received is a ring of the latest capture callbacks: the frames
	// delivered so far and the driver clock time; capture thread until the
	// streams stop.
	received  [1024][2]int64
	nReceived int
}

func newCheckRecorder(sig checkSignal, frames, quiet int) *checkRecorder {
	c := &checkRecorder{sig: sig, quiet: quiet, start: -1, captured: make([]float32, frames)}
	c.armedAt.Store(-1)
	return c
}

func (c *checkRecorder) play(out []float32, frames int, at time.Duration) {
	c.cadence[c.nCadence%len(c.cadence)] = [2]int64{int64(c.played), int64(at)}
	c.nCadence++
	if c.start < 0 && c.armedAt.Load() >= 0 && (c.steady(int64(at)) || int64(at) >= c.giveUp) {
		c.start = c.played
	}
	st := c.start
	n := 0
	if st >= 0 && c.played-st < len(c.sig.samples) {
		n = copy(out, c.sig.samples[c.played-st:])
		// Only the callbacks that carry the chirp time it: a stream can
		// go on a later schedule partway through the signal (a short
		// underrun, its gap too short to count as broken up), and the
		// callbacks after that say nothing about when the chirp went out.
		if off := c.played - st; off < c.sig.chirpAt+len(c.sig.chirp) && off+frames > c.sig.chirpAt && c.nHanded < len(c.handed) {
			c.handed[c.nHanded] = int64(at) - c.frameTime(c.played-st)
			c.nHanded++
		}
	}
	clear(out[n:])
	c.played += frames
}

// steady reports whether the playback stream has taken sound at least
// steadyRate as fast as it plays over the last steadyWindow before the
// callback at now (the latest in cadence). The window starts at a callback,
// so a start-up burst filling the buffer counts only once it is a window old.
func (c *checkRecorder) steady(now int64) bool {
	last := c.nCadence - 1
	for i := last - 1; i >= max(0, c.nCadence-len(c.cadence)); i-- {
		then := c.cadence[i%len(c.cadence)]
		if span := now - then[1]; span >= int64(steadyWindow) {
			took := c.cadence[last%len(c.cadence)][0] - then[0]
			return float64(c.frameTime(int(took))) >= steadyRate*float64(span)
		}
	}
	return false
}

func (c *checkRecorder) capture(in []float32, frames int, at time.Duration) {
	n := int(c.filled.Load())
	n += copy(c.captured[n:], in)
	c.filled.Store(int64(n))
	c.received[c.nReceived%len(c.received)] = [2]int64{int64(n), int64(at)}
	c.nReceived++
	if n >= c.quiet && c.armedAt.Load() < 0 {
		c.armedAt.Store(int64(n))
	}
}

func (c *checkRecorder) frameTime(frames int) int64 {
	return int64(frames) * int64(time.Second) / int64(c.sig.rate)
}

// latency is the time from handing the chirp to the speaker to receiving it
// at capture frame at. Call it once the streams have stopped.
//
// Both ends are times on the driver's clock, read from the callbacks'
// times and frame counts, each of which says when the signal began (or
// would have begun) to be handed over or to arrive. A callback that runs late
// (a busy machine, a sound server batching) says it late. A capture callback
// never runs early, as its sound must exist first: the earliest of those
// that carried the chirp is the truest. A playback callback can also run
// early (a sound server takes the first buffers at once and refills in a
// burst after a stall): the earliest of the largest group that agree within
// a millisecond is the truest. (Medians of both let a busy machine, load 7-10
// on two cores, move one in five runs on one path by 5-25 ms, or leave it
// untimed.) Both ends are taken from the callbacks that carried the chirp:
// that keeps frames a busy client lost earlier out of the sum, and a stream
// that went on a later schedule after the chirp (a short underrun in the
// tone) out of its timing: with all the signal's playback callbacks, checks
// through a fixed 50 ms delay line read 5 or 10 ms short in 5 of 78 at a
// load of 16.
//
// Frames are taken to arrive evenly through a callback's block, as a sound
// card captures them. A PulseAudio null sink's monitor delivers whole 20 ms
// blocks, yet each stream's callbacks keep to one frame clock within 0.05 ms
// through a check (its time minus frames read). Checks on one null sink
// differ by up to 4 ms (19.96-23.98 ms over 17): that is the path's own
// delay, set when a stream starts, as PulseAudio rewinds the sink to play
// the new stream sooner; on a sink that does not rewind
// (module-null-sink norewinds=1) they agree within 0.3 ms.
func (c *checkRecorder) latency(at int) (time.Duration, bool) {
	received := int64(math.MaxInt64)
	for _, r := range c.received[:min(c.nReceived, len(c.received))] {
		if end := r[0]; end > int64(at) && end <= int64(at+len(c.sig.chirp)) {
			received = min(received, r[1]-c.frameTime(int(end)))
		}
	}
	if c.nHanded == 0 || received == math.MaxInt64 {
		return 0, false
	}
	handed := onTime(c.handed[:c.nHanded], int64(time.Millisecond))
	lat := time.Duration(received + c.frameTime(at) - handed - c.frameTime(c.sig.chirpAt))
	// Sound cannot come back before it was sent: callbacks that late are no clock.
	return lat, lat > 0
}

// onTime is the earliest of the largest group of ts within width of each
// other: the callbacks that kept to the stream's schedule.
func onTime(ts []int64, width int64) int64 {
	s := slices.Sorted(slices.Values(ts))
	best, most := s[0], 0
	for i := range s {
		j, _ := slices.BinarySearch(s, s[i]+width+1)
		if j-i > most {
			best, most = s[i], j-i
		}
	}
	return best
}

// heard reports whether the first n captured frames hold the whole signal.
// It was last asked at prev frames, so it looks only at what can hold a
// signal completed since.
func (c *checkRecorder) heard(prev, n int) bool {
	from := max(int(c.armedAt.Load()), prev-len(c.sig.samples)-c.sig.rate/5)
	at, match := locate(c.sig, c.captured[:n], from)
	return match >= minCorrelation && n >= at-c.sig.chirpAt+len(c.sig.samples)+c.sig.rate*int(checkMargin)/int(time.Second)
}

// progress is how far along the check is, 0..1, after n captured frames and
// elapsed time: waiting for the microphone, then recording the signal.
func (c *checkRecorder) progress(n int, elapsed time.Duration) float64 {
	const waiting = 0.25
	arm := int(c.armedAt.Load())
	if arm < 0 {
		return waiting * min(1, float64(elapsed)/float64(checkTimeout))
	}
	expect := len(c.sig.samples) + c.sig.rate/5 // the signal and a typical round trip
	return waiting + (1-waiting)*min(1, float64(n-arm)/float64(expect))
}

// CheckHeadset plays a known signal on the speaker while recording the
// microphone, and measures round-trip latency, level, noise floor and
// signal-to-noise. It takes under 3 seconds and blocks: call it from a
// goroutine. onProgress, if not nil, is called from the calling goroutine
// with how far along the check is, 0..1. A missing or lost device gives
// VerdictDeviceMissing, not an error; errors are for devices that fail to
// open, a closed System (ErrClosed) and a cancelled ctx (ctx.Err()).
func (s *System) CheckHeadset(ctx context.Context, speaker, mic Device, onProgress func(float64)) (CheckResult, error) {
	began := time.Now()
	res := CheckResult{Speaker: speaker, Microphone: mic}
	finish := func(r CheckResult, err error) (CheckResult, error) {
		r.Speaker, r.Microphone = speaker, mic
		r.Took = time.Since(began)
		return r, err
	}
	if speaker.Kind != Playback || mic.Kind != Capture {
		res.Verdict = VerdictDeviceMissing
		return finish(res, nil)
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	se, ctx, err := s.begin(ctx, mic, speaker)
	if errors.Is(err, ErrDeviceMissing) {
		res.Verdict = VerdictDeviceMissing
		return finish(res, nil)
	}
	if err != nil {
		return finish(res, err)
	}
	defer se.end()

	sig := newCheckSignal(streamRate)
	rec := newCheckRecorder(sig, int(checkTimeout.Seconds()*streamRate), int(checkQuiet.Seconds()*streamRate))
	rec.giveUp = int64(s.drv.now() + steadyGiveUp - time.Since(began))
	in, err := se.open(streamConfig{device: mic, sampleRate: sig.rate, channels: 1,
		data: func(_, in []float32, frames int, at time.Duration) { rec.capture(in, frames, at) }})
	if err != nil {
		return finish(res, err)
	}
	out, err := se.open(streamConfig{device: speaker, sampleRate: sig.rate, channels: 1,
		data: func(out, _ []float32, frames int, at time.Duration) { rec.play(out, frames, at) }})
	if err != nil {
		return finish(res, err)
	}
	res.MicRate, res.MicChannels = in.native()
	if err := se.start(in, out); err != nil {
		return finish(res, err)
	}

	poll := time.NewTicker(checkPoll)
	defer poll.Stop()
	var lost error
	tried, shown := 0, 0.0
wait:
	for {
		select {
		case lost = <-se.fail:
			break wait
		case <-ctx.Done():
			break wait
		case <-poll.C:
		}
		n := int(rec.filled.Load())
		// Shown before the checks that end the wait: a late tick (a busy
		// machine) still shows how far the check got.
		if p := rec.progress(n, time.Since(began)); onProgress != nil && p > shown {
			shown = p
			onProgress(p)
		}
		if n == len(rec.captured) {
			break wait // nothing more fits
		}
		arm := int(rec.armedAt.Load())
		// Until the deadline: a speaker can start well after the microphone.
		if arm >= 0 && n >= arm+len(sig.samples) {
			// Look again once another 50 ms has come in.
			if n-tried >= sig.rate/20 {
				if rec.heard(tried, n) {
					break wait
				}
				tried = n
			}
		}
	}
	se.end() // the audio threads are done with rec after this
	if lost != nil {
		res.Verdict = VerdictDeviceMissing
		return finish(res, nil)
	}
	if err := se.endErr(); err != nil {
		return finish(res, err)
	}
	if err := parent.Err(); err != nil {
		return finish(res, err)
	}
	from := int(rec.armedAt.Load())
	if from < 0 {
		from = int(rec.filled.Load()) // never armed: the signal was not played
	}
	r, at := analyzeCheck(sig, rec.captured[:rec.filled.Load()], from)
	if at >= 0 {
		if l, ok := rec.latency(at); ok {
			r.Latency = l
		}
	}
	r.MicRate, r.MicChannels = res.MicRate, res.MicChannels
	r.HandsFree = handsFree(r.MicRate, r.MicChannels)
	r.Verdict = judge(r)
	if onProgress != nil {
		onProgress(1)
	}
	return finish(r, nil)
}
