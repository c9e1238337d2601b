// Package invoice renders invoices.
package invoice

import "fmt"

// Invoice is one bill to a customer.
type Invoice struct {
	Customer string
	Cents    int64
}

// New returns an invoice.
func New(customer string, cents int64) Invoice { return Invoice{Customer: customer, Cents: cents} }

func (i Invoice) String() string { return fmt.Sprintf("invoice %s: %d cents", i.Customer, i.Cents) }
