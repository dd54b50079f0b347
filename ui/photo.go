package ui

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"io"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/disintegration/imaging"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/photo"
	"github.com/phoneset/phoneset/ui/widgets"
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

// Display sizes, in Fyne units.
const (
	avatarSide      = 96
	smallAvatarSide = 32
	coverWidth      = 360
)

// Pictures decode at least decodeSide on each side where the decoder can
// shrink on load, and are shrunk to at most previewLong on the longer side
// (keeping previewShort on the shorter), so the cropper stays responsive
// and zooming in still shows detail.
const (
	decodeSide   = 1024
	previewLong  = 2048
	previewShort = 512
)

// photoFileExtensions are what the file dialog offers; the content is
// checked whatever the name says.
var photoFileExtensions = []string{".jpg", ".jpeg", ".png", ".JPG", ".JPEG", ".PNG"}

// opened is a picture read and decoded for cropping.
type opened struct {
	data    []byte // the file, uploaded after cropping
	preview image.Image
	info    photo.Info
}

// PhotoPage sets the avatar (cropped to a circle) and the cover photo
// (3:1). Pictures come from a file dialog or are dropped on the window;
// they decode off the UI goroutine and are cropped, sized and encoded on
// this computer before upload.
type PhotoPage struct {
	model PhotoModel

	avatar       shownImage
	cover        shownImage
	coverNone    *widget.Label
	coverDefault *widget.Label
	chooseAvatar *widget.Button
	gravatar     *widget.Button
	removeAvatar *widget.Button
	avatarNote   *widget.Label
	chooseCover  *widget.Button
	removeCover  *widget.Button
	coverNote    *widget.Label

	editor       *widget.Card
	editing      photo.Kind // 0 when the editor is closed
	source       opened
	avatarCrop   *widgets.Cropper
	coverCrop    *widgets.Cropper
	zoom         *widget.Slider
	syncingZoom  bool
	previews     *fyne.Container
	preview      *canvas.Image
	smallPreview *canvas.Image
	previewing   bool // a preview render is running
	previewStale bool // the crop changed while it ran
	small        *widget.Label
	save         *widget.Button

	busy     bool
	progress *widget.ProgressBarInfinite
	activity *widget.Label
	problem  *widget.Label
	notice   *widget.Label
	body     *fyne.Container
	scroll   *container.Scroll
	content  fyne.CanvasObject
}

// NewPhotoPage builds the page from the model's current state.
func NewPhotoPage(m PhotoModel) *PhotoPage {
	p := &PhotoPage{model: m}
	p.avatar.img = roundImage(avatarSide)
	p.cover.img = canvas.NewImageFromImage(nil)
	p.cover.img.FillMode = canvas.ImageFillContain
	p.cover.img.SetMinSize(fyne.NewSize(coverWidth, coverWidth/3))
	p.coverNone = widget.NewLabelWithStyle(lang.L("No cover photo"), fyne.TextAlignCenter, fyne.TextStyle{Italic: true})
	p.coverDefault = widget.NewLabelWithStyle(lang.L("Your organisation's default cover"), fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
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

	p.avatarCrop = widgets.NewCropper(photo.Avatar)
	p.coverCrop = widgets.NewCropper(photo.Cover)
	for _, c := range []*widgets.Cropper{p.avatarCrop, p.coverCrop} {
		c.OnChanged = p.cropChanged
	}
	p.zoom = widget.NewSlider(photo.MinZoom, photo.MaxZoom)
	p.zoom.Step = 0.01
	p.zoom.OnChanged = func(z float64) {
		if !p.syncingZoom {
			p.cropper().SetZoom(z)
		}
	}
	p.preview = roundImage(avatarSide)
	p.smallPreview = roundImage(smallAvatarSide)
	p.previews = container.NewHBox(
		widget.NewLabel(lang.L("Preview")), container.NewCenter(p.preview), container.NewCenter(p.smallPreview))
	p.small = note("")
	p.save = widget.NewButtonWithIcon(lang.L("Save"), theme.DocumentSaveIcon(), p.Save)
	p.save.Importance = widget.HighImportance
	cancel := widget.NewButton(lang.L("Cancel"), p.closeEditor)
	zoomRow := container.NewBorder(nil, nil,
		widget.NewIcon(theme.ZoomOutIcon()), widget.NewIcon(theme.ZoomInIcon()), p.zoom)
	help := widget.NewLabel(lang.L("Drag to move the picture; zoom with the slider or the mouse wheel."))
	help.Wrapping = fyne.TextWrapWord
	p.editor = widget.NewCard("", "", container.NewVBox(
		container.NewCenter(container.NewStack(p.avatarCrop, p.coverCrop)),
		help, zoomRow, p.previews, p.small,
		container.NewHBox(layout.NewSpacer(), cancel, p.save)))
	p.editor.Hide()

	p.progress = widget.NewProgressBarInfinite()
	p.progress.Hide()
	p.activity = widget.NewLabel("")
	p.activity.Hide()
	p.problem = widget.NewLabel("")
	p.problem.Importance = widget.DangerImportance
	p.problem.Wrapping = fyne.TextWrapWord
	p.problem.Hide()
	p.notice = widget.NewLabel("")
	p.notice.Importance = widget.SuccessImportance
	p.notice.Hide()
	drop := widget.NewLabel(lang.L("You can also drop a JPEG or PNG file on this window."))
	drop.Wrapping = fyne.TextWrapWord

	backdrop := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	backdrop.CornerRadius = theme.InputRadiusSize()
	avatarCard := widget.NewCard(lang.L("Profile photo"), lang.L("Shown to other users and in calls."),
		container.NewBorder(nil, nil, container.NewCenter(p.avatar.img), nil, container.NewVBox(
			container.NewHBox(p.chooseAvatar, p.gravatar, p.removeAvatar), p.avatarNote)))
	coverCard := widget.NewCard(lang.L("Cover photo"), lang.L("The banner across the top of your profile."),
		container.NewVBox(
			container.NewHBox(container.NewStack(backdrop, p.cover.img, container.NewCenter(p.coverNone))),
			p.coverDefault, container.NewHBox(p.chooseCover, p.removeCover), p.coverNote))
	p.body = container.NewVBox(p.problem, p.notice, p.activity, p.progress, p.editor, avatarCard, coverCard, drop)
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
	if p.editing != 0 {
		c.Focus(p.cropper())
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
	if p.editing != 0 && !p.allowed(me, p.editing) {
		p.closeEditor()
	}
	p.showAvatar(me)
	p.showCover(me)
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
	av, cv := me.Org.MembersChooseAvatar && !p.busy, me.Org.MembersChooseCover && !p.busy
	setEnabled(p.chooseAvatar, av)
	setEnabled(p.gravatar, av)
	setEnabled(p.removeAvatar, av && me.User.HasAvatar)
	setEnabled(p.chooseCover, cv)
	setEnabled(p.removeCover, cv && me.User.HasCover)
	setEnabled(p.save, p.editing != 0 && !p.busy)
	p.avatarNote.Refresh()
	p.coverNote.Refresh()
}

// shownImage is a picture on the page and what it shows, so that a refresh
// only loads it again when that changed.
type shownImage struct {
	img *canvas.Image
	key string
}

func (s *shownImage) set(key string, img image.Image) {
	s.key = key
	s.img.Image = img
	s.img.Refresh()
}

// fetch shows a stored image, downloaded and decoded in the background,
// unless key (its source and version) is already shown. A failure leaves
// what is shown: the picture is decoration, the page works without it.
func (s *shownImage) fetch(key string, get func(context.Context, int) ([]byte, error), size int) {
	if key == s.key {
		return
	}
	s.key = key
	async(func() (image.Image, error) {
		ctx, cancel := context.WithTimeout(context.Background(), photoTimeout)
		defer cancel()
		data, err := get(ctx, size)
		if err != nil {
			return nil, err
		}
		return jpeg.Decode(bytes.NewReader(data))
	}, func(img image.Image, err error) {
		if err == nil && s.key == key {
			s.set(key, img)
		}
	})
}

// photoSource is where the avatar or cover shown for the user comes from.
type photoSource int

const (
	sourceNone    photoSource = iota // initials, or no cover
	sourceOwn                        // the user's own
	sourceCompany                    // the company avatar or default cover
)

// shownPhoto picks what stands for the user's avatar or cover: their own
// where members may choose and they have one; else the company's, where it
// has one (for avatars only when members may not choose: otherwise the
// initials say who this is); else their own if they kept one from before
// the organisation took the choice.
func shownPhoto(me api.Me, k photo.Kind) photoSource {
	own, allowed, company := me.User.HasAvatar, me.Org.MembersChooseAvatar, me.Org.HasAvatar
	if k == photo.Cover {
		own, allowed, company = me.User.HasCover, me.Org.MembersChooseCover, me.Org.HasCover
	}
	switch {
	case own && allowed:
		return sourceOwn
	case company && (k == photo.Cover || !allowed):
		return sourceCompany
	case own:
		return sourceOwn
	}
	return sourceNone
}

// showAvatar shows the avatar that stands for the user or, without one,
// the initials on a coloured circle, as every client does.
func (p *PhotoPage) showAvatar(me api.Me) {
	switch shownPhoto(me, photo.Avatar) {
	case sourceOwn:
		p.avatar.fetch("photo:"+strconv.FormatInt(me.User.PhotoVersion, 10), p.model.Avatar, 2*avatarSide)
		return
	case sourceCompany:
		p.avatar.fetch("company:"+strconv.FormatInt(me.Org.PhotoVersion, 10), p.model.CompanyAvatar, 2*avatarSide)
		return
	}
	name := me.Profile.DisplayName
	if photo.Initials(name) == "" {
		name = me.Profile.Email
	}
	initials := photo.Initials(name)
	if key := "initials:" + initials + ":" + me.User.ID; key != p.avatar.key {
		p.avatar.set(key, photo.RenderInitials(initials, 2*avatarSide, me.User.ID))
	}
}

func (p *PhotoPage) showCover(me api.Me) {
	src := shownPhoto(me, photo.Cover)
	p.coverNone.Hidden = src != sourceNone
	p.coverDefault.Hidden = src != sourceCompany
	p.coverNone.Refresh()
	p.coverDefault.Refresh()
	switch src {
	case sourceOwn:
		p.cover.fetch("photo:"+strconv.FormatInt(me.User.PhotoVersion, 10), p.model.Cover, 2*coverWidth)
	case sourceCompany:
		p.cover.fetch("company:"+strconv.FormatInt(me.Org.PhotoVersion, 10), p.model.CompanyCover, 2*coverWidth)
	default:
		p.cover.set("", nil)
	}
}

// Choose asks for a picture file to use as the avatar or the cover.
func (p *PhotoPage) Choose(k photo.Kind) {
	w := windowFor(p.content)
	if w == nil {
		return
	}
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			p.showProblem(describe(err))
			return
		}
		if r == nil {
			return // cancelled
		}
		p.open(k, r.URI().Name(), func() (io.ReadCloser, error) { return r, nil })
	}, w)
	d.SetFilter(storage.NewExtensionFileFilter(photoFileExtensions))
	d.Show()
}

// Drop opens the first of files dropped on the window: into the editor if
// it is open, else as the avatar, or as the cover if avatars are set by the
// organisation.
func (p *PhotoPage) Drop(uris []fyne.URI) {
	if len(uris) == 0 || p.busy {
		return
	}
	me := p.model.Me()
	k := p.editing
	switch {
	case k != 0:
	case me.Org.MembersChooseAvatar:
		k = photo.Avatar
	case me.Org.MembersChooseCover:
		k = photo.Cover
	default:
		p.showProblem(lang.L("Your organisation sets avatars."))
		return
	}
	u := uris[0]
	p.open(k, u.Name(), func() (io.ReadCloser, error) { return storage.Reader(u) })
}

// open reads, checks and decodes a picture off the UI goroutine, then
// shows it in the cropper.
func (p *PhotoPage) open(k photo.Kind, name string, openFile func() (io.ReadCloser, error)) {
	p.setBusy(lang.L("Opening {{.Name}}…", map[string]any{"Name": name}))
	async(func() (opened, error) {
		return decodeForCropping(openFile)
	}, func(o opened, err error) {
		p.setBusy("")
		if err != nil {
			p.showProblem(lang.L("Can't use {{.Name}}: {{.Reason}}",
				map[string]any{"Name": name, "Reason": describePhoto(err)}))
			return
		}
		p.edit(k, o)
	})
}

func decodeForCropping(openFile func() (io.ReadCloser, error)) (opened, error) {
	r, err := openFile()
	if err != nil {
		return opened{}, err
	}
	defer r.Close()
	data, err := photo.ReadLimited(r)
	if err != nil {
		return opened{}, err
	}
	img, info, err := photo.DecodeAtLeast(data, decodeSide, decodeSide)
	if err != nil {
		return opened{}, err
	}
	return opened{data: data, preview: shrinkPreview(img), info: info}, nil
}

// shrinkPreview bounds the picture the cropper draws; the upload is made
// from the file itself.
func shrinkPreview(img image.Image) image.Image {
	s := img.Bounds().Size()
	long, short := max(s.X, s.Y), min(s.X, s.Y)
	if long <= previewLong {
		return img
	}
	f := max(float64(previewLong)/float64(long), float64(previewShort)/float64(short))
	if f >= 1 {
		return img
	}
	return imaging.Resize(img, int(float64(s.X)*f+0.5), int(float64(s.Y)*f+0.5), imaging.Linear)
}

// describePhoto says why a picture can't be used.
func describePhoto(err error) string {
	switch photo.ReasonOf(err) {
	case photo.ReasonType:
		return lang.L("it isn't a JPEG or PNG picture.")
	case photo.ReasonTooBig:
		return lang.L("the file is larger than {{.MB}} MB.", map[string]any{"MB": photo.MaxBytes >> 20})
	case photo.ReasonTooManyPixels:
		return lang.L("the picture has more than {{.MP}} megapixels.", map[string]any{"MP": photo.MaxPixels / 1_000_000})
	case photo.ReasonCorrupt:
		return lang.L("the file is damaged or incomplete.")
	}
	return describe(err)
}

func (p *PhotoPage) edit(k photo.Kind, o opened) {
	p.editing, p.source = k, o
	p.problem.Hide()
	p.notice.Hide()
	c := p.cropper()
	c.SetImage(o.preview, o.info.Size())
	p.avatarCrop.Hidden = k != photo.Avatar
	p.coverCrop.Hidden = k != photo.Cover
	p.previews.Hidden = k != photo.Avatar
	p.syncingZoom = true
	p.zoom.Max = c.MaxZoom()
	p.zoom.SetValue(c.Crop().Zoom)
	p.syncingZoom = false
	if o.info.Small() {
		p.small.SetText(lang.L("This picture is only {{.Width}}×{{.Height}} pixels, so it may look blurry. {{.Min}}×{{.Min}} or larger looks best.",
			map[string]any{"Width": o.info.Size().X, "Height": o.info.Size().Y, "Min": photo.MinSide}))
		p.small.Show()
	} else {
		p.small.Hide()
	}
	if k == photo.Cover {
		p.editor.SetTitle(lang.L("Crop your cover photo"))
	} else {
		p.editor.SetTitle(lang.L("Crop your photo"))
	}
	p.editor.Show()
	p.renderPreview()
	p.updateControls()
	p.relayout()
	if cv := fyne.CurrentApp().Driver().CanvasForObject(p.content); cv != nil {
		cv.Focus(c)
	}
}

func (p *PhotoPage) cropper() *widgets.Cropper {
	if p.editing == photo.Cover {
		return p.coverCrop
	}
	return p.avatarCrop
}

func (p *PhotoPage) closeEditor() {
	p.editing, p.source = 0, opened{}
	p.avatarCrop.Clear()
	p.coverCrop.Clear()
	p.preview.Image, p.smallPreview.Image = nil, nil
	p.editor.Hide()
	p.updateControls()
	p.relayout()
}

// relayout fits the page around sections shown or hidden.
func (p *PhotoPage) relayout() {
	p.scroll.Refresh()
	p.body.Refresh()
}

func (p *PhotoPage) cropChanged(c photo.Crop) {
	p.syncingZoom = true
	p.zoom.SetValue(c.Zoom)
	p.syncingZoom = false
	p.renderPreview()
}

// renderPreview shows the avatar as it will be stored, at display sizes.
// Renders run one at a time in the background; changes meanwhile are
// caught up with one more render.
func (p *PhotoPage) renderPreview() {
	if p.editing != photo.Avatar {
		return
	}
	if p.previewing {
		p.previewStale = true
		return
	}
	p.previewing = true
	src, crop := p.source.preview, p.avatarCrop.Crop()
	async(func() ([2]image.Image, error) {
		return renderAvatarPreviews(src, crop)
	}, func(imgs [2]image.Image, err error) {
		p.previewing = false
		if err == nil && p.editing == photo.Avatar && p.source.preview == src {
			p.preview.Image, p.smallPreview.Image = imgs[0], imgs[1]
			p.preview.Refresh()
			p.smallPreview.Refresh()
		}
		if p.previewStale {
			p.previewStale = false
			p.renderPreview()
		}
	})
}

// renderAvatarPreviews makes the stored renditions from the preview picture
// and decodes the two nearest the display sizes on a HiDPI screen.
func renderAvatarPreviews(src image.Image, c photo.Crop) ([2]image.Image, error) {
	var out [2]image.Image
	rs, err := photo.Render(src, photo.Avatar, c)
	if err != nil {
		return out, err
	}
	for i, side := range []int{2 * avatarSide, 2 * smallAvatarSide} {
		best := rs[0]
		for _, r := range rs {
			if r.Size.X >= side {
				best = r
			}
		}
		if out[i], err = jpeg.Decode(bytes.NewReader(best.JPEG)); err != nil {
			return out, err
		}
	}
	return out, nil
}

// Save crops and sizes the picture as shown, encodes it and uploads it.
func (p *PhotoPage) Save() {
	if p.editing == 0 || p.busy {
		return
	}
	k, data, crop := p.editing, p.source.data, p.cropper().Crop()
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
	if p.busy {
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

// setBusy shows what is running, or with "" that nothing is.
func (p *PhotoPage) setBusy(what string) {
	p.busy = what != ""
	p.activity.SetText(what)
	p.activity.Hidden = !p.busy
	if p.busy {
		p.problem.Hide()
		p.notice.Hide()
		p.progress.Show()
		p.progress.Start()
	} else {
		p.progress.Stop()
		p.progress.Hide()
	}
	p.activity.Refresh()
	p.updateControls()
	p.relayout()
}

func (p *PhotoPage) showProblem(msg string) {
	p.notice.Hide()
	p.problem.SetText(msg)
	p.problem.Show()
	p.relayout()
}

func (p *PhotoPage) showNotice(msg string) {
	p.problem.Hide()
	p.notice.SetText(msg)
	p.notice.Show()
	p.relayout()
}
