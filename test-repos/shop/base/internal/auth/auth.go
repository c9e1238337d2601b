// Package auth checks API tokens; internal to the shop module.
package auth

import (
	"crypto/subtle"

	"example.com/shop/pkg/log"
)

var lg = log.New("auth")

// Check reports whether token matches want, in constant time.
func Check(token, want string) bool {
	ok := subtle.ConstantTimeCompare([]byte(token), []byte(want)) == 1
	if !ok {
		lg.Info("token rejected", nil)
	}
	return ok
}
