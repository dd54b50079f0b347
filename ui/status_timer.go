package ui

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/api"
)

// clock is the time the countdowns count from; tests fix it.
var clock = time.Now

// extendMinutes is what Extend adds.
const extendMinutes = 5

func extendLabel() string {
	return lang.L("Extend by {{.Minutes}} min", map[string]any{"Minutes": extendMinutes})
}

// timerView shows a timed status on the Status page: when it ends, a
// countdown and Extend. The server ends the timer; this only shows it.
type timerView struct {
	model   StatusModel
	problem *widget.Label
	done    func() // re-reads the status after Extend

	hint   *widget.Label // what the chosen reason's timer will do
	ends   *widget.Label
	left   *widget.Label
	extend *widget.Button
	card   *widget.Card

	until time.Time
	shown [2]bool // hint and card visible at the last layout

	mu   sync.Mutex
	tick chan struct{} // closed to stop the running countdown; nil when none runs
}

func newTimerView(m StatusModel, problem *widget.Label, done func()) *timerView {
	v := &timerView{model: m, problem: problem, done: done}
	v.hint = widget.NewLabel("")
	v.hint.Wrapping = fyne.TextWrapWord
	v.hint.Importance = widget.LowImportance
	v.hint.Hide()
	v.ends = widget.NewLabel("")
	v.left = widget.NewLabel("")
	v.left.TextStyle = fyne.TextStyle{Monospace: true} // digits keep their place as they count
	v.extend = widget.NewButton(extendLabel(), v.Extend)
	v.card = widget.NewCard(lang.L("Timer"), "", container.NewVBox(v.left, v.ends, container.NewHBox(v.extend)))
	v.card.Hide()
	return v
}

// describeReason says what choosing u will start, if its reason has a
// timer. It reports whether the page needs a new layout: the hint or the
// timer card was shown or hidden since the last call.
func (v *timerView) describeReason(u api.StatusUpdate, codes []api.ReasonCode) bool {
	i := slices.IndexFunc(codes, func(c api.ReasonCode) bool { return c.Code == u.ReasonCode })
	minutes := 0
	if i >= 0 {
		minutes = codes[i].Minutes
	}
	if u.Minutes != nil {
		minutes = *u.Minutes
	}
	if u.Availability != api.Unavailable || i < 0 || minutes == 0 {
		v.hint.Hide()
	} else {
		// A reason without a default has no "then": the server goes Online.
		v.hint.SetText(lang.L("Ends after {{.Minutes}} min; then you are {{.Then}}.", map[string]any{
			"Minutes": minutes, "Then": availabilityLabel(cmp.Or(codes[i].Then, api.Online))}))
		v.hint.Show()
	}
	shown := [2]bool{v.hint.Visible(), v.card.Visible()}
	changed := shown != v.shown
	v.shown = shown
	return changed
}

// show presents st's timer in the user's zone, starting or stopping the
// countdown.
func (v *timerView) show(st api.Status, zone *time.Location) {
	if st.Until == nil {
		v.until = time.Time{}
		v.stop()
		v.card.Hide()
		return
	}
	v.until = *st.Until
	v.ends.SetText(lang.L("Ends at {{.Time}}; then you are {{.Then}}.", map[string]any{
		"Time": v.until.In(zone).Format("15:04"), "Then": availabilityLabel(st.Then)}))
	v.update()
	v.card.Show()
	v.start()
}

// update shows the time left, in minutes and seconds.
func (v *timerView) update() {
	v.left.SetText(countdown(v.until.Sub(clock())))
}

// countdown formats the time left as m:ss (h:mm:ss past an hour); the server
// ends the timer, so past zero it shows 0:00 until the status changes.
func countdown(d time.Duration) string {
	s := max(int(d.Round(time.Second)/time.Second), 0)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

func (v *timerView) start() {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.tick != nil {
		return
	}
	stop := make(chan struct{})
	v.tick = stop
	go tickUntil(time.Second, stop, func() {
		if !v.until.IsZero() {
			v.update()
		}
	})
}

func (v *timerView) stop() {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.tick != nil {
		close(v.tick)
		v.tick = nil
	}
}

// Extend adds extendMinutes to the timer.
func (v *timerView) Extend() {
	v.extend.Disable()
	async(func() (struct{}, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		return struct{}{}, v.model.ExtendStatus(ctx, extendMinutes)
	}, func(_ struct{}, err error) {
		v.extend.Enable()
		if err != nil {
			v.problem.SetText(describe(err))
			v.problem.Show()
		} else {
			v.problem.Hide()
		}
		v.done()
	})
}
