// Package assets embeds the catalog's templates, static files and seed data.
package assets

import (
	"bytes"
	"embed"
	"text/template"
)

//go:embed templates/*.tmpl
var templates embed.FS

// Static holds the files served under /static/ (files starting with . or _ are left out).
//
//go:embed static
var Static embed.FS

// Seed holds the initial catalog, hidden files included.
//
//go:embed all:seed
var Seed embed.FS

// Render returns the product page.
func Render(name, price string) string {
	t := template.Must(template.ParseFS(templates, "templates/*.tmpl"))
	var b bytes.Buffer
	t.ExecuteTemplate(&b, "page.tmpl", map[string]string{"Name": name, "Price": price})
	return b.String()
}
