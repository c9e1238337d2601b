// Package db is the shop's minimal key-value store client.
package db

import (
	"sync"

	"example.com/shop/pkg/log"
)

// Store is an in-memory stand-in for the real database.
type Store struct {
	mu   sync.Mutex
	rows map[string]string
	lg   *log.Logger
}

// Open returns an empty store.
func Open(name string) *Store {
	return &Store{rows: map[string]string{}, lg: log.New("db/" + name)}
}

// Put stores v under k.
func (s *Store) Put(k, v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rows[k] = v
}

// Get returns the value under k.
func (s *Store) Get(k string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.rows[k]
	return v, ok
}
