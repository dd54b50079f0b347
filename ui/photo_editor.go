package ui

import (
	"bytes"
	"image"
	"image/jpeg"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/photo"
	"github.com/phoneset/phoneset/ui/widgets"
)

// cropEditor is the card where a picture is placed before it is saved: the
// avatar in a circle, with previews at the sizes it is shown, or the 3:1
// cover.
type cropEditor struct {
	card   *widget.Card
	kind   photo.Kind // 0 while closed
	source opened

	avatarCrop  *widgets.Cropper
	coverCrop   *widgets.Cropper
	zoom        *widget.Slider
	syncingZoom bool // the slider follows the cropper, not the user

	previews     *fyne.Container
	preview      *canvas.Image
	smallPreview *canvas.Image
	previewing   bool // a preview render is running
	previewStale bool // the crop changed while it ran

	small *widget.Label // warns that the picture is small
	save  *widget.Button
}

// newCropEditor builds the closed editor; its Save and Cancel buttons call
// save and cancel.
func newCropEditor(save, cancel func()) *cropEditor {
	e := &cropEditor{}
	e.avatarCrop = widgets.NewCropper(photo.Avatar)
	e.coverCrop = widgets.NewCropper(photo.Cover)
	for _, c := range []*widgets.Cropper{e.avatarCrop, e.coverCrop} {
		c.OnChanged = e.cropChanged
	}
	e.zoom = widget.NewSlider(photo.MinZoom, photo.MaxZoom)
	e.zoom.Step = 0.01
	e.zoom.OnChanged = func(z float64) {
		if !e.syncingZoom {
			e.cropper().SetZoom(z)
		}
	}
	e.preview = roundImage(avatarSide)
	e.smallPreview = roundImage(smallAvatarSide)
	e.previews = container.NewHBox(
		widget.NewLabel(lang.L("Preview")), container.NewCenter(e.preview), container.NewCenter(e.smallPreview))
	e.small = note("")
	e.save = widget.NewButtonWithIcon(lang.L("Save"), theme.DocumentSaveIcon(), save)
	e.save.Importance = widget.HighImportance
	cancelButton := widget.NewButton(lang.L("Cancel"), cancel)
	zoomRow := container.NewBorder(nil, nil,
		widget.NewIcon(theme.ZoomOutIcon()), widget.NewIcon(theme.ZoomInIcon()), e.zoom)
	help := widget.NewLabel(lang.L("Drag to move the picture; zoom with the slider or the mouse wheel."))
	help.Wrapping = fyne.TextWrapWord
	e.card = widget.NewCard("", "", container.NewVBox(
		container.NewCenter(container.NewStack(e.avatarCrop, e.coverCrop)),
		help, zoomRow, e.previews, e.small,
		container.NewHBox(layout.NewSpacer(), cancelButton, e.save)))
	e.card.Hide()
	return e
}

// open shows picture o for cropping as kind k.
func (e *cropEditor) open(k photo.Kind, o opened) {
	e.kind, e.source = k, o
	c := e.cropper()
	c.SetImage(o.preview, o.info.Size())
	e.avatarCrop.Hidden = k != photo.Avatar
	e.coverCrop.Hidden = k != photo.Cover
	e.previews.Hidden = k != photo.Avatar
	e.syncingZoom = true
	e.zoom.Max = c.MaxZoom()
	e.zoom.SetValue(c.Crop().Zoom)
	e.syncingZoom = false
	if o.info.Small() {
		e.small.SetText(lang.L("This picture is only {{.Width}}×{{.Height}} pixels, so it may look blurry. {{.Min}}×{{.Min}} or larger looks best.",
			map[string]any{"Width": o.info.Size().X, "Height": o.info.Size().Y, "Min": photo.MinSide}))
		e.small.Show()
	} else {
		e.small.Hide()
	}
	if k == photo.Cover {
		e.card.SetTitle(lang.L("Crop your cover photo"))
	} else {
		e.card.SetTitle(lang.L("Crop your photo"))
	}
	e.card.Show()
	e.renderPreview()
}

// cropper is the cropper of the kind being edited.
func (e *cropEditor) cropper() *widgets.Cropper {
	if e.kind == photo.Cover {
		return e.coverCrop
	}
	return e.avatarCrop
}

// close hides the editor and lets go of the picture.
func (e *cropEditor) close() {
	e.kind, e.source = 0, opened{}
	e.avatarCrop.Clear()
	e.coverCrop.Clear()
	e.preview.Image, e.smallPreview.Image = nil, nil
	e.card.Hide()
}

func (e *cropEditor) cropChanged(c photo.Crop) {
	e.syncingZoom = true
	e.zoom.SetValue(c.Zoom)
	e.syncingZoom = false
	e.renderPreview()
}

// renderPreview shows the avatar as it will be stored, at display sizes.
// Renders run one at a time in the background; changes meanwhile are
// caught up with one more render.
func (e *cropEditor) renderPreview() {
	if e.kind != photo.Avatar {
		return
	}
	if e.previewing {
		e.previewStale = true
		return
	}
	e.previewing = true
	src, crop := e.source.preview, e.avatarCrop.Crop()
	async(func() ([2]image.Image, error) {
		return renderAvatarPreviews(src, crop)
	}, func(imgs [2]image.Image, err error) {
		e.previewing = false
		if err == nil && e.kind == photo.Avatar && e.source.preview == src {
			e.preview.Image, e.smallPreview.Image = imgs[0], imgs[1]
			e.preview.Refresh()
			e.smallPreview.Refresh()
		}
		if e.previewStale {
			e.previewStale = false
			e.renderPreview()
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
