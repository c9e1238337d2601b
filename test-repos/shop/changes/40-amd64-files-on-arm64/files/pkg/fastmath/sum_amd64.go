package fastmath

// total is implemented in sum_amd64.s.
//
//go:noescape
func total(xs []int64) int64
