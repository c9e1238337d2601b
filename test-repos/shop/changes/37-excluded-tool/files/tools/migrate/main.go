// Command migrate is an operator tool, not a deployed service (excluded in gopipe.yaml).
package main

import (
	"fmt"

	"example.com/shop/internal/db"
)

func main() {
	db.Open("migrate").Put("schema", "v2")
	fmt.Println("migrated")
}
