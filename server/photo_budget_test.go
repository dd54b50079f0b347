package server

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"net/http"
	"testing"
	"time"

	"github.com/phoneset/phoneset/api"
	"github.com/phoneset/phoneset/photo"
)

// With the decode budget taken, an upload waits decodeWait and is turned
// away with 503 and Retry-After; with room again it goes through.
func TestDecodeBudget(t *testing.T) {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewNRGBA(image.Rect(0, 0, 300, 300))); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if err := decoding.Acquire(ctx, decodeBudget); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, _, err := renditions(ctx, b.Bytes(), photo.Avatar, photo.Crop{}, "test")
	var ae *api.Error
	if !errors.As(err, &ae) || ae.Status != http.StatusServiceUnavailable || ae.Code != api.CodeUnavailable || ae.RetryAfter <= 0 {
		t.Fatalf("with the budget taken: %v", err)
	}
	if waited := time.Since(start); waited < decodeWait {
		t.Errorf("turned away after %v, before waiting %v", waited, decodeWait)
	}
	decoding.Release(decodeBudget)
	if _, _, err := renditions(ctx, b.Bytes(), photo.Avatar, photo.Crop{}, "test"); err != nil {
		t.Fatalf("with room: %v", err)
	}
	if !decoding.TryAcquire(decodeBudget) {
		t.Fatal("an upload kept part of the budget")
	}
	decoding.Release(decodeBudget)
}
