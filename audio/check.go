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
	// minLevelDBFS and minSNR: below either, the signal is too quiet.
	minLevelDBFS = -40.0
	minSNR       = 15.0
)

// CheckResult is what the headset check measured.
type CheckResult struct {
	Verdict    Verdict
	Speaker    Device
	Microphone Device
	// Detected: the test signal was found in the recording.
	Detected bool
	// Latency is the round trip from handing the signal to the speaker to
	// receiving it from the microphone. Zero unless Detected.
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
	// Took is how long the check ran, device opening included.
	Took time.Duration
}

// checkSignal is what the speaker plays: silence (the noise floor is measured
// while the speaker is quiet), a chirp (its sharp correlation peak gives the
// latency), a short gap, then a steady tone (its level is read with Goertzel,
// which ignores noise outside the tone's frequency).
type checkSignal struct {
	rate     int
	samples  []float32
	chirp    []float32
	chirpAt  int
	toneAt   int
	toneLen  int
	toneFreq float64
	maxLag   int // the longest round trip looked for, frames
}

const (
	checkAmp      = 0.5 // -6 dBFS peak: loud enough to hear, far from clipping
	checkToneFreq = 1000.0
	checkMaxLag   = 600 * time.Millisecond
	// checkTimeout bounds the whole check, opening devices included.
	checkTimeout = 2800 * time.Millisecond
	// checkFlow is how much audio both streams must have moved before the
	// signal starts; checkArmWait is how long to wait for that at most.
	checkFlow    = 50 * time.Millisecond
	checkArmWait = time.Second
	// Margins keep the level and noise windows clear of the fades and of
	// latency estimation error.
	checkMargin = 20 * time.Millisecond
)

func newCheckSignal(rate int) checkSignal {
	sec := func(s float64) int { return int(s * float64(rate)) }
	sig := checkSignal{rate: rate, toneFreq: checkToneFreq, maxLag: int(checkMaxLag.Seconds() * float64(rate))}
	// A telephone-band sweep: every headset reproduces it.
	sig.chirp = chirp(300, 3400, checkAmp, 0.2, rate)
	tone := tone(checkToneFreq, checkAmp, 0.4, rate)
	sig.chirpAt = sec(0.25)
	sig.toneAt = sig.chirpAt + len(sig.chirp) + sec(0.05)
	sig.toneLen = len(tone)
	sig.samples = make([]float32, sig.toneAt+sig.toneLen)
	copy(sig.samples[sig.chirpAt:], sig.chirp)
	copy(sig.samples[sig.toneAt:], tone)
	return sig
}

// analyzeCheck measures a recording of the check signal. offset is the index in
// captured where signal sample 0 would sit with zero latency (it may be negative).
// The verdict is left to judge.
func analyzeCheck(sig checkSignal, captured []float32, offset int) CheckResult {
	var r CheckResult
	warm := min(sig.rate*int(checkMargin)/int(time.Second), len(captured))
	margin := warm
	body := captured[warm:]
	lv := MeasureLevel(body, 1)
	r.Peak, r.Clipped = lv.Peak, lv.Clipped
	r.Level, r.NoiseFloor = lv.RMS, lv.RMS

	corr := xcorr(captured, sig.chirp)
	expect := offset + sig.chirpAt
	lo := max(expect-margin, 0)
	hi := min(expect+sig.maxLag, len(corr)-1)
	if lo > hi {
		return r
	}
	best := lo
	for k := lo; k <= hi; k++ {
		if math.Abs(corr[k]) > math.Abs(corr[best]) {
			best = k
		}
	}
	energy := rms(captured[best:best+len(sig.chirp)]) * rms(sig.chirp) * float64(len(sig.chirp))
	if energy > 0 {
		r.Correlation = math.Abs(corr[best]) / energy
	}
	if r.Correlation < minCorrelation {
		return r
	}
	r.Detected = true
	lag := best - expect
	r.Latency = time.Duration(lag) * time.Second / time.Duration(sig.rate)

	toneFrom := clampIndex(offset+sig.toneAt+lag+margin, len(captured))
	toneTo := clampIndex(offset+sig.toneAt+sig.toneLen+lag-margin, len(captured))
	if toneTo > toneFrom {
		r.Level = DBFS(toneLevel(captured[toneFrom:toneTo], sig.toneFreq, sig.rate) / math.Sqrt2)
	}
	// The noise floor: up to 200 ms just before the chirp arrived, in 20 ms pieces.
	noiseTo := clampIndex(best-margin, len(captured))
	noiseFrom := clampIndex(max(best-sig.rate/5, warm), len(captured))
	if noiseTo > noiseFrom {
		r.NoiseFloor = DBFS(medianOver(captured[noiseFrom:noiseTo], sig.rate/50, rms))
	}
	r.SNR = r.Level - r.NoiseFloor
	return r
}

func clampIndex(i, n int) int { return min(max(i, 0), n) }

// medianOver applies f to consecutive pieces of x and returns the median, so
// that a dropout (a busy machine, a Bluetooth hiccup) or a stray transient in
// part of x does not skew the measure. Short inputs are measured whole.
func medianOver(x []float32, piece int, f func([]float32) float64) float64 {
	if len(x) < 2*piece {
		return f(x)
	}
	var vs []float64
	for i := 0; i+piece <= len(x); i += piece {
		vs = append(vs, f(x[i:i+piece]))
	}
	slices.Sort(vs)
	return vs[len(vs)/2]
}

// toneLevel is the tone's amplitude in x, the median over 40 ms pieces.
func toneLevel(x []float32, freq float64, rate int) float64 {
	return medianOver(x, rate/25, func(p []float32) float64 { return goertzel(p, freq, rate) })
}

// judge turns measurements into a verdict. Silence is judged first (a muted
// microphone is the likeliest fault), then clipping (it also spoils detection).
func judge(r CheckResult) Verdict {
	switch {
	case r.Peak <= silenceDBFS:
		return VerdictNoSignal
	case r.Clipped:
		return VerdictClipping
	case !r.Detected:
		return VerdictNoSignal
	case r.Level < minLevelDBFS || r.SNR < minSNR:
		return VerdictTooQuiet
	}
	return VerdictOK
}

// checkRecorder is shared by the check's two audio threads and the goroutine
// waiting for them. The speaker plays silence until both streams flow (a
// Bluetooth headset or an idle sound server can take a while to start), then
// the signal. Each stream's time origin is estimated from its callbacks: a
// callback can come late but never early, so the smallest "callback time minus
// frames so far" is the best estimate of when frame 0 went out or came in.
type checkRecorder struct {
	sig      checkSignal
	played   int          // playback thread only
	playedN  atomic.Int64 // played, for the waiting goroutine
	armed    atomic.Bool  // set by the waiting goroutine: play the signal
	start    atomic.Int64 // playback frame the signal starts at; -1 until it does
	captured []float32    // written by the capture thread
	filled   atomic.Int64 // frames in captured
	p0, c0   atomic.Int64 // origins in driver-clock nanoseconds; math.MaxInt64 until known
}

func newCheckRecorder(sig checkSignal, frames int) *checkRecorder {
	c := &checkRecorder{sig: sig, captured: make([]float32, frames)}
	c.start.Store(-1)
	c.p0.Store(math.MaxInt64)
	c.c0.Store(math.MaxInt64)
	return c
}

func (c *checkRecorder) frameTime(frames int) int64 {
	return int64(frames) * int64(time.Second) / int64(c.sig.rate)
}

func (c *checkRecorder) play(out []float32, frames int, at time.Duration) {
	if t := int64(at) - c.frameTime(c.played); t < c.p0.Load() {
		c.p0.Store(t)
	}
	if c.start.Load() < 0 && c.armed.Load() {
		c.start.Store(int64(c.played))
	}
	n := 0
	if st := int(c.start.Load()); st >= 0 && c.played-st < len(c.sig.samples) {
		n = copy(out, c.sig.samples[c.played-st:])
	}
	clear(out[n:])
	c.played += frames
	c.playedN.Store(int64(c.played))
}

func (c *checkRecorder) capture(in []float32, frames int, at time.Duration) {
	n := int(c.filled.Load())
	if t := int64(at) - c.frameTime(n+frames); t < c.c0.Load() {
		c.c0.Store(t)
	}
	n += copy(c.captured[n:], in)
	c.filled.Store(int64(n))
}

// flowing: both streams have moved at least checkFlow of audio.
func (c *checkRecorder) flowing() bool {
	min := int64(checkFlow.Seconds() * float64(c.sig.rate))
	return c.filled.Load() >= min && c.playedN.Load() >= min
}

// offset is where signal sample 0 sits in the capture at zero latency.
func (c *checkRecorder) offset() (int, bool) {
	p0, c0, st := c.p0.Load(), c.c0.Load(), c.start.Load()
	if p0 == math.MaxInt64 || c0 == math.MaxInt64 || st < 0 {
		return 0, false
	}
	return int(st) + int(math.Round(float64(p0-c0)*float64(c.sig.rate)/float64(time.Second))), true
}

// complete: the capture covers the whole signal at the longest latency looked for.
func (c *checkRecorder) complete() bool {
	off, ok := c.offset()
	n := int(c.filled.Load())
	return n == len(c.captured) || ok && n >= off+len(c.sig.samples)+c.sig.maxLag
}

// CheckHeadset plays a known signal on the speaker while recording the
// microphone, and measures round-trip latency, level, noise floor and
// signal-to-noise. It takes under 3 seconds and blocks: call it from a
// goroutine. A missing or lost device gives VerdictDeviceMissing, not an error;
// errors are for devices that fail to open, a closed System (ErrClosed) and a
// cancelled ctx (ctx.Err()).
func (s *System) CheckHeadset(ctx context.Context, speaker, mic Device) (CheckResult, error) {
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
	// Room for waiting for the streams, the signal, the longest latency, and slack.
	rec := newCheckRecorder(sig, int((checkArmWait+checkMaxLag).Seconds()*streamRate)+len(sig.samples)+streamRate/2)
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
	if err := se.start(in, out); err != nil {
		return finish(res, err)
	}
	armBy := time.Now().Add(checkArmWait)

	poll := time.NewTicker(10 * time.Millisecond)
	defer poll.Stop()
	var lost error
wait:
	for !rec.complete() {
		select {
		case lost = <-se.fail:
			break wait
		case <-ctx.Done():
			break wait
		case <-poll.C:
		}
		if !rec.armed.Load() && (rec.flowing() || time.Now().After(armBy)) {
			rec.armed.Store(true)
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
	offset, _ := rec.offset()
	res = analyzeCheck(sig, rec.captured[:rec.filled.Load()], offset)
	res.Verdict = judge(res)
	return finish(res, nil)
}
