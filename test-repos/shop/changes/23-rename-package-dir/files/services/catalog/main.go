// Command catalog serves the product pages.
package main

import (
	"net/http"
	"os"

	httpx "example.com/shop/pkg/web"
	"example.com/shop/pkg/money"
	"example.com/shop/services/catalog/assets"
)

func main() {
	page := assets.Render("Coffee beans", money.Amount{Cents: 1290, Currency: "EUR"}.String())
	if len(os.Args) > 1 && os.Args[1] == "-check" {
		os.Stdout.WriteString(page)
		return
	}
	mux := http.NewServeMux()
	mux.Handle("/static/", http.FileServer(http.FS(assets.Static)))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(page)) })
	http.ListenAndServe(":8081", httpx.Handler("catalog", mux))
}
