// An example kept out of the build: the go tool ignores directories starting with _.
package main

import "example.com/shop/pkg/log"

func main() {
	log.New("demo").Info("hello, shop", nil)
}
