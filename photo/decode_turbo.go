//go:build linux && cgo && !photo_purego

package photo

/*
#cgo LDFLAGS: -lturbojpeg
#include <turbojpeg.h>
*/
import "C"

import (
	"image"
	"unsafe"
)

// decodeJPEG decodes with libjpeg-turbo, letting the IDCT shrink the image
// by the smallest factor that keeps it at least minScale of full size.
// CMYK/YCCK JPEGs, and anything libjpeg-turbo stops at (even on a warning,
// such as a truncated file), go to the standard library decoder, so both
// builds accept and refuse the same files.
func decodeJPEG(data []byte, minScale float64) (image.Image, error) {
	if len(data) == 0 {
		return decodeJPEGStd(data)
	}
	h := C.tjInitDecompress()
	if h == nil {
		return decodeJPEGStd(data)
	}
	defer C.tjDestroy(h)

	src := (*C.uchar)(unsafe.Pointer(&data[0]))
	var w, ht, subsamp, colorspace C.int
	if C.tjDecompressHeader3(h, src, C.ulong(len(data)), &w, &ht, &subsamp, &colorspace) != 0 {
		return decodeJPEGStd(data)
	}
	switch colorspace {
	case C.TJCS_YCbCr, C.TJCS_GRAY, C.TJCS_RGB:
	default:
		return decodeJPEGStd(data)
	}
	sf := turboScale(minScale)
	sw := int((int(w)*int(sf.num) + int(sf.denom) - 1) / int(sf.denom))
	sh := int((int(ht)*int(sf.num) + int(sf.denom) - 1) / int(sf.denom))
	// RGBA: the output is opaque, so premultiplied and straight alpha agree.
	img := image.NewRGBA(image.Rect(0, 0, sw, sh))
	const flags = C.TJFLAG_STOPONWARNING | C.TJFLAG_LIMITSCANS
	if C.tjDecompress2(h, src, C.ulong(len(data)), (*C.uchar)(unsafe.Pointer(&img.Pix[0])),
		C.int(sw), C.int(img.Stride), C.int(sh), C.TJPF_RGBA, flags) != 0 {
		return decodeJPEGStd(data)
	}
	return img, nil
}

// turboScale picks the smallest scaling factor not below minScale, at most 1.
func turboScale(minScale float64) C.tjscalingfactor {
	best := C.tjscalingfactor{num: 1, denom: 1}
	var n C.int
	p := C.tjGetScalingFactors(&n)
	if p == nil {
		return best
	}
	for _, f := range unsafe.Slice(p, int(n)) {
		v := float64(f.num) / float64(f.denom)
		if v <= 1 && v >= minScale && v < float64(best.num)/float64(best.denom) {
			best = f
		}
	}
	return best
}
