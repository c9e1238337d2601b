package money_test

import (
	"testing"

	"example.com/shop/pkg/money"
)

func TestStringFormat(t *testing.T) {
	if got := (money.Amount{Cents: 1234, Currency: "EUR"}).String(); got != "12.34 EUR" {
		t.Fatalf("got %q", got)
	}
}
