// Package events defines the analytics event schema.
package events

import (
	"fmt"

	"example.com/shop/libs/geo"
)

// Event is one thing that happened in the shop.
type Event struct {
	Kind   string
	Origin geo.Point
}

// Describe returns a one-line summary.
func (e Event) Describe() string { return fmt.Sprintf("%s at %.1f,%.1f", e.Kind, e.Origin.Lat, e.Origin.Lon) }
