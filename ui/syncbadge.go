package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/account"
)

// SyncBadge shows whether local edits have reached the server. It is always
// visible in the shell; tapping it, or Space or Return while it has
// keyboard focus, opens the resolver when in conflict.
type SyncBadge struct {
	widget.BaseWidget
	icon  *widget.Icon
	label *widget.Label
	state account.SyncState
	focus *canvas.Rectangle // the focus highlight
	// OnTapped runs when the badge is tapped (the shell opens the resolver).
	OnTapped func()
}

// NewSyncBadge returns a badge showing st.
func NewSyncBadge(st account.SyncState) *SyncBadge {
	b := &SyncBadge{icon: widget.NewIcon(nil), label: widget.NewLabel(""), focus: canvas.NewRectangle(nil)}
	b.focus.Hide()
	b.ExtendBaseWidget(b)
	b.SetState(st)
	return b
}

// SetState updates the badge.
func (b *SyncBadge) SetState(st account.SyncState) {
	b.state = st
	res, text, imp := describeSync(st)
	b.icon.SetResource(res)
	b.label.Importance = imp
	b.label.SetText(text)
}

// Tapped makes the badge a button for the conflict resolver.
func (b *SyncBadge) Tapped(*fyne.PointEvent) {
	if b.OnTapped != nil {
		b.OnTapped()
	}
}

// FocusGained and the methods below make the badge reachable by Tab.
func (b *SyncBadge) FocusGained() { b.showFocus(true) }

// FocusLost hides the focus highlight.
func (b *SyncBadge) FocusLost() { b.showFocus(false) }

// TypedKey acts on Space and Return like a button.
func (b *SyncBadge) TypedKey(e *fyne.KeyEvent) {
	switch e.Name {
	case fyne.KeySpace, fyne.KeyReturn, fyne.KeyEnter:
		b.Tapped(nil)
	}
}

// TypedRune ignores typing.
func (b *SyncBadge) TypedRune(rune) {}

func (b *SyncBadge) showFocus(on bool) {
	b.focus.FillColor = theme.Color(theme.ColorNameFocus)
	b.focus.CornerRadius = theme.InputRadiusSize()
	b.focus.Hidden = !on
	b.focus.Refresh()
}

func (b *SyncBadge) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewStack(b.focus, container.NewHBox(b.icon, b.label)))
}

func describeSync(st account.SyncState) (fyne.Resource, string, widget.Importance) {
	switch st.Kind {
	case account.Pending:
		return theme.UploadIcon(), lang.LocalizePlural("Saving {{.Count}} change…", st.Pending, map[string]any{"Count": st.Pending}), widget.MediumImportance
	case account.Offline:
		return theme.WarningIcon(), lang.LocalizePlural("Offline: {{.Count}} change waiting", st.Pending, map[string]any{"Count": st.Pending}), widget.WarningImportance
	case account.Conflicted:
		return theme.ErrorIcon(), lang.L("Conflict: review changes"), widget.DangerImportance
	case account.Error:
		return theme.ErrorIcon(), lang.L("Sync error: {{.Error}}", map[string]any{"Error": describe(st.Err)}), widget.DangerImportance
	}
	return theme.ConfirmIcon(), lang.L("All changes saved"), widget.SuccessImportance
}
