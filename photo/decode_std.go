//go:build !linux || !cgo || photo_purego

package photo

import "image"

// decodeJPEG without libjpeg-turbo: the standard library cannot shrink on
// load, so minScale is not used and the image decodes at full size.
func decodeJPEG(data []byte, minScale float64) (image.Image, error) {
	return decodeJPEGStd(data)
}
