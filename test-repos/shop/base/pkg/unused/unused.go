// Package unused is imported by no service.
package unused

// Answer is kept for an experiment nobody finished.
const Answer = 42
