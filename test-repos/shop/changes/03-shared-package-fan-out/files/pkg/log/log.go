// Package log is the shop's tiny structured logger.
package log

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"time"
)

// Logger writes key=value lines for one component.
type Logger struct {
	component string
}

// New returns a logger for component.
func New(component string) *Logger {
	return &Logger{component: component}
}

// Info writes msg with the given fields.
func (l *Logger) Info(msg string, fields map[string]string) {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%q", k, fields[k])
	}
	fmt.Fprintf(os.Stderr, "ts=%s level=info component=%s msg=%q%s\n", time.Now().UTC().Format(time.RFC3339), l.component, msg, b.String())
}
