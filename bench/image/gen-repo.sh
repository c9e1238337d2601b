#!/usr/bin/env bash
# Generates a small Go multi-service monorepo (stdlib only, one module, git history) for
# bench/image when the shop fixture is not available: gen-repo.sh DIR [SERVICES] [LIBS]
set -euo pipefail
dir=$1; nsvc=${2:-3}; nlib=${3:-6}
rm -rf "$dir"; mkdir -p "$dir"; cd "$dir"
printf 'module example.com/benchshop\n\ngo 1.24\n' >go.mod
names=(gateway orders payments catalog inventory billing ingest admin)
for ((l = 0; l < nlib; l++)); do
  mkdir -p "pkg/lib$l"
  for ((f = 0; f < 8; f++)); do
    {
      echo "package lib$l"
      echo 'import ("encoding/json"; "fmt"; "sort"; "strings")'
      for ((k = 0; k < 25; k++)); do
        cat <<GO
type Rec${f}_$k struct { ID int \`json:"id"\`; Name string \`json:"name"\`; Tags []string \`json:"tags"\` }
func Render${f}_$k(in []Rec${f}_$k) (string, error) {
	sort.Slice(in, func(i, j int) bool { return in[i].ID < in[j].ID })
	var b strings.Builder
	for _, r := range in { fmt.Fprintf(&b, "%d:%s:%s;", r.ID, r.Name, strings.Join(r.Tags, ",")) }
	out, err := json.Marshal(in)
	return b.String() + string(out), err
}
GO
      done
    } >"pkg/lib$l/f$f.go"
  done
done
for ((s = 0; s < nsvc; s++)); do
  n=${names[$s]}; mkdir -p "services/$n"
  imports=""; uses=""
  for ((l = s % 2; l < nlib; l += 2)); do imports+="\"example.com/benchshop/pkg/lib$l\"; "; uses+="	_, _ = lib$l.Render0_0(nil)
"; done
  cat >"services/$n/main.go" <<GO
package main

import ("encoding/json"; "fmt"; "net/http"; "os"; $imports)

var version = "dev"

func handler(w http.ResponseWriter, r *http.Request) {
	_ = json.NewEncoder(w).Encode(map[string]string{"service": "$n", "version": version})
}

func main() {
$uses	if len(os.Args) > 1 && os.Args[1] == "serve" {
		http.HandleFunc("/", handler)
		_ = http.ListenAndServe("127.0.0.1:8080", nil)
		return
	}
	fmt.Println("$n", version)
}
GO
done
git init -q -b main . && git add -A && git -c user.name=bench -c user.email=bench@localhost commit -qm "generated benchshop"
echo "$dir"
