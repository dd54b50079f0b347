package audio

import (
	"math"
	"math/bits"
	"math/cmplx"
)

// fft transforms x in place (radix 2; len(x) must be a power of two).
// inverse computes the unscaled inverse transform.
func fft(x []complex128, inverse bool) {
	n := len(x)
	if n <= 1 {
		return
	}
	shift := 64 - bits.TrailingZeros(uint(n))
	for i := range n {
		j := int(bits.Reverse64(uint64(i)) >> shift)
		if j > i {
			x[i], x[j] = x[j], x[i]
		}
	}
	sign := -1.0
	if inverse {
		sign = 1
	}
	for size := 2; size <= n; size <<= 1 {
		step := cmplx.Rect(1, sign*2*math.Pi/float64(size))
		half := size / 2
		for start := 0; start < n; start += size {
			w := complex(1, 0)
			for k := range half {
				a, b := x[start+k], x[start+k+half]*w
				x[start+k], x[start+k+half] = a+b, a-b
				w *= step
			}
		}
	}
}

// xcorr returns r[k] = Σ x[k+i]·ref[i] for every k where ref fits inside x
// (len(x)-len(ref)+1 values), computed with FFTs.
func xcorr(x, ref []float32) []float64 {
	lags := len(x) - len(ref) + 1
	if len(ref) == 0 || lags <= 0 {
		return nil
	}
	n := 1
	for n < len(x)+len(ref) {
		n <<= 1
	}
	a := make([]complex128, n)
	b := make([]complex128, n)
	for i, v := range x {
		a[i] = complex(float64(v), 0)
	}
	for i, v := range ref {
		b[i] = complex(float64(v), 0)
	}
	fft(a, false)
	fft(b, false)
	for i := range a {
		a[i] *= cmplx.Conj(b[i])
	}
	fft(a, true)
	out := make([]float64, lags)
	for k := range out {
		out[k] = real(a[k]) / float64(n)
	}
	return out
}
