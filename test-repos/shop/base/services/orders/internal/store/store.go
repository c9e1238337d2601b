// Package store persists orders; internal to the orders service.
package store

import (
	"encoding/json"

	"example.com/shop/internal/db"
	"example.com/shop/pkg/money"
)

// Order is one customer order.
type Order struct {
	ID    string       `json:"id"`
	Total money.Amount `json:"total"`
}

// Store keeps orders in a db.Store.
type Store struct{ db *db.Store }

// New wraps d.
func New(d *db.Store) *Store { return &Store{db: d} }

// Save stores o as JSON.
func (s *Store) Save(o Order) error {
	b, err := json.Marshal(o)
	if err != nil {
		return err
	}
	s.db.Put("order/"+o.ID, string(b))
	return nil
}

// Load returns the order with the given id.
func (s *Store) Load(id string) (Order, bool) {
	raw, ok := s.db.Get("order/" + id)
	if !ok {
		return Order{}, false
	}
	var o Order
	return o, json.Unmarshal([]byte(raw), &o) == nil
}
