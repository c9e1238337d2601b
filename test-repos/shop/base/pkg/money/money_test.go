package money

import "testing"

func TestAdd(t *testing.T) {
	sum, err := Amount{Cents: 150, Currency: "EUR"}.Add(Amount{Cents: 275, Currency: "EUR"})
	if err != nil || sum.Cents != 425 {
		t.Fatalf("got %v %v", sum, err)
	}
}
