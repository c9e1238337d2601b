#!/usr/bin/env python3
"""Generates the gocache benchmark monorepo: SERVICES services sharing a tree of LIBS library
packages (layered, each importing a few of the layer below and some of the standard library), each
service with its own internal handler package. Deterministic for a seed.

usage: gen_monorepo.py DIR [--services N] [--libs N] [--funcs N] [--fanout N] [--seed N]

--fanout: how many packages of the layer below each library (and each service, of the top layers)
imports; with many libraries it sets how much of the tree one service's closure holds."""
import argparse
import os
import random

STD = ["fmt", "strings", "sort", "strconv", "encoding/json", "bytes", "errors", "math", "regexp", "time",
       "net/url", "encoding/base64", "crypto/sha256", "unicode/utf8", "text/template", "net/http"]


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def funcs(rnd, prefix, n):
    out = []
    for i in range(n):
        a, b = rnd.randint(1, 999), rnd.randint(1, 999)
        out.append(f"""
// {prefix}F{i} is generated work for the compiler.
func {prefix}F{i}(x int, s string) (int, string) {{
	t := x*{a} + {b}
	switch {{
	case t%3 == 0:
		s = s + "{prefix}{i}a"
	case t%5 == 1:
		s = strings.Repeat(s, 2)[:len(s)]
	default:
		for k := 0; k < {a % 7 + 1}; k++ {{
			t ^= k * {b}
		}}
	}}
	return t, s
}}
""")
    return "".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--services", type=int, default=40)
    ap.add_argument("--libs", type=int, default=24)
    ap.add_argument("--funcs", type=int, default=150)
    ap.add_argument("--fanout", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    mod = "example.com/benchmono"
    write(os.path.join(a.dir, "go.mod"), f"module {mod}\n\ngo 1.24\n")
    layers = 4
    per = max(1, a.libs // layers)
    libs = []
    for i in range(a.libs):
        layer = min(i // per, layers - 1)
        below = [l for l in libs if l[1] == layer - 1]
        deps = rnd.sample(below, min(len(below), a.fanout)) if below else []
        std = rnd.sample(STD, 3)
        name = f"l{i}"
        imports = ["strings"] + [s for s in std if s != "strings"] + [f"{mod}/lib/{d[0]}" for d in deps]
        uses = "".join(f"\tvar _ = {d[0]}.{d[0].upper()}Name\n" for d in deps)
        stduse = {"fmt": "fmt.Sprint", "sort": "sort.Ints", "strconv": "strconv.Itoa", "encoding/json": "json.Marshal",
                  "bytes": "bytes.Equal", "errors": "errors.New", "math": "math.Sqrt", "regexp": "regexp.MustCompile",
                  "time": "time.Now", "net/url": "url.Parse", "encoding/base64": "base64.StdEncoding.EncodeToString",
                  "crypto/sha256": "sha256.Sum256", "unicode/utf8": "utf8.RuneLen", "text/template": "template.New",
                  "net/http": "http.StatusText", "strings": "strings.ToUpper"}
        body = f"package {name}\n\nimport (\n" + "".join(f'\t"{p}"\n' for p in imports) + ")\n\n"
        body += f'// {name.upper()}Name names the package.\nconst {name.upper()}Name = "{name}"\n\n'
        body += "var _ = []any{" + ", ".join(stduse[s] for s in sorted(set(std) | {"strings"})) + "}\n\nfunc init() {\n" + uses + "}\n"
        body += funcs(rnd, name.upper(), a.funcs)
        write(os.path.join(a.dir, "lib", name, f"{name}.go"), body)
        libs.append((name, layer))
    top = [l for l in libs if l[1] >= layers - 2]
    for s in range(a.services):
        name = f"s{s:02d}"
        deps = rnd.sample(top, min(len(top), a.fanout))
        write(os.path.join(a.dir, "svc", name, "internal", "h", "h.go"),
              "package h\n\nimport \"strings\"\n\n// Version is bumped by the benchmark's one-line change.\nconst Version = 0\n"
              + funcs(rnd, "H", a.funcs // 2))
        imports = "".join(f'\t"{mod}/lib/{d[0]}"\n' for d in deps)
        uses = " + ".join(f"{d[0]}.{d[0].upper()}Name" for d in deps)
        write(os.path.join(a.dir, "svc", name, "main.go"),
              f'// Command {name} is a generated service.\npackage main\n\nimport (\n\t"fmt"\n\n\t"{mod}/svc/{name}/internal/h"\n{imports})\n\n'
              f'func main() {{\n\tn, s := h.HF0(h.Version, "x")\n\tfmt.Println({uses}, n, s)\n}}\n')


if __name__ == "__main__":
    main()
