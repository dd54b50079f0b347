// Package audio picks, tests and watches the headset an agent uses for calls.
// It wraps miniaudio (malgo) and never imports Fyne.
//
// # System
//
// Open creates the process's one audio context (a second Open fails with
// ErrContextInUse until Close), enumerates devices and starts a watcher that
// polls every Options.PollInterval (1 s by default; miniaudio has no hot-plug
// event). Devices are Device values: Kind, Backend, hex ID, Name, Default.
//
// # Roles and preferences
//
// Three roles use devices: Microphone, Speaker and Ringer (an extra device that
// rings with the speaker). Prefs keeps a ranked []DeviceRef per role (backend,
// ID, name; JSON serialisable). Prefs.Prefer puts a chosen device first. Each
// role resolves to the first preference present, matched by backend and ID,
// then by name (IDs can change on replug), else to the system default with
// Selection.Fallback set; when a preferred device returns, the role returns to
// it. Resolve is the pure rule; System applies it on start, on SetPrefs and on
// every device change. State.RingDevices lists where a call rings.
//
// # Events
//
// Subscribe(fn) calls fn on a goroutine of its own with every Event (the full
// State plus Added, Removed and the Roles whose selection Changed); the first
// event carries the current state. A Fyne UI wraps its updates in fyne.Do.
//
// # Tests
//
// The session methods block until done, so call them from a goroutine and stop
// them by cancelling ctx (that is not an error):
//
//   - Play(ctx, clip, loop, devices...): the speaker test, TestTone() or the
//     ringtone (DecodeWAV(assets.Ringtone)), on one or several devices at once.
//   - MonitorInput(ctx, mic, onLevel): the live microphone level, 40 Levels a
//     second (RMS and peak in dBFS, clipping).
//   - Record(ctx, mic, d, onLevel): a few seconds to Play back.
//   - CheckHeadset(ctx, speaker, mic, onProgress): once the microphone
//     delivers sound, plays a chirp and a tone, finds the chirp in the
//     recording by correlation, and returns latency (from the callbacks'
//     clock and the chirp's sample position), level, noise floor, SNR, how
//     much of the signal went missing, the microphone's own format
//     (HandsFree when it is a Bluetooth hands-free one) and a Verdict (ok,
//     too quiet, noisy, clipping, broke up, no signal, device missing) in
//     under 3 seconds.
//     State.WithoutMicrophone names a Bluetooth headset in audio-only mode.
//
// A device that is missing, or vanishes mid-session, gives ErrDeviceMissing or
// ErrDeviceLost (the check reports VerdictDeviceMissing), never silence.
//
// A typical UI:
//
//	sys, err := audio.Open(audio.Options{Prefs: stored})
//	stop := sys.Subscribe(func(ev audio.Event) { fyne.Do(func() { page.show(ev.State) }) })
//	// on "Test microphone":
//	ctx, cancel := context.WithCancel(context.Background())
//	go func() {
//		err := sys.MonitorInput(ctx, sys.Snapshot().Selection(audio.Microphone).Device,
//			func(l audio.Level) { fyne.Do(func() { meter.Set(l) }) })
//		fyne.Do(func() { page.showErr(err) })
//	}()
//	// on "Stop": cancel()
package audio

//go:generate go run ./internal/gen -out ../assets/sounds/ringtone.wav
