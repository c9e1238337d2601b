// Package stock counts items per SKU.
package stock

import "strconv"

// Stock is a count per SKU.
type Stock struct{ n map[string]int }

// New returns empty stock.
func New() *Stock { return &Stock{n: map[string]int{}} }

// Add adds k items of sku.
func (s *Stock) Add(sku string, k int) { s.n[sku] += k }

// Count returns the count of sku as text.
func (s *Stock) Count(sku string) string { return strconv.Itoa(s.n[sku]) }
