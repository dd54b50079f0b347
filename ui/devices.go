package ui

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/audio"
	"github.com/phoneset/phoneset/ui/widgets"
)

// DevicesModel is what the devices page needs from the audio system;
// *audio.System satisfies it. Snapshot and SetPrefs only take a lock; the
// rest block on devices and run off the UI goroutine.
type DevicesModel interface {
	Snapshot() audio.State
	SetPrefs(audio.Prefs) audio.State
	// Subscribe calls fn from its own goroutine with every change, starting
	// with the current state.
	Subscribe(fn func(audio.Event)) (unsubscribe func())
	Play(ctx context.Context, clip audio.Clip, loop bool, devices ...audio.Device) error
	MonitorInput(ctx context.Context, mic audio.Device, onLevel func(audio.Level)) error
	Record(ctx context.Context, mic audio.Device, d time.Duration, onLevel func(audio.Level)) (audio.Clip, error)
	CheckHeadset(ctx context.Context, speaker, mic audio.Device, onProgress func(float64)) (audio.CheckResult, error)
}

// PrefsStore keeps the device preferences between runs. The audio system
// should be opened with what Load returns.
type PrefsStore interface {
	Load() audio.Prefs
	Save(audio.Prefs)
}

// micTestLength is how much the microphone test records before playing it
// back.
const micTestLength = 3 * time.Second

// checkTimeout bounds the headset check from the UI's side; the check
// itself ends in under 3 seconds.
const checkTimeout = 10 * time.Second

// rolePicker is one role's device choice and test button.
type rolePicker struct {
	role    audio.Role
	sel     *widget.Select
	test    *widget.Button
	notice  *widget.Label
	devices map[string]audio.Device // by option label
	stop    context.CancelFunc      // ends the running test, nil when none
}

// DevicesPage picks the microphone, speaker and ringer, tests them, shows
// the microphone's level and runs the headset check. Device changes (a
// headset plugged in or out) show up as they happen.
type DevicesPage struct {
	model    DevicesModel
	store    PrefsStore
	prefs    audio.Prefs
	ringtone audio.Clip
	state    audio.State
	pickers  []*rolePicker // indexed by audio.Role
	updating bool          // the pickers are being filled, not chosen from

	listProblem *widget.Label
	meter       *widgets.LevelMeter
	listen      *widget.Check
	micStatus   *widget.Label
	monitor     context.CancelFunc // the running level monitor
	monitorGen  int                // tells a stopped monitor's result from the current one's

	// The latest level, from the audio side, and whether a UI update is
	// already queued for it; showLevel is made once so that the 40 updates
	// a second allocate nothing.
	levelMu      sync.Mutex
	level        audio.Level
	levelFresh   bool
	levelPending atomic.Bool
	showLevel    func()

	check       *widget.Button
	checking    bool
	stopCheck   context.CancelFunc // ends the running check, nil when none
	cancelCheck *widget.Button
	progress    *widget.ProgressBar
	verdict     *widget.Label
	mode        *widget.Label // how the headset is connected, when that limits it
	problem     *widget.Label

	life        context.Context
	end         context.CancelFunc
	unsubscribe func()
	body        *fyne.Container
	scroll      *container.Scroll
	content     fyne.CanvasObject
}

// NewDevicesPage builds the page and starts following device changes until
// Close. The ringer test plays ringtone (the test tone if it is empty).
func NewDevicesPage(m DevicesModel, store PrefsStore, ringtone audio.Clip) *DevicesPage {
	p := &DevicesPage{model: m, store: store, prefs: store.Load(), ringtone: ringtone}
	if len(p.ringtone.Samples) == 0 {
		p.ringtone = audio.TestTone()
	}
	p.life, p.end = context.WithCancel(context.Background())
	p.showLevel = p.applyLevel

	hints := map[audio.Role]string{
		audio.Microphone: lang.L("Test records three seconds and plays them back on the speaker."),
		audio.Ringer:     lang.L("Rings together with the speaker, for example the laptop speakers while the headset is on the desk."),
	}
	var items []*widget.FormItem
	for _, r := range audio.Roles {
		pk := &rolePicker{role: r}
		pk.sel = widget.NewSelect(nil, func(label string) { p.choose(r, label) })
		pk.test = widget.NewButtonWithIcon(lang.L("Test"), theme.MediaPlayIcon(), func() { p.Test(r) })
		pk.notice = widget.NewLabel("")
		pk.notice.Importance = widget.WarningImportance
		pk.notice.Wrapping = fyne.TextWrapWord
		pk.notice.Hide()
		p.pickers = append(p.pickers, pk)
		item := widget.NewFormItem(roleLabel(r), container.NewVBox(container.NewBorder(nil, nil, nil, pk.test, pk.sel), pk.notice))
		item.HintText = hints[r]
		items = append(items, item)
	}
	form := widget.NewForm(items...)

	p.listProblem = widget.NewLabel("")
	p.listProblem.Importance = widget.DangerImportance
	p.listProblem.Wrapping = fyne.TextWrapWord
	p.listProblem.Hide()
	p.meter = widgets.NewLevelMeter()
	p.listen = widget.NewCheck(lang.L("Show the microphone level"), p.setListening)
	p.micStatus = widget.NewLabel("")
	p.micStatus.Hide()
	p.check = widget.NewButtonWithIcon(lang.L("Check headset"), theme.MediaRecordIcon(), p.CheckHeadset)
	p.check.Importance = widget.HighImportance
	p.cancelCheck = widget.NewButtonWithIcon(lang.L("Cancel"), theme.CancelIcon(), p.CancelCheck)
	p.cancelCheck.Hide()
	p.progress = widget.NewProgressBar()
	p.progress.TextFormatter = func() string { return lang.L("Checking…") }
	p.progress.Hide()
	p.verdict = widget.NewLabel("")
	p.verdict.Wrapping = fyne.TextWrapWord
	p.verdict.Hide()
	p.mode = widget.NewLabel("")
	p.mode.Importance = widget.WarningImportance
	p.mode.Wrapping = fyne.TextWrapWord
	p.mode.Hide()
	p.problem = widget.NewLabel("")
	p.problem.Importance = widget.DangerImportance
	p.problem.Wrapping = fyne.TextWrapWord
	p.problem.Hide()

	p.body = container.NewVBox(
		p.listProblem,
		widget.NewCard(lang.L("Devices"), lang.L("Phoneset remembers your choices and switches back when a device returns."), form),
		widget.NewCard(lang.L("Microphone level"), "", container.NewVBox(p.meter, p.listen, p.micStatus)),
		widget.NewCard(lang.L("Headset check"), lang.L("Plays a short sound on the speaker and listens with the microphone."),
			container.NewVBox(container.NewBorder(nil, nil, p.check, p.cancelCheck, p.progress), p.verdict, p.mode)),
		p.problem,
	)
	p.scroll = container.NewVScroll(p.body)
	p.content = p.scroll
	p.apply(m.Snapshot())
	p.unsubscribe = m.Subscribe(func(ev audio.Event) {
		fyne.Do(func() {
			if p.life.Err() == nil {
				p.apply(ev.State)
			}
		})
	})
	return p
}

func roleLabel(r audio.Role) string {
	switch r {
	case audio.Microphone:
		return lang.L("Microphone")
	case audio.Speaker:
		return lang.L("Speaker")
	}
	return lang.L("Ringer")
}

// Content is the page's canvas object.
func (p *DevicesPage) Content() fyne.CanvasObject { return p.content }

// Focus puts keyboard focus on the microphone picker.
func (p *DevicesPage) Focus(c fyne.Canvas) { c.Focus(p.pickers[audio.Microphone].sel) }

// Refresh shows the devices as the audio system last saw them.
func (p *DevicesPage) Refresh() { p.apply(p.model.Snapshot()) }

// Close stops tests, the level monitor and following device changes.
func (p *DevicesPage) Close() {
	p.end()
	if p.unsubscribe != nil {
		p.unsubscribe()
		p.unsubscribe = nil
	}
}

// apply shows a state of the audio system.
func (p *DevicesPage) apply(st audio.State) {
	oldMic := p.state.Selection(audio.Microphone)
	p.state = st
	p.updating = true
	for _, pk := range p.pickers {
		p.fill(pk)
	}
	p.updating = false
	if st.Err != nil {
		p.listProblem.SetText(lang.L("Can't list the audio devices: {{.Error}}", map[string]any{"Error": st.Err.Error()}))
		p.listProblem.Show()
	} else {
		p.listProblem.Hide()
	}
	if mic := st.Selection(audio.Microphone); p.monitor != nil && mic != oldMic {
		// Follow the microphone to the device now in use.
		p.startMonitor()
	}
	p.updateControls()
}

// relayout fits the page around notices shown or hidden.
func (p *DevicesPage) relayout() {
	p.scroll.Refresh()
	p.body.Refresh()
}

// fill lists the devices of the picker's kind and shows the one in use,
// saying so when it is a fallback for a preferred device that is away.
func (p *DevicesPage) fill(pk *rolePicker) {
	sel := p.state.Selection(pk.role)
	devs := p.state.OfKind(pk.role.Kind())
	pk.devices = make(map[string]audio.Device, len(devs))
	options := make([]string, 0, len(devs))
	current := ""
	for _, d := range devs {
		label := d.Name
		if d.Default {
			label = lang.L("{{.Name}} (system default)", map[string]any{"Name": d.Name})
		}
		// Two devices of one name (two identical headsets) stay apart.
		for n := 2; pk.devices[label] != (audio.Device{}); n++ {
			label = fmt.Sprintf("%s (%d)", d.Name, n)
		}
		pk.devices[label] = d
		options = append(options, label)
		if !sel.Missing && d == sel.Device {
			current = label
		}
	}
	pk.sel.Options = options
	if current == "" {
		pk.sel.PlaceHolder = lang.L("No device found")
		pk.sel.ClearSelected()
	} else {
		pk.sel.SetSelected(current)
	}
	pk.sel.Refresh()

	preferred := p.prefs.For(pk.role)
	switch {
	case sel.Missing:
		pk.notice.SetText(lang.L("No device of this kind is connected."))
		pk.notice.Show()
	case sel.Fallback && len(preferred) > 0:
		pk.notice.SetText(lang.L("{{.Preferred}} isn't connected, so {{.Current}} is used until it's back.",
			map[string]any{"Preferred": preferred[0].Name, "Current": sel.Device.Name}))
		pk.notice.Show()
	default:
		pk.notice.Hide()
	}
}

func (p *DevicesPage) updateControls() {
	micBusy := p.checking || p.pickers[audio.Microphone].stop != nil
	for _, pk := range p.pickers {
		present := !p.state.Selection(pk.role).Missing
		setSelectEnabled(pk.sel, len(pk.sel.Options) > 0)
		running := pk.stop != nil
		setEnabled(pk.test, running || present && !p.checking)
		if running {
			pk.test.SetText(lang.L("Stop"))
			pk.test.SetIcon(theme.MediaStopIcon())
		} else {
			pk.test.SetText(lang.L("Test"))
			pk.test.SetIcon(theme.MediaPlayIcon())
		}
	}
	ready := !p.state.Selection(audio.Speaker).Missing && !p.state.Selection(audio.Microphone).Missing
	setEnabled(p.check, ready && !micBusy)
	p.relayout()
}

func setSelectEnabled(s *widget.Select, on bool) {
	if on {
		s.Enable()
	} else {
		s.Disable()
	}
}

// choose makes the picked device the role's first preference, remembers
// it and switches to it.
func (p *DevicesPage) choose(r audio.Role, label string) {
	if p.updating {
		return
	}
	d, ok := p.pickers[r].devices[label]
	if !ok {
		return
	}
	p.prefs = p.prefs.Prefer(r, d)
	prefs := p.prefs
	async(func() (audio.State, error) {
		p.store.Save(prefs)
		return p.model.SetPrefs(prefs), nil
	}, func(st audio.State, _ error) { p.apply(st) })
}

// Test plays the test tone on the speaker, the ringtone on the ringer, or
// records the microphone and plays it back; while it runs, the button
// stops it.
func (p *DevicesPage) Test(r audio.Role) {
	pk := p.pickers[r]
	if pk.stop != nil {
		pk.stop()
		return
	}
	sel := p.state.Selection(r)
	if sel.Missing || p.checking {
		return
	}
	ctx, cancel := context.WithCancel(p.life)
	pk.stop = cancel
	p.problem.Hide()
	var work func() error
	switch r {
	case audio.Microphone:
		speaker := p.state.Selection(audio.Speaker).Device
		p.pauseMonitor()
		p.setMicStatus(lang.L("Recording: say something…"))
		work = func() error {
			clip, err := p.model.Record(ctx, sel.Device, micTestLength, p.onLevel)
			if err != nil || ctx.Err() != nil {
				return err
			}
			fyne.Do(func() { p.setMicStatus(lang.L("Playing back…")) })
			return p.model.Play(ctx, clip, false, speaker)
		}
	case audio.Speaker:
		work = func() error { return p.model.Play(ctx, audio.TestTone(), false, sel.Device) }
	default:
		work = func() error { return p.model.Play(ctx, p.ringtone, false, sel.Device) }
	}
	p.updateControls()
	async(func() (struct{}, error) { return struct{}{}, work() }, func(_ struct{}, err error) {
		cancel()
		pk.stop = nil
		if r == audio.Microphone {
			p.setMicStatus("")
			p.resumeMonitor()
		}
		if err != nil && p.life.Err() == nil {
			p.showProblem(describeAudio(err))
		}
		p.updateControls()
	})
}

func (p *DevicesPage) setMicStatus(s string) {
	p.micStatus.SetText(s)
	p.micStatus.Hidden = s == ""
	p.micStatus.Refresh()
	p.relayout()
}

// setListening is the level check box.
func (p *DevicesPage) setListening(on bool) {
	if on {
		p.resumeMonitor()
	} else {
		p.pauseMonitor()
	}
}

// resumeMonitor starts the level monitor if it is wanted and the
// microphone is free.
func (p *DevicesPage) resumeMonitor() {
	if p.listen.Checked && p.monitor == nil && !p.checking && p.pickers[audio.Microphone].stop == nil {
		p.startMonitor()
	}
}

func (p *DevicesPage) pauseMonitor() {
	if p.monitor != nil {
		p.monitor()
		p.monitor = nil
		p.monitorGen++
	}
	p.meter.Reset()
}

func (p *DevicesPage) startMonitor() {
	p.pauseMonitor()
	mic := p.state.Selection(audio.Microphone)
	if mic.Missing {
		return
	}
	ctx, cancel := context.WithCancel(p.life)
	p.monitor = cancel
	gen := p.monitorGen
	async(func() (struct{}, error) {
		return struct{}{}, p.model.MonitorInput(ctx, mic.Device, p.onLevel)
	}, func(_ struct{}, err error) {
		cancel()
		if gen != p.monitorGen {
			return // stopped or replaced meanwhile
		}
		p.monitor = nil
		p.meter.Reset()
		if err != nil && p.life.Err() == nil {
			p.showProblem(describeAudio(err))
			p.listen.SetChecked(false)
		}
	})
}

// onLevel receives levels on an audio goroutine. Levels arriving faster
// than the UI draws are merged: the latest RMS, the highest peak, any clip.
func (p *DevicesPage) onLevel(l audio.Level) {
	p.levelMu.Lock()
	if p.levelFresh {
		l.Peak = max(l.Peak, p.level.Peak)
		l.Clipped = l.Clipped || p.level.Clipped
	}
	p.level, p.levelFresh = l, true
	p.levelMu.Unlock()
	if !p.levelPending.Swap(true) {
		fyne.Do(p.showLevel)
	}
}

func (p *DevicesPage) applyLevel() {
	p.levelMu.Lock()
	l, fresh := p.level, p.levelFresh
	p.levelFresh = false
	p.levelPending.Store(false)
	p.levelMu.Unlock()
	metering := p.monitor != nil || p.pickers[audio.Microphone].stop != nil
	if fresh && metering {
		p.meter.SetLevel(l.RMS, l.Peak, l.Clipped)
	}
}

// CheckHeadset plays a test signal on the speaker while recording the
// microphone, showing its progress, and says what it found. While it runs
// the button cannot start another; CancelCheck ends it.
func (p *DevicesPage) CheckHeadset() {
	speaker, mic := p.state.Selection(audio.Speaker), p.state.Selection(audio.Microphone)
	if p.checking || speaker.Missing || mic.Missing {
		return
	}
	p.pauseMonitor()
	p.checking = true
	ctx, cancel := context.WithTimeout(p.life, checkTimeout)
	p.stopCheck = cancel
	p.problem.Hide()
	p.verdict.Hide()
	p.mode.Hide()
	p.progress.SetValue(0)
	p.progress.Show()
	p.cancelCheck.Show()
	p.updateControls()
	async(func() (audio.CheckResult, error) {
		defer cancel()
		return p.model.CheckHeadset(ctx, speaker.Device, mic.Device, func(v float64) {
			fyne.Do(func() {
				if p.checking {
					p.progress.SetValue(v)
				}
			})
		})
	}, func(res audio.CheckResult, err error) {
		logHeadsetCheck(res, err)
		p.checking = false
		p.stopCheck = nil
		p.progress.Hide()
		p.cancelCheck.Hide()
		switch {
		case errors.Is(err, context.Canceled):
			// Cancelled by the user or by closing the page: nothing to say.
		case err != nil:
			if p.life.Err() == nil {
				p.showProblem(describeAudio(err))
			}
		default:
			text, imp := describeVerdict(res)
			p.verdict.Importance = imp
			p.verdict.SetText(text)
			p.verdict.Show()
			if m := describeMode(res, p.state); m != "" {
				p.mode.SetText(m)
				p.mode.Show()
			}
		}
		p.resumeMonitor()
		p.updateControls()
	})
}

// CancelCheck ends the running headset check, if any.
func (p *DevicesPage) CancelCheck() {
	if p.stopCheck != nil {
		p.stopCheck()
	}
}

// describeVerdict turns the headset check into advice.
func describeVerdict(r audio.CheckResult) (string, widget.Importance) {
	switch r.Verdict {
	case audio.VerdictOK:
		args := map[string]any{
			"Latency": r.Latency.Milliseconds(),
			"Level":   fmt.Sprintf("%.0f", r.Level),
			"SNR":     fmt.Sprintf("%.0f", r.SNR),
		}
		if r.Latency <= 0 { // not timed
			return lang.L("Your headset works. The sound came back at {{.Level}} dBFS, {{.SNR}} dB above the background noise.", args), widget.SuccessImportance
		}
		return lang.L("Your headset works. The sound came back in {{.Latency}} ms at {{.Level}} dBFS, {{.SNR}} dB above the background noise.", args), widget.SuccessImportance
	case audio.VerdictTooQuiet:
		return lang.L("The microphone is too quiet. Move it closer to your mouth or raise its input volume."), widget.WarningImportance
	case audio.VerdictNoisy:
		return lang.L("The microphone hears a lot of background noise: the test sound was only {{.SNR}} dB above it. Move somewhere quieter, or use a headset with a noise-cancelling microphone.",
			map[string]any{"SNR": fmt.Sprintf("%.0f", r.SNR)}), widget.WarningImportance
	case audio.VerdictClipping:
		return lang.L("The microphone is too loud and distorts. Lower its input volume."), widget.WarningImportance
	case audio.VerdictBrokeUp:
		return lang.L("The sound broke up during the check. Close programs you don't need and, with a wireless headset, check its Bluetooth connection and stay close to the computer. Then try again."), widget.WarningImportance
	case audio.VerdictDeviceMissing:
		return lang.L("The speaker or the microphone is no longer connected."), widget.DangerImportance
	}
	return lang.L("The microphone didn't hear the test sound. Check that it isn't muted and that the headset is plugged in and worn."), widget.DangerImportance
}

// describeMode names a Bluetooth headset's mode when it limits calls: a
// hands-free microphone (phone-quality sound both ways) or an audio-only
// connection without the microphone.
func describeMode(r audio.CheckResult, st audio.State) string {
	switch {
	case st.WithoutMicrophone(r.Speaker):
		return lang.L("{{.Name}} is connected without its microphone (Bluetooth audio-only mode, A2DP). To talk through it, switch it to hands-free mode (HFP) in your computer's Bluetooth or sound settings, or choose another microphone.",
			map[string]any{"Name": r.Speaker.Name})
	case r.HandsFree:
		return lang.L("The microphone is in Bluetooth hands-free mode (HFP/HSP): it records at {{.Rate}} kHz, and the headset's speaker also drops to phone quality while it is in use. Calls work, but sound better through the headset's USB adapter or a wired headset.",
			map[string]any{"Rate": fmt.Sprintf("%g", float64(r.MicRate)/1000)})
	}
	return ""
}

// describeAudio says what went wrong with a device.
func describeAudio(err error) string {
	switch {
	case errors.Is(err, audio.ErrDeviceMissing):
		return lang.L("That device is no longer connected.")
	case errors.Is(err, audio.ErrDeviceLost):
		return lang.L("The device stopped working while in use. Check that it is still plugged in.")
	}
	return describe(err)
}

func (p *DevicesPage) showProblem(msg string) {
	p.problem.SetText(msg)
	p.problem.Show()
	p.relayout()
}
