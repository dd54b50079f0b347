package ui

import (
	"image"
	"io"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"github.com/disintegration/imaging"

	"github.com/phoneset/phoneset/photo"
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
	if len(uris) == 0 || p.status.busy {
		return
	}
	me := p.model.Me()
	k := p.editor.kind
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
