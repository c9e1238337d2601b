// Package calc is the second library of the gocache fixture; it uses strs.
package calc

import "example.com/gocachemod/lib/strs"

// Sum adds the numbers.
func Sum(xs ...int) int {
	t := 0
	for _, x := range xs {
		t += x
	}
	return t
}

// Label names a sum, reversed for no reason but to import strs.
func Label(n int) string {
	return strs.Reverse("mus") + itoa(n)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	if neg {
		b = append([]byte{'-'}, b...)
	}
	return string(b)
}
