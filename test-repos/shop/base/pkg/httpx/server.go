// Package httpx holds the HTTP server plumbing shared by the front services.
package httpx

import (
	"net/http"

	"example.com/shop/pkg/log"
)

// Handler wraps h with request logging.
func Handler(name string, h http.Handler) http.Handler {
	lg := log.New(name)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lg.Info("request", map[string]string{"path": r.URL.Path, "method": r.Method})
		traceRequest(r)
		h.ServeHTTP(w, r)
	})
}
