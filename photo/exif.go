package photo

import (
	"bytes"
	"encoding/binary"
)

// Orientation is the EXIF orientation tag (1–8): how the stored pixels must
// be transformed for display. 1 is upright; 5–8 swap width and height.
type Orientation int

// The EXIF orientations, named by the transform that displays them upright.
const (
	OrientNormal     Orientation = 1 // as stored
	OrientFlipH      Orientation = 2 // mirror left–right
	OrientRotate180  Orientation = 3
	OrientFlipV      Orientation = 4 // mirror top–bottom
	OrientTranspose  Orientation = 5 // mirror along the main diagonal
	OrientRotate90CW Orientation = 6
	OrientTransverse Orientation = 7 // mirror along the anti-diagonal
	OrientRotate90CC Orientation = 8 // a quarter turn counter-clockwise
)

func (o Orientation) swapsAxes() bool { return o >= OrientTranspose && o <= OrientRotate90CC }

const exifOrientationTag = 0x0112

// readOrientation finds the EXIF orientation in a JPEG's APP1 segment or a
// PNG's eXIf chunk. Anything missing or malformed means upright: the
// orientation is a display hint, never a reason to refuse an image.
func readOrientation(f Format, data []byte) Orientation {
	var tiff []byte
	switch f {
	case JPEG:
		tiff = jpegExif(data)
	case PNG:
		tiff = pngExif(data)
	}
	return tiffOrientation(tiff)
}

// jpegExif returns the TIFF payload of the first Exif APP1 segment before
// the image data.
func jpegExif(data []byte) []byte {
	exifHeader := []byte("Exif\x00\x00")
	i := 2 // after SOI
	for i+4 <= len(data) {
		if data[i] != 0xFF {
			return nil
		}
		marker := data[i+1]
		switch {
		case marker == 0xFF: // fill byte
			i++
			continue
		case marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8): // no length
			i += 2
			continue
		case marker == 0xDA || marker == 0xD9: // start of scan, end of image
			return nil
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			return nil
		}
		seg := data[i+4 : i+2+n]
		if marker == 0xE1 && bytes.HasPrefix(seg, exifHeader) {
			return seg[len(exifHeader):]
		}
		i += 2 + n
	}
	return nil
}

// pngExif returns the payload of an eXIf chunk placed before the image data
// (viewers ignore one after it).
func pngExif(data []byte) []byte {
	i := len(magicPNG)
	for i+8 <= len(data) {
		n := binary.BigEndian.Uint32(data[i:])
		typ := string(data[i+4 : i+8])
		if uint64(n) > uint64(len(data)-i-8) || typ == "IDAT" || typ == "IEND" {
			return nil
		}
		if typ == "eXIf" {
			return data[i+8 : i+8+int(n)]
		}
		i += 12 + int(n) // length, type, data, CRC
	}
	return nil
}

// tiffOrientation reads tag 0x0112 from IFD0 of a TIFF structure.
func tiffOrientation(b []byte) Orientation {
	if len(b) < 8 {
		return OrientNormal
	}
	var order binary.ByteOrder
	switch string(b[:2]) {
	case "II":
		order = binary.LittleEndian
	case "MM":
		order = binary.BigEndian
	default:
		return OrientNormal
	}
	if order.Uint16(b[2:]) != 42 {
		return OrientNormal
	}
	ifd := uint64(order.Uint32(b[4:]))
	if ifd+2 > uint64(len(b)) {
		return OrientNormal
	}
	count := uint64(order.Uint16(b[ifd:]))
	for e := ifd + 2; e+12 <= uint64(len(b)) && count > 0; e, count = e+12, count-1 {
		if order.Uint16(b[e:]) != exifOrientationTag {
			continue
		}
		const typeShort = 3
		if order.Uint16(b[e+2:]) != typeShort || order.Uint32(b[e+4:]) < 1 {
			return OrientNormal
		}
		if v := Orientation(order.Uint16(b[e+8:])); v >= OrientNormal && v <= OrientRotate90CC {
			return v
		}
		return OrientNormal
	}
	return OrientNormal
}
