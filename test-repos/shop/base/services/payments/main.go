// Command payments authorises and settles card payments.
package main

import (
	"fmt"

	"example.com/shop/internal/db"
	"example.com/shop/pkg/checksum"
	"example.com/shop/pkg/fastmath"
	"example.com/shop/pkg/money"
)

func main() {
	store := db.Open("payments")
	a := money.Amount{Cents: fastmath.Total([]int64{1000, 250, 49}), Currency: "EUR"}
	sig := checksum.Sum([]byte(a.String()))
	store.Put("payment/1", fmt.Sprintf("%s %08x", a, sig))
	fmt.Println("settled", a, fmt.Sprintf("%08x", sig))
}
