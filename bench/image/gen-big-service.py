#!/usr/bin/env python3
"""Generates bench/image's realistic-size service: one module with a daemon (cmd/bigsvc) on top of a
layered library tree (LIBS packages in 5 layers, each importing a few packages of the layer below
and a share of the standard library: net/http, encoding/json, text/template, crypto/tls, ...).
Calibrated so that a cold `go build` of the binary takes 60-120 CPU-s on this machine, the size of
the projects issue 9 measured (75 and 239 CPU-s), so the compile, not gopipe's fixed costs, is what
a cold or changed build pays. Deterministic for a seed; a git repository with one commit.

usage: gen-big-service.py DIR [--libs N] [--funcs N] [--seed N]"""
import argparse
import os
import random
import subprocess

MODULE = "example.com/bigsvc"
# standard packages and one expression using each (so the import is real)
STD = {
    "net/http": "http.StatusText(200)", "encoding/json": "json.Valid(nil)", "text/template": "template.New(\"x\")",
    "crypto/tls": "tls.VersionName(0)", "crypto/sha256": "sha256.Sum256(nil)", "database/sql": "sql.ErrNoRows",
    "encoding/xml": "xml.Header", "net/url": "url.PathEscape(\"x\")", "regexp": "regexp.QuoteMeta(\"x\")",
    "compress/gzip": "gzip.BestSpeed", "encoding/csv": "csv.ErrQuote", "html/template": "template.HTMLEscapeString(\"x\")",
    "net/smtp": "smtp.PlainAuth", "archive/zip": "zip.Deflate", "math/big": "big.NewInt(1)", "log/slog": "slog.LevelInfo",
    "os/exec": "exec.ErrNotFound", "image/png": "png.BestSpeed", "crypto/x509": "x509.ErrUnsupportedAlgorithm",
    "net/http/httptest": "httptest.DefaultRemoteAddr",
}
ALIAS = {"html/template": "htemplate"}


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def body(rnd, prefix, n):
    """n functions and n/4 types with methods: branches, loops, maps, closures, JSON tags."""
    out = []
    for i in range(n // 4):
        out.append(f"""
// {prefix}T{i} is a generated record.
type {prefix}T{i} struct {{
	ID    int               `json:"id"`
	Name  string            `json:"name"`
	Tags  map[string]string `json:"tags,omitempty"`
	Items []int             `json:"items"`
}}

// Score is generated work for the compiler.
func (t *{prefix}T{i}) Score(k int) int {{
	s := k
	for j, v := range t.Items {{
		if v%{rnd.randint(2, 9)} == 0 {{
			s += j * v
		}} else if _, ok := t.Tags[t.Name]; ok {{
			s -= v
		}}
	}}
	return s + len(t.Name)*{rnd.randint(1, 99)}
}}
""")
    for i in range(n):
        a, b = rnd.randint(1, 999), rnd.randint(1, 999)
        out.append(f"""
// {prefix}F{i} is generated work for the compiler.
func {prefix}F{i}(x int, s string) (int, string) {{
	t := x*{a} + {b}
	m := map[string]int{{s: t, "{prefix}": {a}}}
	f := func(k int) int {{ return k*{b} ^ m[s] }}
	switch {{
	case t%3 == 0:
		s = s + "{prefix}{i}a"
	case t%5 == 1:
		s = strings.Repeat(s, 2)[:len(s)]
	default:
		for k := 0; k < {a % 7 + 1}; k++ {{
			t ^= f(k)
		}}
	}}
	return t, s
}}
""")
    return "".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--libs", type=int, default=100)
    ap.add_argument("--funcs", type=int, default=300)
    ap.add_argument("--seed", type=int, default=9)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    write(os.path.join(a.dir, "go.mod"), f"module {MODULE}\n\ngo 1.24\n")
    layers = 5
    per = max(1, a.libs // layers)
    libs = []
    for i in range(a.libs):
        layer = min(i // per, layers - 1)
        below = [l for l in libs if l[1] == layer - 1]
        deps = rnd.sample(below, min(len(below), 4)) if below else []
        std = rnd.sample(sorted(STD), 4)
        name = f"p{i:03d}"
        lines = ['\t"strings"'] + [f'\t{ALIAS.get(s, "")} "{s}"'.replace("\t ", "\t") for s in std if s != "strings"]
        lines += [f'\t"{MODULE}/internal/{d[0]}"' for d in deps]
        uses = ", ".join(STD[s].replace("template.HTML", ALIAS["html/template"] + ".HTML")
                         if s == "html/template" else STD[s] for s in std)
        deps_use = "".join(f"\t_ = {d[0]}.Name\n" for d in deps)
        text = f"// Package {name} is generated library code.\npackage {name}\n\nimport (\n" + "\n".join(lines) + "\n)\n\n"
        text += f'// Name names the package.\nconst Name = "{name}"\n\nvar _ = []any{{{uses}}}\n\nfunc init() {{\n{deps_use}}}\n'
        text += body(rnd, name.upper(), a.funcs)
        write(os.path.join(a.dir, "internal", name, f"{name}.go"), text)
        libs.append((name, layer))
    top = [l for l in libs if l[1] == layers - 1]
    imports = "".join(f'\t"{MODULE}/internal/{t[0]}"\n' for t in top)
    names = " + ".join(f"{t[0]}.Name" for t in top)
    write(os.path.join(a.dir, "cmd", "bigsvc", "main.go"),
          f'// Command bigsvc is bench/image\'s realistic-size service.\npackage main\n\nimport (\n\t"fmt"\n\t"net/http"\n\n{imports})\n\n'
          f'var version = "dev"\n\nfunc main() {{\n\tfmt.Println(version, len({names}))\n'
          f'\t_ = http.ListenAndServe\n}}\n')
    write(os.path.join(a.dir, "gopipe.yaml"), "services:\n  - name: bigsvc\n    path: cmd/bigsvc\n")
    write(os.path.join(a.dir, ".dockerignore"), ".git\n")
    env = dict(os.environ, GIT_AUTHOR_DATE="2026-01-01T00:00:00Z", GIT_COMMITTER_DATE="2026-01-01T00:00:00Z")
    for cmd in (["init", "-q", "-b", "main"], ["add", "-A"],
                ["-c", "user.name=bench", "-c", "user.email=bench@gopipe.io", "commit", "-q", "-m", "bigsvc"]):
        subprocess.run(["git", "-C", a.dir] + cmd, check=True, env=env)


if __name__ == "__main__":
    main()
