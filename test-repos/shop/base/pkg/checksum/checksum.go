// Package checksum computes payment payload checksums, in C when cgo is on.
package checksum

// Sum returns the checksum of data.
func Sum(data []byte) uint32 {
	return sum(data)
}
