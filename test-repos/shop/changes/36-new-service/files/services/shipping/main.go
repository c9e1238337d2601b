// Command shipping books parcels for paid orders.
package main

import (
	"fmt"

	"example.com/shop/libs/geo"
	"example.com/shop/pkg/money"
)

func main() {
	fee := money.Amount{Cents: 490, Currency: "EUR"}
	km := geo.Distance(geo.Point{Lat: 48.1, Lon: 11.6}, geo.Point{Lat: 53.6, Lon: 10.0})
	fmt.Println("parcel booked:", km, "fee", fee)
}
