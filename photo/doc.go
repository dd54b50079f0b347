// Package photo is the image pipeline shared by the server (avatar and cover
// intake) and the app (avatar cropper, initials fallback).
//
// An upload goes through Inspect (format sniffed from magic bytes, size and
// pixel limits checked from the header alone), then Process, which decodes
// honouring EXIF orientation, crops with the same maths the cropper uses and
// re-encodes fixed sizes as metadata-free JPEG. On Linux with cgo, JPEGs are
// decoded through libjpeg-turbo with DCT scaling; elsewhere (and with the
// build tag photo_purego) the standard library decoder is used.
//
// The package never imports Fyne.
package photo
