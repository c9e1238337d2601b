//go:build !amd64

package fastmath

func total(xs []int64) int64 {
	var t int64
	for _, x := range xs {
		t += x
	}
	return t
}
