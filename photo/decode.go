package photo

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"

	"github.com/disintegration/imaging"
)

// Decode decodes an upload at full resolution, upright (EXIF orientation
// applied). It calls Inspect first, so limits hold.
func Decode(data []byte) (*image.NRGBA, Info, error) {
	return decodeUpright(data, func(image.Point) float64 { return 1 })
}

// DecodeAtLeast decodes an upload upright, letting a JPEG decode at a
// reduced DCT scale (1/8…1) as long as the result stays at least w×h
// (upright). The cropper uses it for a fast preview; Info.Size still gives
// the full size. PNGs, and JPEGs without libjpeg-turbo, decode at full size.
func DecodeAtLeast(data []byte, w, h int) (*image.NRGBA, Info, error) {
	return decodeUpright(data, func(size image.Point) float64 {
		return max(float64(w)/float64(size.X), float64(h)/float64(size.Y))
	})
}

func decodeUpright(data []byte, scale func(upright image.Point) float64) (*image.NRGBA, Info, error) {
	info, err := Inspect(data)
	if err != nil {
		return nil, info, err
	}
	img, err := decodeStored(data, info, scale(info.Size()))
	if err != nil {
		return nil, info, err
	}
	return info.Orientation.upright(img), info, nil
}

// decodeStored decodes pixels as stored (before orientation), at a scale of
// at least minScale when the decoder can shrink on load. The result is one
// of the image types imaging reads without per-pixel interface calls.
func decodeStored(data []byte, info Info, minScale float64) (image.Image, error) {
	var img image.Image
	var err error
	switch info.Format {
	case JPEG:
		img, err = decodeJPEG(data, min(minScale, 1))
	case PNG:
		img, err = png.Decode(bytes.NewReader(data))
	default:
		return nil, &Error{Reason: ReasonType, Detail: info.Format.String()}
	}
	if err != nil {
		return nil, &Error{Reason: ReasonCorrupt, Detail: info.Format.String(), Err: err}
	}
	b := img.Bounds()
	if b.Dx() <= 0 || b.Dy() <= 0 || b.Dx() > info.Width || b.Dy() > info.Height {
		return nil, &Error{Reason: ReasonCorrupt, Detail: fmt.Sprintf("decoded %dx%d, header says %dx%d",
			b.Dx(), b.Dy(), info.Width, info.Height)}
	}
	switch img.(type) {
	case *image.NRGBA, *image.NRGBA64, *image.RGBA, *image.RGBA64,
		*image.Gray, *image.Gray16, *image.YCbCr, *image.Paletted:
		return img, nil
	}
	return toNRGBA(img), nil
}

// decodeJPEGStd is the standard library decoder: the fallback everywhere,
// and the only decoder for CMYK/YCCK JPEGs.
func decodeJPEGStd(data []byte) (image.Image, error) {
	return jpeg.Decode(bytes.NewReader(data))
}

// toNRGBA converts any image to NRGBA at origin (0,0). CMYK gets a direct
// loop: imaging would go through color.Color per pixel.
func toNRGBA(img image.Image) *image.NRGBA {
	switch m := img.(type) {
	case *image.NRGBA:
		if m.Rect.Min == (image.Point{}) {
			return m
		}
	case *image.RGBA:
		// Opaque premultiplied pixels are already straight: share them.
		if m.Rect.Min == (image.Point{}) && m.Opaque() {
			return &image.NRGBA{Pix: m.Pix, Stride: m.Stride, Rect: m.Rect}
		}
	case *image.CMYK:
		b := m.Rect
		dst := image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
		for y := 0; y < b.Dy(); y++ {
			src := m.Pix[y*m.Stride : y*m.Stride+b.Dx()*4]
			out := dst.Pix[y*dst.Stride : y*dst.Stride+b.Dx()*4]
			for i := 0; i < len(src); i += 4 {
				r, g, bl := color.CMYKToRGB(src[i], src[i+1], src[i+2], src[i+3])
				out[i], out[i+1], out[i+2], out[i+3] = r, g, bl, 0xFF
			}
		}
		return dst
	}
	return imaging.Clone(img)
}
