// Package money handles amounts in minor units.
package money

import "fmt"

// Amount is a sum of money in cents of one currency.
type Amount struct {
	Cents    int64
	Currency string
}

// Add returns a+b; both must share the currency.
func (a Amount) Add(b Amount) (Amount, error) {
	if a.Currency != b.Currency {
		return Amount{}, fmt.Errorf("currency mismatch: %s vs %s", a.Currency, b.Currency)
	}
	return Amount{Cents: a.Cents + b.Cents, Currency: a.Currency}, nil
}

// String formats the amount as 12.34 EUR.
func (a Amount) String() string {
	return fmt.Sprintf("%d.%02d %s", a.Cents/100, a.Cents%100, a.Currency)
}
