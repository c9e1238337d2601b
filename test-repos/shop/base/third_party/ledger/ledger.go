// Package ledger is a double-entry ledger (an in-repo copy of an upstream library).
package ledger

// Entry moves Cents from Debit to Credit.
type Entry struct {
	Debit, Credit string
	Cents         int64
}

// Balance returns the balance of every account after entries.
func Balance(entries []Entry) map[string]int64 {
	out := map[string]int64{}
	for _, e := range entries {
		out[e.Debit] -= e.Cents
		out[e.Credit] += e.Cents
	}
	return out
}
