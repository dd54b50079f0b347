package ui

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/api/client"
	"github.com/phoneset/phoneset/photo"
)

// fakePhotos stands in for the account's photo calls.
type fakePhotos struct {
	me        api.Me
	uploads   map[photo.Kind][][]byte
	removed   []photo.Kind
	gravatars int
	err       error  // returned by every change
	stored    []byte // the JPEG Avatar and Cover return
	fetched   []int  // sizes asked of Avatar
	company   []byte // the JPEG CompanyAvatar and CompanyCover return
}

func newFakePhotos() *fakePhotos {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, solid(64, 64, color.NRGBA{R: 200, A: 255}), nil); err != nil {
		panic(err)
	}
	stored := bytes.Clone(buf.Bytes())
	buf.Reset()
	if err := jpeg.Encode(&buf, solid(96, 32, color.NRGBA{B: 200, A: 255}), nil); err != nil {
		panic(err)
	}
	return &fakePhotos{
		uploads: map[photo.Kind][][]byte{},
		stored:  stored,
		company: buf.Bytes(),
		me: api.Me{
			User:    api.User{ID: "u-42", Email: "agent1@demo.phoneset.test"},
			Profile: api.Profile{DisplayName: "Bo Agent", Email: "agent1@demo.phoneset.test"},
			Org:     api.OrgSummary{MembersChooseAvatar: true, MembersChooseCover: true},
		},
	}
}

func (f *fakePhotos) Me() api.Me { return f.me }

func (f *fakePhotos) upload(k photo.Kind, jpg []byte) error {
	if f.err != nil {
		return f.err
	}
	f.uploads[k] = append(f.uploads[k], jpg)
	f.me.User.PhotoVersion++
	if k == photo.Cover {
		f.me.User.HasCover = true
	} else {
		f.me.User.HasAvatar = true
	}
	return nil
}

func (f *fakePhotos) remove(k photo.Kind) error {
	if f.err != nil {
		return f.err
	}
	f.removed = append(f.removed, k)
	f.me.User.PhotoVersion++
	if k == photo.Cover {
		f.me.User.HasCover = false
	} else {
		f.me.User.HasAvatar = false
	}
	return nil
}

func (f *fakePhotos) UploadAvatar(_ context.Context, jpg []byte) error {
	return f.upload(photo.Avatar, jpg)
}
func (f *fakePhotos) UploadCover(_ context.Context, jpg []byte) error {
	return f.upload(photo.Cover, jpg)
}
func (f *fakePhotos) RemoveAvatar(context.Context) error { return f.remove(photo.Avatar) }
func (f *fakePhotos) RemoveCover(context.Context) error  { return f.remove(photo.Cover) }

func (f *fakePhotos) ImportGravatar(context.Context) error {
	if f.err != nil {
		return f.err
	}
	f.gravatars++
	f.me.User.HasAvatar = true
	f.me.User.PhotoVersion++
	return nil
}

func (f *fakePhotos) Avatar(_ context.Context, size int) ([]byte, error) {
	f.fetched = append(f.fetched, size)
	return f.stored, nil
}

func (f *fakePhotos) Cover(context.Context, int) ([]byte, error) { return f.stored, nil }

func (f *fakePhotos) CompanyAvatar(context.Context, int) ([]byte, error) { return f.company, nil }
func (f *fakePhotos) CompanyCover(context.Context, int) ([]byte, error)  { return f.company, nil }

func solid(w, h int, c color.NRGBA) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, c.A
	}
	return img
}

// picture is a w×h PNG with a gradient, so crops differ visibly.
func picture(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetNRGBA(x, y, color.NRGBA{uint8(x * 255 / w), uint8(y * 255 / h), 0x80, 0xFF})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pngDeclaring is a PNG header that claims w×h pixels and holds none: an
// image bomb as far as its header goes.
func pngDeclaring(w, h int) []byte {
	ihdr := make([]byte, 17)
	copy(ihdr, "IHDR")
	binary.BigEndian.PutUint32(ihdr[4:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[8:], uint32(h))
	ihdr[12], ihdr[13] = 8, 2 // 8-bit RGB
	out := []byte("\x89PNG\r\n\x1a\n")
	out = binary.BigEndian.AppendUint32(out, 13)
	out = append(out, ihdr...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(ihdr))
}

// file writes data to a temporary file and returns its URI.
func file(t *testing.T, name string, data []byte) fyne.URI {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return storage.NewFileURI(path)
}

func showPhotoPage(t *testing.T, m *fakePhotos) (*PhotoPage, fyne.Window) {
	t.Helper()
	setup(t)
	p := NewPhotoPage(m)
	w := show(t, p.Content())
	w.Resize(fyne.NewSize(900, 1000))
	return p, w
}

func TestPhotoPageRenders(t *testing.T) {
	m := newFakePhotos()
	m.me.Org.MembersChooseCover = false
	_, w := showPhotoPage(t, m)
	assertGolden(t, "photo.xml", w.Canvas())
}

func TestPhotoEditorRenders(t *testing.T) {
	p, w := showPhotoPage(t, newFakePhotos())
	p.Drop([]fyne.URI{file(t, "me.png", picture(t, 150, 120))})
	assertGolden(t, "photo_editor.xml", w.Canvas())
}

func TestPhotoRefusesFiles(t *testing.T) {
	valid := picture(t, 300, 300)
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"anim.gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), "Can't use anim.gif: it isn't a JPEG or PNG picture."},
		{"notes.png", []byte("just some text"), "Can't use notes.png: it isn't a JPEG or PNG picture."},
		{"huge.png", append(pngDeclaring(100, 100), make([]byte, photo.MaxBytes)...), "Can't use huge.png: the file is larger than 5 MB."},
		{"bomb.png", pngDeclaring(8000, 6000), "Can't use bomb.png: the picture has more than 40 megapixels."},
		{"cut.png", valid[:len(valid)/2], "Can't use cut.png: the file is damaged or incomplete."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newFakePhotos()
			p, _ := showPhotoPage(t, m)
			p.Drop([]fyne.URI{file(t, tt.name, tt.data)})
			if !p.status.problem.Visible() || p.status.problem.Text != tt.want {
				t.Errorf("problem = %q (visible %v), want %q", p.status.problem.Text, p.status.problem.Visible(), tt.want)
			}
			if p.editor.card.Visible() || p.editor.kind != 0 {
				t.Error("editor opened for a refused file")
			}
			if p.status.busy || p.status.progress.Visible() || p.chooseAvatar.Disabled() {
				t.Error("page left busy")
			}
		})
	}
}

func TestPhotoWarnsAboutSmallPictures(t *testing.T) {
	tests := []struct {
		w, h int
		want string
	}{
		{150, 180, "This picture is only 150×180 pixels, so it may look blurry. 200×200 or larger looks best."},
		{200, 640, ""},
	}
	for _, tt := range tests {
		p, _ := showPhotoPage(t, newFakePhotos())
		p.Drop([]fyne.URI{file(t, "me.png", picture(t, tt.w, tt.h))})
		if !p.editor.card.Visible() {
			t.Fatalf("%dx%d: editor not opened: %s", tt.w, tt.h, p.status.problem.Text)
		}
		if got := p.editor.small.Text; p.editor.small.Visible() != (tt.want != "") || p.editor.small.Visible() && got != tt.want {
			t.Errorf("%dx%d: warning %q (visible %v), want %q", tt.w, tt.h, got, p.editor.small.Visible(), tt.want)
		}
	}
}

func TestPhotoSaveUploadsTheCrop(t *testing.T) {
	tests := []struct {
		name      string
		kind      photo.Kind
		allowed   func(*api.OrgSummary)
		drag      fyne.Delta
		wantSize  image.Point
		wantTitle string
	}{
		{"avatar", photo.Avatar, func(o *api.OrgSummary) {}, fyne.NewDelta(-40, 25), image.Pt(512, 512), "Crop your photo"},
		{"cover dropped when avatars are set by the organisation", photo.Cover,
			func(o *api.OrgSummary) { o.MembersChooseAvatar = false }, fyne.NewDelta(0, -30), image.Pt(1500, 500), "Crop your cover photo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newFakePhotos()
			tt.allowed(&m.me.Org)
			p, w := showPhotoPage(t, m)
			data := picture(t, 600, 450)
			p.Drop([]fyne.URI{file(t, "me.png", data)})
			if p.editor.kind != tt.kind || p.editor.card.Title != tt.wantTitle {
				t.Fatalf("editing %v titled %q, want %v %q", p.editor.kind, p.editor.card.Title, tt.kind, tt.wantTitle)
			}
			c := p.editor.cropper()
			c.SetZoom(2)
			if p.editor.zoom.Value != 2 {
				t.Errorf("slider = %v after zooming to 2", p.editor.zoom.Value)
			}
			before := c.Crop()
			pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(c)
			test.Drag(w.Canvas(), pos.Add(fyne.NewPos(50, 50)), tt.drag.DX, tt.drag.DY)
			crop := c.Crop()
			if crop == before {
				t.Fatal("dragging did not move the crop")
			}
			test.Tap(p.editor.save)

			ups := m.uploads[tt.kind]
			if len(ups) != 1 {
				t.Fatalf("%d uploads of %v (problem %q)", len(ups), tt.kind, p.status.problem.Text)
			}
			want, err := photo.Process(data, tt.kind, crop)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(ups[0], want.Renditions[0].JPEG) {
				t.Error("uploaded JPEG is not photo's rendering of the crop shown")
			}
			cfg, err := jpeg.DecodeConfig(bytes.NewReader(ups[0]))
			if err != nil || image.Pt(cfg.Width, cfg.Height) != tt.wantSize {
				t.Errorf("uploaded %dx%d (%v), want %v", cfg.Width, cfg.Height, err, tt.wantSize)
			}
			if p.editor.card.Visible() || !p.status.notice.Visible() {
				t.Errorf("after saving: editor visible %v, notice %q", p.editor.card.Visible(), p.status.notice.Text)
			}
		})
	}
}

func TestPhotoZoomSliderAndWheel(t *testing.T) {
	p, _ := showPhotoPage(t, newFakePhotos())
	p.Drop([]fyne.URI{file(t, "me.png", picture(t, 800, 600))})
	c := p.editor.avatarCrop
	if p.editor.zoom.Min != photo.MinZoom || p.editor.zoom.Max != c.MaxZoom() {
		t.Errorf("slider range %v…%v, want %v…%v", p.editor.zoom.Min, p.editor.zoom.Max, photo.MinZoom, c.MaxZoom())
	}
	p.editor.zoom.SetValue(3)
	if c.Crop().Zoom != 3 {
		t.Errorf("slider at 3 gives zoom %v", c.Crop().Zoom)
	}
	c.Scrolled(&fyne.ScrollEvent{Scrolled: fyne.NewDelta(0, -25)})
	if z := c.Crop().Zoom; z >= 3 || math.Abs(p.editor.zoom.Value-z) > p.editor.zoom.Step {
		t.Errorf("wheel down: zoom %v, slider %v; want below 3 and equal", z, p.editor.zoom.Value)
	}
	if p.editor.preview.Image == nil || p.editor.smallPreview.Image == nil {
		t.Fatal("no preview rendered")
	}
	want, err := photo.Render(p.editor.source.preview, photo.Avatar, c.Crop())
	if err != nil {
		t.Fatal(err)
	}
	if got := p.editor.preview.Image.Bounds().Size(); got != want[1].Size {
		t.Errorf("preview is %v, want the %v rendition", got, want[1].Size)
	}
}

func TestPhotoRemoveShowsInitials(t *testing.T) {
	m := newFakePhotos()
	m.me.User.HasAvatar = true
	m.me.User.PhotoVersion = 7
	p, w := showPhotoPage(t, m)
	if len(m.fetched) != 1 || p.display.avatar.img.Image == nil || p.display.avatar.img.Image.Bounds().Dx() != 64 {
		t.Fatalf("stored avatar not shown: fetched %v", m.fetched)
	}
	p.Refresh()
	if len(m.fetched) != 1 {
		t.Error("refresh without a change fetched the avatar again")
	}
	test.Tap(p.removeAvatar)
	if len(m.removed) != 0 {
		t.Fatal("removed without asking")
	}
	answer(t, w, "Yes")
	if len(m.removed) != 1 || m.removed[0] != photo.Avatar {
		t.Fatalf("removed %v", m.removed)
	}
	want := photo.RenderInitials("BA", 2*avatarSide, "u-42").(*image.NRGBA)
	got, ok := p.display.avatar.img.Image.(*image.NRGBA)
	if !ok || !bytes.Equal(got.Pix, want.Pix) {
		t.Error("avatar does not show the initials BA on the user's colour")
	}
	if !p.removeAvatar.Disabled() || p.status.notice.Text != "Photo removed." {
		t.Errorf("remove enabled %v, notice %q", !p.removeAvatar.Disabled(), p.status.notice.Text)
	}
}

func TestPhotoServerCalls(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		tap     func(p *PhotoPage)
		check   func(m *fakePhotos) bool
		message string
	}{
		{"gravatar", nil, func(p *PhotoPage) { test.Tap(p.gravatar) },
			func(m *fakePhotos) bool { return m.gravatars == 1 && m.me.User.HasAvatar }, "Your Gravatar is now your photo."},
		{"gravatar refused", api.Refused(404, api.CodeNotFound, api.Because(api.ReasonNoGravatar)),
			func(p *PhotoPage) { test.Tap(p.gravatar) },
			func(m *fakePhotos) bool { return m.gravatars == 0 }, "Gravatar has no image for your email address"},
		{"remove cover", nil, func(p *PhotoPage) { p.RemoveCover() },
			func(m *fakePhotos) bool { return len(m.removed) == 1 && m.removed[0] == photo.Cover }, "Cover photo removed."},
		{"offline", &client.TransportError{Err: errors.New("connection refused")}, func(p *PhotoPage) { p.RemoveCover() },
			func(m *fakePhotos) bool { return len(m.removed) == 0 }, "Can't reach the server. Check your connection and try again."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newFakePhotos()
			m.me.User.HasCover = true
			m.err = tt.err
			p, _ := showPhotoPage(t, m)
			tt.tap(p)
			if !tt.check(m) {
				t.Error("model not called as expected")
			}
			label := p.status.notice
			if tt.err != nil {
				label = p.status.problem
			}
			if !label.Visible() || label.Text != tt.message {
				t.Errorf("message %q (visible %v), want %q", label.Text, label.Visible(), tt.message)
			}
		})
	}
}

func TestPhotoOrganisationSetsPhotos(t *testing.T) {
	m := newFakePhotos()
	m.me.Org = api.OrgSummary{}
	m.me.User.HasAvatar, m.me.User.HasCover = true, true
	p, _ := showPhotoPage(t, m)
	for name, b := range map[string]interface{ Disabled() bool }{
		"choose photo": p.chooseAvatar, "gravatar": p.gravatar, "remove photo": p.removeAvatar,
		"choose cover": p.chooseCover, "remove cover": p.removeCover,
	} {
		if !b.Disabled() {
			t.Errorf("%s enabled", name)
		}
	}
	if !p.avatarNote.Visible() || !p.coverNote.Visible() {
		t.Error("organisation notes hidden")
	}
	p.Drop([]fyne.URI{file(t, "me.png", picture(t, 300, 300))})
	if p.editor.card.Visible() || p.status.problem.Text != "Your organisation sets avatars." {
		t.Errorf("drop: editor %v, problem %q", p.editor.card.Visible(), p.status.problem.Text)
	}

	// The organisation changing its mind closes an open editor.
	m.me.Org.MembersChooseAvatar = true
	p.Refresh()
	p.Drop([]fyne.URI{file(t, "me.png", picture(t, 300, 300))})
	if !p.editor.card.Visible() {
		t.Fatal("editor not opened once allowed")
	}
	m.me.Org.MembersChooseAvatar = false
	p.Refresh()
	if p.editor.card.Visible() || p.editor.kind != 0 {
		t.Error("editor stayed open after the organisation took avatars over")
	}
}

func TestShownPhoto(t *testing.T) {
	for _, tc := range []struct {
		name                  string
		own, allowed, company bool
		wantAvatar, wantCover photoSource
	}{
		{"nothing set", false, true, false, sourceNone, sourceNone},
		{"own", true, true, false, sourceOwn, sourceOwn},
		{"own beats the company's", true, true, true, sourceOwn, sourceOwn},
		// A default cover fills in; a company avatar would hide who this is.
		{"company's where none of one's own", false, true, true, sourceNone, sourceCompany},
		{"organisation sets them", true, false, true, sourceCompany, sourceCompany},
		{"organisation sets them, none set yet", true, false, false, sourceOwn, sourceOwn},
		{"organisation sets them, nothing at all", false, false, false, sourceNone, sourceNone},
	} {
		t.Run(tc.name, func(t *testing.T) {
			me := api.Me{
				User: api.User{HasAvatar: tc.own, HasCover: tc.own},
				Org: api.OrgSummary{MembersChooseAvatar: tc.allowed, MembersChooseCover: tc.allowed,
					HasAvatar: tc.company, HasCover: tc.company},
			}
			if got := shownPhoto(me, photo.Avatar); got != tc.wantAvatar {
				t.Errorf("avatar from %v, want %v", got, tc.wantAvatar)
			}
			if got := shownPhoto(me, photo.Cover); got != tc.wantCover {
				t.Errorf("cover from %v, want %v", got, tc.wantCover)
			}
		})
	}
}

// The company avatar and default cover show where they stand in for the
// user's own, with the cover saying whose it is; the user's own cover
// replaces the default.
func TestPhotoShowsCompanyPhotos(t *testing.T) {
	m := newFakePhotos()
	m.me.Org = api.OrgSummary{MembersChooseCover: true, HasAvatar: true, HasCover: true, PhotoVersion: 3}
	p, _ := showPhotoPage(t, m)
	blue := func(img *canvas.Image) bool {
		if img.Image == nil {
			return false
		}
		r, g, b, _ := img.Image.At(1, 1).RGBA()
		return b > 0x9000 && r < 0x3000 && g < 0x3000
	}
	if !blue(p.display.avatar.img) || !blue(p.display.cover.img) {
		t.Fatal("the company avatar and default cover are not shown")
	}
	if !p.display.coverDefault.Visible() || p.display.coverNone.Visible() || !p.removeCover.Disabled() {
		t.Errorf("default cover: caption %v, \"no cover\" %v, remove enabled %v",
			p.display.coverDefault.Visible(), p.display.coverNone.Visible(), !p.removeCover.Disabled())
	}
	m.me.User.HasCover, m.me.User.PhotoVersion = true, 1
	p.Refresh()
	if blue(p.display.cover.img) || p.display.cover.img.Image == nil || p.display.coverDefault.Visible() || p.removeCover.Disabled() {
		t.Errorf("own cover: shown %v, caption %v, remove enabled %v", p.display.cover.img.Image != nil, p.display.coverDefault.Visible(), !p.removeCover.Disabled())
	}
}

// Removing the cover asks first; "No" keeps it.
func TestPhotoRemoveCoverAsks(t *testing.T) {
	m := newFakePhotos()
	m.me.User.HasCover = true
	p, w := showPhotoPage(t, m)
	test.Tap(p.removeCover)
	answer(t, w, "No")
	if len(m.removed) != 0 || !m.me.User.HasCover {
		t.Fatalf("removed %v after No", m.removed)
	}
	test.Tap(p.removeCover)
	answer(t, w, "Yes")
	if len(m.removed) != 1 || m.removed[0] != photo.Cover || p.status.notice.Text != "Cover photo removed." {
		t.Fatalf("removed %v, notice %q", m.removed, p.status.notice.Text)
	}
}

// answer taps the button labelled text in the dialog on top of w.
func answer(t *testing.T, w fyne.Window, text string) {
	t.Helper()
	top := w.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog shown")
	}
	b := findButton(top, text)
	if b == nil {
		t.Fatalf("the dialog has no %q button", text)
	}
	test.Tap(b)
}

// findButton is the first visible button labelled text in o.
func findButton(o fyne.CanvasObject, text string) (found *widget.Button) {
	walkVisible(o, func(c fyne.CanvasObject) {
		if b, ok := c.(*widget.Button); ok && b.Text == text && found == nil {
			found = b
		}
	})
	return found
}

func TestPhotoChooseOpensFileDialog(t *testing.T) {
	p, w := showPhotoPage(t, newFakePhotos())
	test.Tap(p.chooseCover)
	if w.Canvas().Overlays().Top() == nil {
		t.Fatal("no file dialog shown")
	}
	markup := test.RenderToMarkup(w.Canvas())
	if !strings.Contains(markup, "Open") {
		t.Error("overlay is not a file open dialog")
	}
}

// BenchmarkAvatarPreview is the background work after each pan or zoom: the
// stored sizes from a typical preview picture, and the two shown decoded.
func BenchmarkAvatarPreview(b *testing.B) {
	src := solid(1536, 1152, color.NRGBA{R: 90, G: 140, B: 200, A: 255})
	for b.Loop() {
		if _, err := renderAvatarPreviews(src, photo.Crop{Zoom: 1.5, X: 0.1}); err != nil {
			b.Fatal(err)
		}
	}
}
