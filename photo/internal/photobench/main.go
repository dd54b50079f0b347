// Command photobench runs the photo pipeline on one file, for
// scripts/bench-photo.sh to time against ImageMagick and vipsthumbnail.
//
//	photobench -gen 4000x3000 photo.jpg      write a synthetic camera-like JPEG
//	photobench -out DIR [-kind avatar] FILE  Process FILE, write DIR/<size>.jpg
//	photobench -n 20 FILE                    also print the in-process mean time
package main

import (
	"bytes"
	"flag"
	"fmt"
	"image/jpeg"
	"os"
	"path/filepath"
	"time"

	"github.com/phoneset/phoneset/photo"
	"github.com/phoneset/phoneset/photo/internal/synth"
)

func main() {
	gen := flag.String("gen", "", "write a synthetic JPEG of this size (WxH) to FILE and exit")
	kind := flag.String("kind", "avatar", "avatar or cover")
	out := flag.String("out", "", "directory for the stored sizes (none written if empty)")
	n := flag.Int("n", 1, "process this many times; with n > 1 print the mean")
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *gen, *kind, *out, *n); err != nil {
		fmt.Fprintln(os.Stderr, "photobench:", err)
		os.Exit(1)
	}
}

func run(file, gen, kind, out string, n int) error {
	if gen != "" {
		var w, h int
		if _, err := fmt.Sscanf(gen, "%dx%d", &w, &h); err != nil {
			return fmt.Errorf("-gen %q: want WxH", gen)
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, synth.Photo(w, h), &jpeg.Options{Quality: 90}); err != nil {
			return err
		}
		return os.WriteFile(file, buf.Bytes(), 0o644)
	}
	k := photo.Avatar
	if kind == "cover" {
		k = photo.Cover
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var res photo.Result
	start := time.Now()
	for range max(n, 1) {
		if res, err = photo.Process(data, k, photo.Crop{}); err != nil {
			return err
		}
	}
	if n > 1 {
		fmt.Printf("%.1f ms/op\n", float64(time.Since(start).Microseconds())/1000/float64(n))
	}
	if out == "" {
		return nil
	}
	for _, r := range res.Renditions {
		name := filepath.Join(out, fmt.Sprintf("%dx%d.jpg", r.Size.X, r.Size.Y))
		if err := os.WriteFile(name, r.JPEG, 0o644); err != nil {
			return err
		}
	}
	return nil
}
