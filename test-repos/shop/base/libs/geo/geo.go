// Package geo computes distances between warehouses and customers.
package geo

import (
	"fmt"
	"math"
)

// Point is a position in degrees.
type Point struct{ Lat, Lon float64 }

// Km is a distance in kilometres.
type Km float64

func (k Km) String() string { return fmt.Sprintf("%.1f km", float64(k)) }

// Distance returns the great-circle distance between a and b.
func Distance(a, b Point) Km {
	const r = 6371.0
	rad := func(d float64) float64 { return d * math.Pi / 180 }
	dLat, dLon := rad(b.Lat-a.Lat), rad(b.Lon-a.Lon)
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(rad(a.Lat))*math.Cos(rad(b.Lat))*math.Sin(dLon/2)*math.Sin(dLon/2)
	return Km(2 * r * math.Asin(math.Sqrt(h)))
}
