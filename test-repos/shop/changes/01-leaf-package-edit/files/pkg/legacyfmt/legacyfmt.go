// Package legacyfmt formats reports the way the old admin console did.
package legacyfmt

import "strings"

// Banner returns title framed in dashes.
func Banner(title string) string {
	line := "+" + strings.Repeat("-", len(title)+2) + "+"
	return line + "\n| " + title + " |\n" + line
}
