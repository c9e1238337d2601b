// Command hello prints a greeting; it only uses builtins so it needs little of the standard library.
package main

import "example.com/gocachemod/lib/strs"

func main() {
	println(strs.Reverse("olleh"))
}
