package store

import (
	"encoding/json"
	"os"
	"testing"

	"example.com/shop/internal/db"
)

func TestRoundTrip(t *testing.T) {
	raw, err := os.ReadFile("testdata/orders.json")
	if err != nil {
		t.Fatal(err)
	}
	var orders []Order
	if err := json.Unmarshal(raw, &orders); err != nil {
		t.Fatal(err)
	}
	s := New(db.Open("test"))
	for _, o := range orders {
		if err := s.Save(o); err != nil {
			t.Fatal(err)
		}
		if got, ok := s.Load(o.ID); !ok || got != o {
			t.Fatalf("load %s: got %+v", o.ID, got)
		}
	}
}
