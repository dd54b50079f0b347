package ui

import (
	"errors"
	"log/slog"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/assets"
	"github.com/phoneset/phoneset/audio"
)

// openedAudio is the computer's audio as the Devices page uses it.
type openedAudio struct {
	devices  DevicesModel
	ringtone audio.Clip
}

// lazyAudio opens the computer's audio the first time the Devices page or
// the diagnostics need it, not at start: the sound server's client
// libraries and connection (~3 MB resident, 30-50 ms) and the decoded
// ringtone (0.8 MB) would stand before the first frame, and only pages
// after sign-in use them (scripts/bench-ui.sh).
type lazyAudio struct {
	load func() (openedAudio, error)
}

var errNoAudio = errors.New("no audio system set up")

// newLazyAudio opens with open, once (nil: there is no audio).
func newLazyAudio(open func() (DevicesModel, error)) *lazyAudio {
	return &lazyAudio{load: sync.OnceValues(func() (openedAudio, error) {
		if open == nil {
			return openedAudio{}, errNoAudio
		}
		m, err := open()
		if err != nil {
			slog.Warn("audio unavailable", "err", err)
			return openedAudio{}, err
		}
		logAudioDevices(m)
		ring, err := audio.DecodeWAV(assets.Ringtone)
		if err != nil { // the ringer test then plays the test tone
			slog.Error("ringtone", "err", err)
		}
		return openedAudio{devices: m, ringtone: ring}, nil
	})}
}

// use calls fn on the UI goroutine with the audio, opening it off the UI
// goroutine first if nothing has.
func (l *lazyAudio) use(fn func(openedAudio, error)) { async(l.load, fn) }

// audioPage is the Devices page, or why there is none, once the audio is
// open; until then it says it is opening it.
type audioPage struct {
	content *fyne.Container
	page    page        // nil until the audio is open
	canvas  fyne.Canvas // where focus was asked for before that
	closed  bool
}

// devicesPage opens the audio for the Devices page. Once open, the page
// takes the focus asked for while it opened; Fyne focuses nothing that is
// off the canvas, so not when another page is on show by then.
func devicesPage(svc Services) page {
	p := &audioPage{content: container.NewStack(container.NewPadded(widget.NewLabel(lang.L("Opening audio devices…"))))}
	svc.Audio.use(func(au openedAudio, err error) {
		if p.closed {
			return
		}
		if err != nil {
			p.page = newMessagePage(lang.L("Audio devices aren't available: {{.Error}}", map[string]any{"Error": err}))
		} else {
			p.page = NewDevicesPage(au.devices, svc.DevicesPrefs, au.ringtone)
		}
		p.content.Objects = []fyne.CanvasObject{p.page.Content()}
		p.content.Refresh()
		if p.canvas != nil {
			p.page.Focus(p.canvas)
		}
	})
	return p
}

func (p *audioPage) Content() fyne.CanvasObject { return p.content }

func (p *audioPage) Focus(c fyne.Canvas) {
	if p.page == nil {
		p.canvas = c
		return
	}
	p.page.Focus(c)
}

func (p *audioPage) Refresh() {
	if r, ok := p.page.(refresher); ok {
		r.Refresh()
	}
}

func (p *audioPage) Close() {
	p.closed = true
	if c, ok := p.page.(interface{ Close() }); ok {
		c.Close()
	}
}
