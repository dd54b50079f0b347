package ui

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/audio"
)

// fakeAudio stands in for *audio.System: it resolves roles with audio's
// own rules over a device list the test sets, and records what it is asked.
type fakeAudio struct {
	devices []audio.Device
	prefs   audio.Prefs
	err     error // enumeration error in the state

	subs          map[int]func(audio.Event)
	nextSub       int
	setPrefs      []audio.Prefs
	plays         []played
	playErr       error
	monitored     []audio.Device
	levels        []audio.Level // what MonitorInput and Record report
	whileMetered  func()        // runs inside MonitorInput, after the levels
	recorded      []audio.Device
	recording     audio.Clip
	checked       [][2]audio.Device
	result        audio.CheckResult
	checkErr      error
	progress      []float64 // what CheckHeadset reports before it returns
	afterProgress func()    // runs after each progress report
}

type played struct {
	clip    audio.Clip
	devices []audio.Device
}

var (
	laptopMic     = audio.Device{Kind: audio.Capture, Backend: "pulseaudio", ID: "6d6963", Name: "Built-in Microphone", Default: true}
	headsetMic    = audio.Device{Kind: audio.Capture, Backend: "pulseaudio", ID: "68736d", Name: "Jabra Evolve2 65 Mono"}
	laptopSpeaker = audio.Device{Kind: audio.Playback, Backend: "pulseaudio", ID: "73706b", Name: "Built-in Speakers", Default: true}
	headset       = audio.Device{Kind: audio.Playback, Backend: "pulseaudio", ID: "687370", Name: "Jabra Evolve2 65 Stereo"}
	dock          = audio.Device{Kind: audio.Playback, Backend: "pulseaudio", ID: "646f63", Name: "USB Dock Audio"}
)

func newFakeAudio(devices ...audio.Device) *fakeAudio {
	return &fakeAudio{devices: devices, subs: map[int]func(audio.Event){}}
}

func (f *fakeAudio) Snapshot() audio.State {
	st := audio.State{Backend: "pulseaudio", Devices: f.devices, Err: f.err}
	for _, r := range audio.Roles {
		st.Selections = append(st.Selections, audio.Resolve(r, f.prefs.For(r), f.devices))
	}
	return st
}

func (f *fakeAudio) SetPrefs(p audio.Prefs) audio.State {
	f.setPrefs = append(f.setPrefs, p)
	f.prefs = p
	return f.Snapshot()
}

func (f *fakeAudio) Subscribe(fn func(audio.Event)) func() {
	id := f.nextSub
	f.nextSub++
	f.subs[id] = fn
	fn(audio.Event{State: f.Snapshot()})
	return func() { delete(f.subs, id) }
}

// plug changes the devices and tells subscribers from another goroutine,
// as the watcher does.
func (f *fakeAudio) plug(devices ...audio.Device) {
	f.devices = devices
	ev := audio.Event{State: f.Snapshot()}
	done := make(chan struct{})
	go func() {
		for _, fn := range f.subs {
			fn(ev)
		}
		close(done)
	}()
	<-done
}

func (f *fakeAudio) Play(_ context.Context, clip audio.Clip, _ bool, devices ...audio.Device) error {
	f.plays = append(f.plays, played{clip, devices})
	return f.playErr
}

func (f *fakeAudio) MonitorInput(_ context.Context, mic audio.Device, onLevel func(audio.Level)) error {
	f.monitored = append(f.monitored, mic)
	for _, l := range f.levels {
		onLevel(l)
	}
	if f.whileMetered != nil {
		f.whileMetered()
	}
	return nil
}

func (f *fakeAudio) Record(_ context.Context, mic audio.Device, _ time.Duration, onLevel func(audio.Level)) (audio.Clip, error) {
	f.recorded = append(f.recorded, mic)
	for _, l := range f.levels {
		onLevel(l)
	}
	return f.recording, nil
}

func (f *fakeAudio) CheckHeadset(ctx context.Context, speaker, mic audio.Device, onProgress func(float64)) (audio.CheckResult, error) {
	f.checked = append(f.checked, [2]audio.Device{speaker, mic})
	for _, v := range f.progress {
		onProgress(v)
		if f.afterProgress != nil {
			f.afterProgress()
		}
	}
	if err := ctx.Err(); err != nil {
		return audio.CheckResult{}, err
	}
	r := f.result
	r.Speaker, r.Microphone = speaker, mic
	return r, f.checkErr
}

// memPrefs is a PrefsStore in memory.
type memPrefs struct {
	prefs audio.Prefs
	saved []audio.Prefs
}

func (m *memPrefs) Load() audio.Prefs  { return m.prefs }
func (m *memPrefs) Save(p audio.Prefs) { m.saved = append(m.saved, p); m.prefs = p }

// showDevicesPage shows the page for a system whose preferences come from
// the store, as the app opens it.
func showDevicesPage(t *testing.T, f *fakeAudio, store *memPrefs) (*DevicesPage, fyne.Window) {
	t.Helper()
	setup(t)
	f.prefs = store.Load()
	p := NewDevicesPage(f, store, audio.Clip{})
	t.Cleanup(p.Close)
	w := show(t, p.Content())
	return p, w
}

func TestDevicesPageRenders(t *testing.T) {
	f := newFakeAudio(laptopMic, headsetMic, laptopSpeaker, dock)
	// The preferred headset is unplugged: the speaker falls back.
	store := &memPrefs{prefs: audio.Prefs{Speaker: []audio.DeviceRef{headset.Ref()}}}
	_, w := showDevicesPage(t, f, store)
	assertGolden(t, "devices.xml", w.Canvas())
}

func TestDevicesChoosingSavesPreference(t *testing.T) {
	tests := []struct {
		role   audio.Role
		device audio.Device
		label  string
	}{
		{audio.Microphone, headsetMic, "Jabra Evolve2 65 Mono"},
		{audio.Speaker, headset, "Jabra Evolve2 65 Stereo"},
		{audio.Ringer, laptopSpeaker, "Built-in Speakers (system default)"},
	}
	for _, tt := range tests {
		t.Run(tt.role.String(), func(t *testing.T) {
			f := newFakeAudio(laptopMic, headsetMic, laptopSpeaker, headset)
			earlier := audio.Prefs{Ringer: []audio.DeviceRef{dock.Ref()}, Speaker: []audio.DeviceRef{dock.Ref()}}
			store := &memPrefs{prefs: earlier}
			p, _ := showDevicesPage(t, f, store)
			pk := p.pickers[tt.role]
			if !slices.Contains(pk.sel.Options, tt.label) {
				t.Fatalf("options %q lack %q", pk.sel.Options, tt.label)
			}
			pk.sel.SetSelected(tt.label)

			want := earlier.Prefer(tt.role, tt.device)
			if len(store.saved) != 1 || fmt.Sprint(store.saved[0]) != fmt.Sprint(want) {
				t.Fatalf("saved %+v, want %+v", store.saved, want)
			}
			if len(f.setPrefs) != 1 || fmt.Sprint(f.setPrefs[0]) != fmt.Sprint(want) {
				t.Errorf("system given %+v", f.setPrefs)
			}
			if sel := p.state.Selection(tt.role); sel.Device != tt.device || sel.Fallback {
				t.Errorf("%v uses %+v", tt.role, sel)
			}
			if pk.sel.Selected != tt.label || pk.notice.Visible() {
				t.Errorf("picker shows %q, notice %q", pk.sel.Selected, pk.notice.Text)
			}
		})
	}
}

func TestDevicesFollowHotPlug(t *testing.T) {
	f := newFakeAudio(laptopMic, laptopSpeaker)
	store := &memPrefs{prefs: audio.Prefs{Speaker: []audio.DeviceRef{headset.Ref()}, Microphone: []audio.DeviceRef{headsetMic.Ref()}}}
	p, _ := showDevicesPage(t, f, store)
	spk := p.pickers[audio.Speaker]
	if want := "Jabra Evolve2 65 Stereo isn't connected, so Built-in Speakers is used until it's back."; !spk.notice.Visible() || spk.notice.Text != want {
		t.Errorf("fallback notice %q, want %q", spk.notice.Text, want)
	}

	f.plug(laptopMic, headsetMic, laptopSpeaker, headset)
	if spk.sel.Selected != "Jabra Evolve2 65 Stereo" || spk.notice.Visible() {
		t.Errorf("after plugging in: speaker %q, notice visible %v", spk.sel.Selected, spk.notice.Visible())
	}
	if got := p.pickers[audio.Microphone].sel.Selected; got != "Jabra Evolve2 65 Mono" {
		t.Errorf("microphone %q after plugging in", got)
	}
	if len(store.saved) != 0 {
		t.Error("a hot-plug changed the stored preferences")
	}

	f.plug()
	for _, pk := range p.pickers {
		if !pk.sel.Disabled() || !pk.test.Disabled() || pk.notice.Text != "No device of this kind is connected." {
			t.Errorf("%v with no devices: select disabled %v, test disabled %v, notice %q",
				pk.role, pk.sel.Disabled(), pk.test.Disabled(), pk.notice.Text)
		}
	}
	if !p.check.Disabled() {
		t.Error("headset check enabled without devices")
	}

	p.Close()
	f.plug(laptopMic, laptopSpeaker)
	if len(f.subs) != 0 || len(spk.sel.Options) != 0 {
		t.Error("page still follows the system after Close")
	}
}

func TestDevicesTestButtons(t *testing.T) {
	clip := audio.Clip{SampleRate: 48000, Channels: 1, Samples: []float32{0.1, -0.1}}
	tests := []struct {
		role         audio.Role
		wantRecorded []audio.Device
		wantClip     audio.Clip
		wantOn       audio.Device
	}{
		{audio.Speaker, nil, audio.TestTone(), headset},
		{audio.Ringer, nil, audio.TestTone(), laptopSpeaker},
		{audio.Microphone, []audio.Device{headsetMic}, clip, headset},
	}
	for _, tt := range tests {
		t.Run(tt.role.String(), func(t *testing.T) {
			f := newFakeAudio(laptopMic, headsetMic, laptopSpeaker, headset)
			f.recording = clip
			store := &memPrefs{prefs: audio.Prefs{Speaker: []audio.DeviceRef{headset.Ref()}, Microphone: []audio.DeviceRef{headsetMic.Ref()}}}
			p, _ := showDevicesPage(t, f, store)
			test.Tap(p.pickers[tt.role].test)
			if !slices.Equal(f.recorded, tt.wantRecorded) {
				t.Errorf("recorded %v, want %v", f.recorded, tt.wantRecorded)
			}
			if len(f.plays) != 1 || !slices.Equal(f.plays[0].devices, []audio.Device{tt.wantOn}) ||
				!slices.Equal(f.plays[0].clip.Samples, tt.wantClip.Samples) {
				t.Fatalf("plays %d, want the clip once on %s", len(f.plays), tt.wantOn.Name)
			}
			for _, pk := range p.pickers {
				if pk.stop != nil || pk.test.Text != "Test" {
					t.Errorf("%v test still running: %q", pk.role, pk.test.Text)
				}
			}
			if p.micStatus.Visible() {
				t.Errorf("status %q left after the test", p.micStatus.Text)
			}
		})
	}
}

func TestDevicesTestFails(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{fmt.Errorf("%w: playback %q", audio.ErrDeviceMissing, "Built-in Speakers"), "That device is no longer connected."},
		{fmt.Errorf("%w: playback %q", audio.ErrDeviceLost, "Built-in Speakers"), "The device stopped working while in use. Check that it is still plugged in."},
		{errors.New("ma_device_init failed"), "ma_device_init failed"},
	}
	for _, tt := range tests {
		f := newFakeAudio(laptopMic, laptopSpeaker)
		f.playErr = tt.err
		p, _ := showDevicesPage(t, f, &memPrefs{})
		test.Tap(p.pickers[audio.Speaker].test)
		if !p.problem.Visible() || p.problem.Text != tt.want {
			t.Errorf("problem %q, want %q", p.problem.Text, tt.want)
		}
	}
}

func TestDevicesLevelMeter(t *testing.T) {
	f := newFakeAudio(laptopMic, headsetMic, laptopSpeaker)
	f.levels = []audio.Level{{RMS: -30, Peak: -12}, {RMS: -24, Peak: -18}}
	store := &memPrefs{prefs: audio.Prefs{Microphone: []audio.DeviceRef{headsetMic.Ref()}}}
	p, _ := showDevicesPage(t, f, store)
	var rms, hold float64
	f.whileMetered = func() { rms, hold = p.meter.Reading() }
	test.Tap(p.listen)
	if !slices.Equal(f.monitored, []audio.Device{headsetMic}) {
		t.Fatalf("monitored %v", f.monitored)
	}
	if rms != -24 || hold != -12 {
		t.Errorf("meter showed %v dBFS with peak %v while monitoring, want -24 and -12", rms, hold)
	}
	// The monitor ended (the fake returns at once): the meter empties.
	if rms, _ := p.meter.Reading(); rms > -60 {
		t.Errorf("meter reads %v after the monitor ended", rms)
	}
}

func TestDevicesLevelsMergeWhileTheUIIsBusy(t *testing.T) {
	f := newFakeAudio(laptopMic, laptopSpeaker)
	p, _ := showDevicesPage(t, f, &memPrefs{})
	p.monitor = func() {} // as if monitoring
	p.levelPending.Store(true)
	p.onLevel(audio.Level{RMS: -20, Peak: -3, Clipped: true})
	p.onLevel(audio.Level{RMS: -40, Peak: -30})
	if rms, _ := p.meter.Reading(); rms != -60 {
		t.Fatal("a level was drawn while an update was pending")
	}
	p.applyLevel()
	rms, hold := p.meter.Reading()
	if rms != -40 || hold != -3 || !p.meter.Clipping() {
		t.Errorf("merged reading %v / %v / clip %v, want the latest RMS, the highest peak and the clip", rms, hold, p.meter.Clipping())
	}
	allocs := testing.AllocsPerRun(100, func() { p.onLevel(audio.Level{RMS: -25, Peak: -10}) })
	if allocs != 0 {
		t.Errorf("a level update allocates %v times", allocs)
	}
}

func TestDevicesMonitorFollowsTheMicrophone(t *testing.T) {
	f := newFakeAudio(laptopMic, laptopSpeaker)
	p, _ := showDevicesPage(t, f, &memPrefs{})
	// Hold background work, so the monitor keeps running until released.
	var held []func()
	goAsync = func(fn func()) { held = append(held, fn) }
	test.Tap(p.listen)
	f.prefs = audio.Prefs{Microphone: []audio.DeviceRef{headsetMic.Ref()}}
	f.plug(laptopMic, headsetMic, laptopSpeaker)
	for _, fn := range held {
		fn()
	}
	if !slices.Equal(f.monitored, []audio.Device{laptopMic, headsetMic}) {
		t.Errorf("monitored %v, want the laptop microphone then the headset", f.monitored)
	}
}

func TestDevicesHeadsetCheck(t *testing.T) {
	tests := []struct {
		name   string
		result audio.CheckResult
		err    error
		want   string
		imp    widget.Importance
	}{
		{"ok", audio.CheckResult{Verdict: audio.VerdictOK, Latency: 84 * time.Millisecond, Level: -21.6, SNR: 38.2},
			nil, "Your headset works. The sound came back in 84 ms at -22 dBFS, 38 dB above the background noise.", widget.SuccessImportance},
		{"ok, latency not timed", audio.CheckResult{Verdict: audio.VerdictOK, Level: -21.6, SNR: 38.2},
			nil, "Your headset works. The sound came back at -22 dBFS, 38 dB above the background noise.", widget.SuccessImportance},
		{"quiet", audio.CheckResult{Verdict: audio.VerdictTooQuiet}, nil,
			"The microphone is too quiet. Move it closer to your mouth or raise its input volume.", widget.WarningImportance},
		{"noisy", audio.CheckResult{Verdict: audio.VerdictNoisy, SNR: 11.6}, nil,
			"The microphone hears a lot of background noise: the test sound was only 12 dB above it. Move somewhere quieter, or use a headset with a noise-cancelling microphone.", widget.WarningImportance},
		{"clipping", audio.CheckResult{Verdict: audio.VerdictClipping}, nil,
			"The microphone is too loud and distorts. Lower its input volume.", widget.WarningImportance},
		{"broke up", audio.CheckResult{Verdict: audio.VerdictBrokeUp}, nil,
			"The sound broke up during the check. Close programs you don't need and, with a wireless headset, check its Bluetooth connection and stay close to the computer. Then try again.", widget.WarningImportance},
		{"no signal", audio.CheckResult{Verdict: audio.VerdictNoSignal}, nil,
			"The microphone didn't hear the test sound. Check that it isn't muted and that the headset is plugged in and worn.", widget.DangerImportance},
		{"unplugged", audio.CheckResult{Verdict: audio.VerdictDeviceMissing}, nil,
			"The speaker or the microphone is no longer connected.", widget.DangerImportance},
		{"device fails to open", audio.CheckResult{}, errors.New("device busy"), "device busy", widget.DangerImportance},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAudio(laptopMic, headsetMic, laptopSpeaker, headset)
			f.result, f.checkErr = tt.result, tt.err
			store := &memPrefs{prefs: audio.Prefs{Speaker: []audio.DeviceRef{headset.Ref()}, Microphone: []audio.DeviceRef{headsetMic.Ref()}}}
			p, _ := showDevicesPage(t, f, store)
			test.Tap(p.check)
			if len(f.checked) != 1 || f.checked[0] != [2]audio.Device{headset, headsetMic} {
				t.Fatalf("checked %v", f.checked)
			}
			label := p.verdict
			if tt.err != nil {
				label = p.problem
			}
			if !label.Visible() || label.Text != tt.want || label.Importance != tt.imp {
				t.Errorf("said %q (%v, visible %v), want %q (%v)", label.Text, label.Importance, label.Visible(), tt.want, tt.imp)
			}
			if p.check.Disabled() || p.progress.Visible() || p.cancelCheck.Visible() || p.mode.Visible() {
				t.Error("page left busy after the check")
			}
		})
	}
}

func TestDevicesListError(t *testing.T) {
	f := newFakeAudio(laptopMic, laptopSpeaker)
	f.err = errors.New("pulseaudio: connection refused")
	p, _ := showDevicesPage(t, f, &memPrefs{})
	if want := "Can't list the audio devices: pulseaudio: connection refused"; !p.listProblem.Visible() || p.listProblem.Text != want {
		t.Errorf("list problem %q, want %q", p.listProblem.Text, want)
	}
}

func TestDevicesHeadsetCheckNamesTheMode(t *testing.T) {
	bt := func(k audio.Kind, name, id string) audio.Device {
		return audio.Device{Kind: k, Backend: audio.BackendPulseAudio, ID: hex.EncodeToString([]byte(id)), Name: name}
	}
	a2dp := bt(audio.Playback, "WH-1000XM4", "bluez_sink.00_1B_66_AA_BB_CC.a2dp_sink")
	hfp := bt(audio.Playback, "WH-1000XM4", "bluez_sink.00_1B_66_AA_BB_CC.handsfree_head_unit")
	hfpMic := bt(audio.Capture, "WH-1000XM4", "bluez_source.00_1B_66_AA_BB_CC.handsfree_head_unit")
	tests := []struct {
		name    string
		devices []audio.Device
		result  audio.CheckResult
		want    string
	}{
		{"hands-free", []audio.Device{hfp, hfpMic}, audio.CheckResult{Verdict: audio.VerdictOK, HandsFree: true, MicRate: 16000, MicChannels: 1},
			"The microphone is in Bluetooth hands-free mode (HFP/HSP): it records at 16 kHz, and the headset's speaker also drops to phone quality while it is in use. Calls work, but sound better through the headset's USB adapter or a wired headset."},
		{"audio only", []audio.Device{a2dp, laptopMic}, audio.CheckResult{Verdict: audio.VerdictOK},
			"WH-1000XM4 is connected without its microphone (Bluetooth audio-only mode, A2DP). To talk through it, switch it to hands-free mode (HFP) in your computer's Bluetooth or sound settings, or choose another microphone."},
		{"a wired headset", []audio.Device{headset, headsetMic}, audio.CheckResult{Verdict: audio.VerdictOK, MicRate: 48000, MicChannels: 2}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAudio(tt.devices...)
			f.result = tt.result
			p, _ := showDevicesPage(t, f, &memPrefs{prefs: audio.Prefs{Speaker: []audio.DeviceRef{tt.devices[0].Ref()}, Microphone: []audio.DeviceRef{tt.devices[1].Ref()}}})
			test.Tap(p.check)
			if got := p.mode.Text; p.mode.Visible() != (tt.want != "") || tt.want != "" && got != tt.want {
				t.Errorf("mode %q (visible %v), want %q", got, p.mode.Visible(), tt.want)
			}
		})
	}
}

func TestDevicesHeadsetCheckProgressAndCancel(t *testing.T) {
	f := newFakeAudio(laptopMic, laptopSpeaker)
	f.result = audio.CheckResult{Verdict: audio.VerdictOK}
	f.progress = []float64{0.3, 0.7}
	p, _ := showDevicesPage(t, f, &memPrefs{})
	// Hold the check's background work, as if it were running.
	var held []func()
	goAsync = func(fn func()) { held = append(held, fn) }
	test.Tap(p.check)
	if !p.progress.Visible() || !p.cancelCheck.Visible() || !p.check.Disabled() {
		t.Fatalf("while checking: progress %v, cancel %v, check disabled %v", p.progress.Visible(), p.cancelCheck.Visible(), p.check.Disabled())
	}
	p.CheckHeadset() // a second start, even bypassing the disabled button, is ignored
	if len(held) != 1 {
		t.Fatalf("%d checks started", len(held))
	}
	test.Tap(p.cancelCheck)
	held[0]()
	if len(f.checked) != 1 {
		t.Fatalf("checked %d times", len(f.checked))
	}
	if p.verdict.Visible() || p.problem.Visible() || p.progress.Visible() || p.cancelCheck.Visible() || p.check.Disabled() {
		t.Errorf("after cancel: verdict %q, problem %q, progress %v", p.verdict.Text, p.problem.Text, p.progress.Visible())
	}

	// Run to the end: the progress reported shows on the bar.
	held = nil
	var seen []float64
	f.afterProgress = func() { seen = append(seen, p.progress.Value) }
	test.Tap(p.check)
	held[0]()
	if !slices.Equal(seen, []float64{0.3, 0.7}) || !p.verdict.Visible() {
		t.Errorf("progress bar showed %v, verdict visible %v", seen, p.verdict.Visible())
	}
}
