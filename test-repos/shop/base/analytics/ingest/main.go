// Command ingest loads order events into the analytics store.
package main

import (
	"fmt"

	"example.com/shop/analytics/shared/events"
	"example.com/shop/libs/geo"
)

func main() {
	e := events.Event{Kind: "order", Origin: geo.Point{Lat: 48.1, Lon: 11.6}}
	fmt.Println("ingested", e.Describe())
}
