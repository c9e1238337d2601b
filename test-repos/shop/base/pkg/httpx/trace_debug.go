// +build debug

package httpx

import (
	"net/http"
	"os"
)

func traceRequest(r *http.Request) {
	os.Stderr.WriteString("trace " + r.URL.String() + "\n")
}
