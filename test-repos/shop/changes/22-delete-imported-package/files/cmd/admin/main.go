// Command admin is the operators' console.
package main

import (
	"fmt"
	"os"

	"example.com/shop/internal/auth"
	"example.com/shop/internal/db"
)

func main() {
	if !auth.Check(os.Getenv("ADMIN_TOKEN"), "letmein") {
		fmt.Fprintln(os.Stderr, "no admin token")
	}
	store := db.Open("admin")
	store.Put("last-login", terminalName())
	fmt.Println("== shop admin on " + terminalName() + " ==")
}
