package photo

import (
	"image"

	"github.com/disintegration/imaging"
)

// upright applies the orientation to a stored image.
func (o Orientation) upright(img image.Image) *image.NRGBA {
	switch o {
	case OrientFlipH:
		return imaging.FlipH(img)
	case OrientRotate180:
		return imaging.Rotate180(img)
	case OrientFlipV:
		return imaging.FlipV(img)
	case OrientTranspose:
		return imaging.Transpose(img)
	case OrientRotate90CW:
		return imaging.Rotate270(img) // imaging turns counter-clockwise
	case OrientTransverse:
		return imaging.Transverse(img)
	case OrientRotate90CC:
		return imaging.Rotate90(img)
	}
	return toNRGBA(img)
}

// stored maps a region of the upright image to the stored image of size
// w×h (before orientation), so cropping can happen before rotating.
func (o Orientation) stored(r region, w, h int) region {
	fw, fh := float64(w), float64(h)
	ax, ay := o.storedPoint(r.x0, r.y0, fw, fh)
	bx, by := o.storedPoint(r.x1, r.y1, fw, fh)
	return region{min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)}
}

// storedPoint maps a point of the upright image to the stored image of
// size w×h, in continuous coordinates (pixel edges at integers).
func (o Orientation) storedPoint(x, y, w, h float64) (float64, float64) {
	switch o {
	case OrientFlipH:
		return w - x, y
	case OrientRotate180:
		return w - x, h - y
	case OrientFlipV:
		return x, h - y
	case OrientTranspose:
		return y, x
	case OrientRotate90CW:
		return y, h - x
	case OrientTransverse:
		return w - y, h - x
	case OrientRotate90CC:
		return w - y, x
	}
	return x, y
}
