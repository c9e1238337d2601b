//go:build !amd64

package fastmath

func total(xs []int64) int64 {
	var t int64 // portable fallback
	for i := range xs {
		x := xs[i]
		t += x
	}
	return t
}
