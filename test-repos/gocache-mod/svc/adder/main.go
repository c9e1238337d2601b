// Command adder prints a sum.
package main

import "example.com/gocachemod/lib/calc"

func main() {
	println(calc.Label(calc.Sum(1, 2, 3)))
}
