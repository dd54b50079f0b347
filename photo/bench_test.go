package photo

import (
	"bytes"
	"image/jpeg"
	"sync"
	"testing"

	"github.com/phoneset/phoneset/photo/internal/synth"
)

var photo12MP = sync.OnceValue(func() []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, synth.Photo(4000, 3000), &jpeg.Options{Quality: 90}); err != nil {
		panic(err)
	}
	return buf.Bytes()
})

// BenchmarkProcess12MP is the server's path for a camera photo: 12 MP JPEG
// in, centred crop, the stored sizes out.
func BenchmarkProcess12MP(b *testing.B) {
	for _, k := range []Kind{Avatar, Cover} {
		b.Run(k.String(), func(b *testing.B) {
			data := photo12MP()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := Process(data, k, Crop{Zoom: 1.2, X: 0.05}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
