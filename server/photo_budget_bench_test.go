package server_test

import (
	"bufio"
	"bytes"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
)

// flatImage is a w×h picture of one colour that holds no pixels, so a
// 40-megapixel upload is made without 160 MB in the benchmark's own heap.
type flatImage struct{ w, h int }

func (f flatImage) ColorModel() color.Model { return color.RGBAModel }
func (f flatImage) Bounds() image.Rectangle { return image.Rect(0, 0, f.w, f.h) }
func (f flatImage) At(x, y int) color.Color {
	return color.RGBA{R: 40, G: 90, B: uint8(x / 40), A: 255}
}

// procStatusKB reads a size in kB from /proc/self/status.
func procStatusKB(b *testing.B, field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Skip("no /proc/self/status:", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	b.Fatalf("no %s in /proc/self/status", field)
	return 0
}

// BenchmarkPhotoUploadBurst uploads eight 40-megapixel PNGs at once and
// reports how far the peak RSS (VmHWM) grew above the resident size before,
// and how many uploads were turned away (503) for want of decode budget.
func BenchmarkPhotoUploadBurst(b *testing.B) {
	const uploads = 8
	e := newEnv(b)
	a := e.agent1()
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, flatImage{8000, 5000}); err != nil {
		b.Fatal(err)
	}
	body := buf.Bytes()
	var growth, busy int64
	version := int64(1) // the photos' version; each round's one success bumps it
	for b.Loop() {
		runtime.GC()
		debug.FreeOSMemory()
		if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
			b.Skip("cannot reset the peak RSS:", err)
		}
		before := procStatusKB(b, "VmRSS")
		answers := e.race(uploads, func(int) req {
			return req{method: "PUT", path: "/v1/me/avatar", token: a.AccessToken, body: body, ctype: "image/png", header: ifMatch(version)}
		})
		growth = max(growth, procStatusKB(b, "VmHWM")-before)
		for _, r := range answers {
			switch r.status {
			case http.StatusOK:
				version++
			case http.StatusPreconditionFailed:
			case http.StatusServiceUnavailable:
				busy++
			default:
				b.Fatalf("upload: %d %s", r.status, r.body)
			}
		}
	}
	b.ReportMetric(float64(growth)/1024, "peak-RSS-growth-MB")
	b.ReportMetric(float64(busy)/float64(b.N), "busy/op")
}
