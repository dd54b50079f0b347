package account

import (
	"context"
	"errors"
	"net/http"

	"github.com/phoneset/phoneset/api"
)

// Photos change on the server at once (they are too large to queue); Me is
// refetched afterwards so HasAvatar, HasCover and PhotoVersion follow.

// UploadAvatar makes a JPEG or PNG the avatar.
func (m *Model) UploadAvatar(ctx context.Context, image []byte) error {
	return m.upload(ctx, api.PhotoAvatar, image)
}

// UploadCover makes a JPEG or PNG the cover photo.
func (m *Model) UploadCover(ctx context.Context, image []byte) error {
	return m.upload(ctx, api.PhotoCover, image)
}

// RemoveAvatar deletes the avatar; the app shows initials instead.
func (m *Model) RemoveAvatar(ctx context.Context) error { return m.remove(ctx, api.PhotoAvatar) }

// RemoveCover deletes the cover photo.
func (m *Model) RemoveCover(ctx context.Context) error { return m.remove(ctx, api.PhotoCover) }

// ImportGravatar makes the Gravatar of the account's email the avatar.
func (m *Model) ImportGravatar(ctx context.Context) error {
	return m.photoChanged(ctx, func(v int64) error { _, err := m.c.UseGravatar(ctx, v); return err })
}

// Avatar fetches the avatar at about size pixels wide.
func (m *Model) Avatar(ctx context.Context, size int) ([]byte, error) {
	return m.c.Photo(ctx, api.PhotoAvatar, size)
}

// Cover fetches the cover photo at about size pixels wide.
func (m *Model) Cover(ctx context.Context, size int) ([]byte, error) {
	return m.c.Photo(ctx, api.PhotoCover, size)
}

// CompanyAvatar fetches the organisation's avatar at about size pixels
// wide; it stands in for members' own where the organisation sets avatars.
func (m *Model) CompanyAvatar(ctx context.Context, size int) ([]byte, error) {
	return m.c.CompanyPhoto(ctx, api.PhotoAvatar, size)
}

// CompanyCover fetches the organisation's default cover photo.
func (m *Model) CompanyCover(ctx context.Context, size int) ([]byte, error) {
	return m.c.CompanyPhoto(ctx, api.PhotoCover, size)
}

func (m *Model) upload(ctx context.Context, kind string, image []byte) error {
	return m.photoChanged(ctx, func(v int64) error {
		_, err := m.c.UploadPhoto(ctx, kind, v, image, http.DetectContentType(image))
		return err
	})
}

func (m *Model) remove(ctx context.Context, kind string) error {
	return m.photoChanged(ctx, func(v int64) error { _, err := m.c.RemovePhoto(ctx, kind, v); return err })
}

// photoChanged runs change at the photo version Me knows. When a photo
// changed elsewhere (412) it refetches and tries once more: the user's
// choice is the latest.
func (m *Model) photoChanged(ctx context.Context, change func(version int64) error) error {
	if !m.SignedIn() {
		return ErrSignedOut
	}
	err := change(m.Me().User.PhotoVersion)
	if errors.Is(err, api.ErrStale) {
		if err = m.Refresh(ctx); err == nil {
			err = change(m.Me().User.PhotoVersion)
		}
	}
	if err != nil {
		return err
	}
	return m.Refresh(ctx)
}
