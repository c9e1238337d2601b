//go:build cgo

package checksum

// #include "checksum.h"
import "C"

import "unsafe"

func sum(data []byte) uint32 {
	if len(data) == 0 {
		return uint32(C.fnv1a(nil, 0))
	}
	return uint32(C.fnv1a((*C.uchar)(unsafe.Pointer(&data[0])), C.size_t(len(data))))
}
