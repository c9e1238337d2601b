// Command billing issues invoices. Its module vendors every dependency (see vendor/).
package main

import (
	"fmt"

	"example.com/shop/libs/geo"
	"example.com/shop/services/billing/invoice"
	"github.com/acme/ledger"
)

func main() {
	inv := invoice.New("c-1", 2499)
	bal := ledger.Balance([]ledger.Entry{{Debit: "customer", Credit: "shop", Cents: inv.Cents}})
	km := geo.Distance(geo.Point{Lat: 48.1, Lon: 11.6}, geo.Point{Lat: 50.1, Lon: 8.7})
	fmt.Println(inv, bal["shop"], km)
}
