package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/photo"
)

// PhotoModel is what the photo page needs from the account. Uploads are
// JPEGs the page has already cropped and sized; the server re-encodes them.
// After a change, Me reflects it (User.HasAvatar, HasCover, PhotoVersion).
type PhotoModel interface {
	Me() api.Me
	UploadAvatar(ctx context.Context, jpeg []byte) error
	RemoveAvatar(ctx context.Context) error
	UploadCover(ctx context.Context, jpeg []byte) error
	RemoveCover(ctx context.Context) error
	// ImportGravatar makes the Gravatar of the account's email the avatar.
	ImportGravatar(ctx context.Context) error
	// Avatar and Cover fetch the stored image (JPEG) at about size pixels
	// wide.
	Avatar(ctx context.Context, size int) ([]byte, error)
	Cover(ctx context.Context, size int) ([]byte, error)
	// CompanyAvatar and CompanyCover fetch the organisation's, which stand
	// in for the user's own (see shownPhoto).
	CompanyAvatar(ctx context.Context, size int) ([]byte, error)
	CompanyCover(ctx context.Context, size int) ([]byte, error)
}

// photoTimeout bounds one upload, removal or download.
const photoTimeout = 60 * time.Second

// PhotoPage sets the avatar (cropped to a circle) and the cover photo
// (3:1). Pictures come from a file dialog or are dropped on the window
// (photo_open.go); they decode off the UI goroutine and are cropped
// (photo_editor.go), sized and encoded on this computer before upload.
// What is stored shows in photo_display.go.
type PhotoPage struct {
	model   PhotoModel
	display *photoDisplay
	editor  *cropEditor
	status  *photoStatus

	chooseAvatar *widget.Button
	gravatar     *widget.Button
	removeAvatar *widget.Button
	avatarNote   *widget.Label
	chooseCover  *widget.Button
	removeCover  *widget.Button
	coverNote    *widget.Label

	body    *fyne.Container
	scroll  *container.Scroll
	content fyne.CanvasObject
}

// NewPhotoPage builds the page from the model's current state.
func NewPhotoPage(m PhotoModel) *PhotoPage {
	p := &PhotoPage{model: m, display: newPhotoDisplay(), status: newPhotoStatus()}
	p.chooseAvatar = widget.NewButtonWithIcon(lang.L("Choose photo…"), theme.FolderOpenIcon(), func() { p.Choose(photo.Avatar) })
	p.gravatar = widget.NewButton(lang.L("Use Gravatar"), p.ImportGravatar)
	p.removeAvatar = widget.NewButtonWithIcon(lang.L("Remove photo"), theme.DeleteIcon(), func() {
		confirm(p.content, lang.L("Remove your photo?"), lang.L("Your initials show instead until you choose another."), p.RemoveAvatar)
	})
	p.avatarNote = note(lang.L("Your organisation sets avatars."))
	p.chooseCover = widget.NewButtonWithIcon(lang.L("Choose cover…"), theme.FolderOpenIcon(), func() { p.Choose(photo.Cover) })
	p.removeCover = widget.NewButtonWithIcon(lang.L("Remove cover"), theme.DeleteIcon(), func() {
		confirm(p.content, lang.L("Remove your cover photo?"), lang.L("You can choose another at any time."), p.RemoveCover)
	})
	p.coverNote = note(lang.L("Your organisation sets cover photos."))
	p.editor = newCropEditor(p.Save, p.closeEditor)

	drop := widget.NewLabel(lang.L("You can also drop a JPEG or PNG file on this window."))
	drop.Wrapping = fyne.TextWrapWord
	backdrop := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	backdrop.CornerRadius = theme.InputRadiusSize()
	d := p.display
	avatarCard := widget.NewCard(lang.L("Profile photo"), lang.L("Shown to other users and in calls."),
		container.NewBorder(nil, nil, container.NewCenter(d.avatar.img), nil, container.NewVBox(
			container.NewHBox(p.chooseAvatar, p.gravatar, p.removeAvatar), p.avatarNote)))
	coverCard := widget.NewCard(lang.L("Cover photo"), lang.L("The banner across the top of your profile."),
		container.NewVBox(
			container.NewHBox(container.NewStack(backdrop, d.cover.img, container.NewCenter(d.coverNone))),
			d.coverDefault, container.NewHBox(p.chooseCover, p.removeCover), p.coverNote))
	s := p.status
	p.body = container.NewVBox(s.problem, s.notice, s.activity, s.progress, p.editor.card, avatarCard, coverCard, drop)
	p.scroll = container.NewVScroll(p.body)
	p.content = p.scroll
	p.Refresh()
	return p
}

// roundImage is an image shown in a circle of side units.
func roundImage(side float32) *canvas.Image {
	img := canvas.NewImageFromImage(nil)
	img.FillMode = canvas.ImageFillContain
	img.ScaleMode = canvas.ImageScaleSmooth
	img.CornerRadius = side / 2
	img.SetMinSize(fyne.NewSize(side, side))
	return img
}

func note(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Importance = widget.WarningImportance
	l.Wrapping = fyne.TextWrapWord
	return l
}

// Content is the page's canvas object.
func (p *PhotoPage) Content() fyne.CanvasObject { return p.content }

// Focus puts keyboard focus on the cropper while editing, else on the
// first button that can be used.
func (p *PhotoPage) Focus(c fyne.Canvas) {
	if p.editor.kind != 0 {
		c.Focus(p.editor.cropper())
		return
	}
	for _, b := range []*widget.Button{p.chooseAvatar, p.chooseCover} {
		if !b.Disabled() {
			c.Focus(b)
			return
		}
	}
}

// Refresh shows the model's avatar and cover and what the organisation
// allows.
func (p *PhotoPage) Refresh() {
	me := p.model.Me()
	if p.editor.kind != 0 && !p.allowed(me, p.editor.kind) {
		p.closeEditor()
	}
	p.display.show(me, p.model)
	p.avatarNote.Hidden = me.Org.MembersChooseAvatar
	p.coverNote.Hidden = me.Org.MembersChooseCover
	p.updateControls()
	p.relayout()
}

func (p *PhotoPage) allowed(me api.Me, k photo.Kind) bool {
	if k == photo.Cover {
		return me.Org.MembersChooseCover
	}
	return me.Org.MembersChooseAvatar
}

func (p *PhotoPage) updateControls() {
	me := p.model.Me()
	busy := p.status.busy
	av, cv := me.Org.MembersChooseAvatar && !busy, me.Org.MembersChooseCover && !busy
	setEnabled(p.chooseAvatar, av)
	setEnabled(p.gravatar, av)
	setEnabled(p.removeAvatar, av && me.User.HasAvatar)
	setEnabled(p.chooseCover, cv)
	setEnabled(p.removeCover, cv && me.User.HasCover)
	setEnabled(p.editor.save, p.editor.kind != 0 && !busy)
	p.avatarNote.Refresh()
	p.coverNote.Refresh()
}

// edit opens the editor on a picture read for kind k.
func (p *PhotoPage) edit(k photo.Kind, o opened) {
	p.status.clear()
	p.editor.open(k, o)
	p.updateControls()
	p.relayout()
	if cv := fyne.CurrentApp().Driver().CanvasForObject(p.content); cv != nil {
		cv.Focus(p.editor.cropper())
	}
}

func (p *PhotoPage) closeEditor() {
	p.editor.close()
	p.updateControls()
	p.relayout()
}

// relayout fits the page around sections shown or hidden.
func (p *PhotoPage) relayout() {
	p.scroll.Refresh()
	p.body.Refresh()
}

// Save crops and sizes the picture as shown, encodes it and uploads it.
func (p *PhotoPage) Save() {
	if p.editor.kind == 0 || p.status.busy {
		return
	}
	k, data, crop := p.editor.kind, p.editor.source.data, p.editor.cropper().Crop()
	p.setBusy(lang.L("Saving…"))
	async(func() (struct{}, error) {
		res, err := photo.Process(data, k, crop)
		if err != nil {
			return struct{}{}, err
		}
		ctx, cancel := context.WithTimeout(context.Background(), photoTimeout)
		defer cancel()
		jpg := res.Renditions[0].JPEG
		if k == photo.Cover {
			return struct{}{}, p.model.UploadCover(ctx, jpg)
		}
		return struct{}{}, p.model.UploadAvatar(ctx, jpg)
	}, func(_ struct{}, err error) {
		p.setBusy("")
		if err != nil {
			p.showProblem(lang.L("Can't save the picture: {{.Reason}}", map[string]any{"Reason": describePhoto(err)}))
			return
		}
		p.closeEditor()
		if k == photo.Cover {
			p.showNotice(lang.L("Cover photo saved."))
		} else {
			p.showNotice(lang.L("Photo saved."))
		}
		p.Refresh()
	})
}

// RemoveAvatar deletes the avatar; the initials show instead.
func (p *PhotoPage) RemoveAvatar() {
	p.change(p.model.RemoveAvatar, lang.L("Photo removed."))
}

// RemoveCover deletes the cover photo.
func (p *PhotoPage) RemoveCover() {
	p.change(p.model.RemoveCover, lang.L("Cover photo removed."))
}

// ImportGravatar uses the Gravatar of the account's email as the avatar.
func (p *PhotoPage) ImportGravatar() {
	p.change(p.model.ImportGravatar, lang.L("Your Gravatar is now your photo."))
}

// change runs one server call and reports how it went.
func (p *PhotoPage) change(call func(context.Context) error, done string) {
	if p.status.busy {
		return
	}
	p.setBusy(lang.L("Saving…"))
	async(func() (struct{}, error) {
		ctx, cancel := context.WithTimeout(context.Background(), photoTimeout)
		defer cancel()
		return struct{}{}, call(ctx)
	}, func(_ struct{}, err error) {
		p.setBusy("")
		if err != nil {
			p.showProblem(describe(err))
			return
		}
		p.showNotice(done)
		p.Refresh()
	})
}

// setBusy shows what is running, or with "" that nothing is, and enables
// the controls that can be used meanwhile.
func (p *PhotoPage) setBusy(what string) {
	p.status.setBusy(what)
	p.updateControls()
	p.relayout()
}

func (p *PhotoPage) showProblem(msg string) {
	p.status.show(p.status.problem, msg)
	p.relayout()
}

func (p *PhotoPage) showNotice(msg string) {
	p.status.show(p.status.notice, msg)
	p.relayout()
}

// photoStatus says what the page is doing, or how the last action went.
type photoStatus struct {
	busy     bool
	progress *widget.ProgressBarInfinite
	activity *widget.Label
	problem  *widget.Label
	notice   *widget.Label
}

func newPhotoStatus() *photoStatus {
	s := &photoStatus{progress: widget.NewProgressBarInfinite(), activity: widget.NewLabel("")}
	s.progress.Hide()
	s.activity.Hide()
	s.problem = widget.NewLabel("")
	s.problem.Importance = widget.DangerImportance
	s.problem.Wrapping = fyne.TextWrapWord
	s.problem.Hide()
	s.notice = widget.NewLabel("")
	s.notice.Importance = widget.SuccessImportance
	s.notice.Hide()
	return s
}

// setBusy shows what is running, or with "" that nothing is.
func (s *photoStatus) setBusy(what string) {
	s.busy = what != ""
	s.activity.SetText(what)
	s.activity.Hidden = !s.busy
	if s.busy {
		s.clear()
		s.progress.Show()
		s.progress.Start()
	} else {
		s.progress.Stop()
		s.progress.Hide()
	}
	s.activity.Refresh()
}

// show puts msg in l, the problem or the notice label, in place of the other.
func (s *photoStatus) show(l *widget.Label, msg string) {
	s.clear()
	l.SetText(msg)
	l.Show()
}

// clear hides the outcome of the last action.
func (s *photoStatus) clear() {
	s.problem.Hide()
	s.notice.Hide()
}
