package ui

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/photo"
)

// Display sizes, in Fyne units.
const (
	avatarSide      = 96
	smallAvatarSide = 32
	coverWidth      = 360
)

// photoDisplay shows the avatar and the cover that stand for the user.
type photoDisplay struct {
	avatar       shownImage
	cover        shownImage
	coverNone    *widget.Label // shown when there is no cover at all
	coverDefault *widget.Label // shown under the organisation's cover
}

func newPhotoDisplay() *photoDisplay {
	d := &photoDisplay{}
	d.avatar.img = roundImage(avatarSide)
	d.cover.img = canvas.NewImageFromImage(nil)
	d.cover.img.FillMode = canvas.ImageFillContain
	d.cover.img.SetMinSize(fyne.NewSize(coverWidth, coverWidth/3))
	d.coverNone = widget.NewLabelWithStyle(lang.L("No cover photo"), fyne.TextAlignCenter, fyne.TextStyle{Italic: true})
	d.coverDefault = widget.NewLabelWithStyle(lang.L("Your organisation's default cover"), fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
	return d
}

// show shows what stands for the user in me, fetching stored pictures
// from m.
func (d *photoDisplay) show(me api.Me, m PhotoModel) {
	d.showAvatar(me, m)
	d.showCover(me, m)
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
func (d *photoDisplay) showAvatar(me api.Me, m PhotoModel) {
	switch shownPhoto(me, photo.Avatar) {
	case sourceOwn:
		d.avatar.fetch("photo:"+strconv.FormatInt(me.User.PhotoVersion, 10), m.Avatar, 2*avatarSide)
		return
	case sourceCompany:
		d.avatar.fetch("company:"+strconv.FormatInt(me.Org.PhotoVersion, 10), m.CompanyAvatar, 2*avatarSide)
		return
	}
	name := me.Profile.DisplayName
	if photo.Initials(name) == "" {
		name = me.Profile.Email
	}
	initials := photo.Initials(name)
	if key := "initials:" + initials + ":" + me.User.ID; key != d.avatar.key {
		d.avatar.set(key, photo.RenderInitials(initials, 2*avatarSide, me.User.ID))
	}
}

func (d *photoDisplay) showCover(me api.Me, m PhotoModel) {
	src := shownPhoto(me, photo.Cover)
	d.coverNone.Hidden = src != sourceNone
	d.coverDefault.Hidden = src != sourceCompany
	d.coverNone.Refresh()
	d.coverDefault.Refresh()
	switch src {
	case sourceOwn:
		d.cover.fetch("photo:"+strconv.FormatInt(me.User.PhotoVersion, 10), m.Cover, 2*coverWidth)
	case sourceCompany:
		d.cover.fetch("company:"+strconv.FormatInt(me.Org.PhotoVersion, 10), m.CompanyCover, 2*coverWidth)
	default:
		d.cover.set("", nil)
	}
}
