// Command inventory tracks stock per warehouse (its own module, nested in the shop module).
package main

import (
	"example.com/shop/libs/geo"
	"example.com/shop/pkg/log"
	"example.com/shop/services/inventory/internal/stock"
)

func main() {
	lg := log.New("inventory")
	s := stock.New()
	s.Add("coffee-1kg", 40)
	nearest := geo.Distance(geo.Point{Lat: 48.1, Lon: 11.6}, geo.Point{Lat: 48.2, Lon: 16.4})
	lg.Info("stock", map[string]string{"coffee-1kg": s.Count("coffee-1kg"), "nearest": nearest.String()})
}
