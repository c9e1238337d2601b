// Command gateway is the public HTTP entry point of the shop.
package main

import (
	"net/http"
	"os"

	"example.com/shop/internal/auth"
	"example.com/shop/pkg/httpx"
	"example.com/shop/pkg/log"
)

func main() {
	lg := log.New("gateway")
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !auth.Check(r.Header.Get("X-Token"), os.Getenv("GATEWAY_TOKEN")) {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		w.Write([]byte("ok\n"))
	})
	lg.Info("listening", map[string]string{"addr": ":8080"})
	if len(os.Args) > 1 && os.Args[1] == "-check" {
		return
	}
	http.ListenAndServe(":8080", httpx.Handler("gateway", api))
}
