// Command orders takes and tracks customer orders.
package main

import (
	"example.com/shop/internal/db"
	"example.com/shop/libs/geo"
	"example.com/shop/pkg/log"
	"example.com/shop/pkg/money"
	"example.com/shop/services/orders/internal/store"
)

func main() {
	lg := log.New("orders")
	s := store.New(db.Open("orders"))
	total, _ := money.Amount{Cents: 1999, Currency: "EUR"}.Add(money.Amount{Cents: 500, Currency: "EUR"})
	s.Save(store.Order{ID: "o-1", Total: total})
	km := geo.Distance(geo.Point{Lat: 48.1, Lon: 11.6}, geo.Point{Lat: 52.5, Lon: 13.4})
	lg.Info("order saved", map[string]string{"total": total.String(), "km": km.String()})
}
