package account

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"testing"

	"github.com/phoneset/phoneset/api"
)

func TestPhotos(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var pngData bytes.Buffer
	must(t, png.Encode(&pngData, img))
	ctx := context.Background()

	h := newHarness(t)
	m := h.signedIn()
	tests := []struct {
		name       string
		do         func() error
		wantAvatar bool
		wantCover  bool
	}{
		{"upload avatar", func() error { return m.UploadAvatar(ctx, pngData.Bytes()) }, true, false},
		{"upload cover", func() error { return m.UploadCover(ctx, pngData.Bytes()) }, true, true},
		{"remove avatar", func() error { return m.RemoveAvatar(ctx) }, false, true},
		{"remove cover", func() error { return m.RemoveCover(ctx) }, false, false},
	}
	version := m.Me().User.PhotoVersion
	for _, tt := range tests {
		must(t, tt.do())
		u := m.Me().User
		if u.HasAvatar != tt.wantAvatar || u.HasCover != tt.wantCover {
			t.Errorf("%s: avatar %v cover %v, want %v %v", tt.name, u.HasAvatar, u.HasCover, tt.wantAvatar, tt.wantCover)
		}
		if u.PhotoVersion <= version {
			t.Errorf("%s: photo version %d did not move past %d", tt.name, u.PhotoVersion, version)
		}
		version = u.PhotoVersion
	}
	// A photo changed on another device: the upload still wins.
	h.srv.mu.Lock()
	h.srv.me.User.PhotoVersion += 5
	h.srv.mu.Unlock()
	must(t, m.UploadAvatar(ctx, pngData.Bytes()))
	if !m.Me().User.HasAvatar || m.Me().User.PhotoVersion != version+6 {
		t.Errorf("after a stale upload: %+v", m.Me().User)
	}
	got, err := m.Avatar(ctx, 128)
	must(t, err)
	if !bytes.Equal(got, pngData.Bytes()) {
		t.Error("fetched avatar differs from the upload")
	}
	if _, err := m.Cover(ctx, 128); !errors.Is(err, api.ErrNotFound) {
		t.Errorf("missing cover: %v", err)
	}
	if err := m.UploadCover(ctx, []byte("GIF89a...")); !errors.Is(err, &api.Error{Code: api.CodeUnsupportedMedia}) {
		t.Errorf("GIF upload: %v", err)
	}
}
