#!/usr/bin/env python3
"""Generates a deterministic, realistic Go module cache (GOMODCACHE layout) for bench/cache.

Layout, as `go mod download` leaves it:
  cache/download/<escaped module>/@v/{list,<v>.info,<v>.mod,<v>.zip,<v>.ziphash,<v>.lock}
  cache/download/sumdb/sum.golang.org/{lookup,tile}/...
  <escaped module>@<version>/...   extracted trees, dirs 0555 and files 0444 (Go makes them read-only)

Content is synthetic but shaped like Go code: many 1-20 KB .go files with a module-wide
vocabulary, some large generated files (pb.go / zz_generated), testdata text and random binary
blobs, LICENSE texts repeated across modules, and real deflate .zip files (incompressible) with a
real h1: ziphash. Everything is a pure function of --seed, so two runs give byte-identical trees
(mtimes included). Only the Python 3 standard library is used.

The tree is built under <out>.tmp and renamed to <out> when complete; a STAMP file beside it
records seed and parameters, and a matching STAMP makes a later call return at once (reuse).
"""
import argparse
import base64
import hashlib
import json
import math
import multiprocessing
import os
import random
import shutil
import stat
import sys
import time
import zipfile

GEN_VERSION = 1
EPOCH = 1_767_225_600  # 2026-01-01T00:00:00Z; all mtimes are EPOCH + a seeded offset

WORDS = """
client server request response config buffer reader writer handler context cache entry
value key index node tree graph edge path file stream chunk block frame packet message
header body token parser lexer scanner encoder decoder codec format schema field record
table column row query result error status state event signal channel worker pool queue
stack heap list map set slice array string number bytes count size length offset limit
timeout retry backoff policy option setting flag mode level logger metric trace span
tracer meter counter gauge histogram sample window batch flush commit rollback session
transaction store backend provider resolver registry service endpoint route router
middleware filter rule match pattern regexp template render output input source target
module package import export version release build compile link load save restore apply
update delete create list watch sync merge split join close open read write seek copy
move rename check verify validate sign hash digest cipher key cert secret credential
identity account user group role permission scope resource object bucket region zone
cluster instance container image layer manifest volume network address port host peer
conn dial listen accept serve proxy tunnel gateway balancer health probe ready alive
""".split()

COMMENT_WORDS = """
the a an of to in for on with by from is are be it this that returns reports whether
given when if not nil zero value default caller must should may only each all any new
used uses using called set sets get gets one two more than less at as or and but so
""".split() + WORDS

GO_TYPES = ["string", "int", "int64", "uint32", "bool", "[]byte", "error", "float64",
            "time.Duration", "time.Time", "map[string]string", "[]string", "*sync.Mutex",
            "context.Context", "io.Reader", "io.Writer", "uint64", "int32", "any"]

STD_IMPORTS = ["bytes", "context", "errors", "fmt", "io", "net/http", "os", "path/filepath",
               "sort", "strconv", "strings", "sync", "time", "encoding/json", "bufio",
               "crypto/sha256", "math", "reflect", "runtime", "unicode/utf8"]

KNOWN_MODULES = [
    "golang.org/x/sys", "golang.org/x/net", "golang.org/x/text", "golang.org/x/tools",
    "golang.org/x/crypto", "golang.org/x/mod", "golang.org/x/sync", "golang.org/x/term",
    "golang.org/x/oauth2", "golang.org/x/exp", "golang.org/x/time",
    "google.golang.org/grpc", "google.golang.org/protobuf", "google.golang.org/api",
    "google.golang.org/genproto", "google.golang.org/genproto/googleapis/api",
    "google.golang.org/genproto/googleapis/rpc", "cloud.google.com/go", "cloud.google.com/go/storage",
    "cloud.google.com/go/compute/metadata", "cloud.google.com/go/iam",
    "k8s.io/api", "k8s.io/apimachinery", "k8s.io/client-go", "k8s.io/klog/v2", "k8s.io/utils",
    "k8s.io/kube-openapi", "sigs.k8s.io/yaml", "sigs.k8s.io/structured-merge-diff/v4",
    "github.com/aws/aws-sdk-go", "github.com/aws/aws-sdk-go-v2",
    "github.com/aws/aws-sdk-go-v2/service/s3", "github.com/aws/aws-sdk-go-v2/service/ec2",
    "github.com/aws/aws-sdk-go-v2/service/dynamodb", "github.com/aws/smithy-go",
    "github.com/Azure/azure-sdk-for-go/sdk/azcore", "github.com/Azure/go-autorest/autorest",
    "github.com/BurntSushi/toml", "github.com/Masterminds/semver/v3", "github.com/Microsoft/go-winio",
    "github.com/stretchr/testify", "github.com/davecgh/go-spew", "github.com/pmezard/go-difflib",
    "github.com/spf13/cobra", "github.com/spf13/pflag", "github.com/spf13/viper",
    "github.com/sirupsen/logrus", "go.uber.org/zap", "go.uber.org/multierr", "go.uber.org/atomic",
    "github.com/prometheus/client_golang", "github.com/prometheus/common",
    "github.com/prometheus/procfs", "github.com/golang/protobuf", "github.com/google/uuid",
    "github.com/google/go-cmp", "github.com/google/gofuzz", "github.com/gogo/protobuf",
    "github.com/json-iterator/go", "github.com/modern-go/reflect2", "github.com/pkg/errors",
    "github.com/gorilla/mux", "github.com/gorilla/websocket", "github.com/gin-gonic/gin",
    "github.com/labstack/echo/v4", "github.com/go-sql-driver/mysql", "github.com/lib/pq",
    "github.com/jackc/pgx/v5", "github.com/redis/go-redis/v9", "go.mongodb.org/mongo-driver",
    "go.etcd.io/etcd/client/v3", "go.opentelemetry.io/otel", "go.opentelemetry.io/otel/trace",
    "go.opentelemetry.io/otel/sdk", "go.opentelemetry.io/proto/otlp",
    "github.com/grpc-ecosystem/grpc-gateway/v2", "github.com/hashicorp/go-multierror",
    "github.com/hashicorp/hcl", "github.com/hashicorp/consul/api", "github.com/hashicorp/vault/api",
    "github.com/docker/docker", "github.com/docker/go-units", "github.com/opencontainers/image-spec",
    "github.com/containerd/containerd", "github.com/klauspost/compress", "github.com/cespare/xxhash/v2",
    "github.com/mattn/go-isatty", "github.com/fsnotify/fsnotify", "github.com/olekukonko/tablewriter",
    "gopkg.in/yaml.v3", "gopkg.in/yaml.v2", "gopkg.in/inf.v0", "github.com/imdario/mergo",
    "github.com/DATA-DOG/go-sqlmock", "github.com/Shopify/sarama", "github.com/IBM/sarama",
]

# kind: (weight, files min, files max, share of generated files, share of testdata files)
KINDS = {
    "tiny":      (30, 3, 15, 0.00, 0.05),
    "small":     (34, 15, 80, 0.005, 0.10),
    "medium":    (24, 80, 400, 0.01, 0.12),
    "large":     (8, 400, 2500, 0.02, 0.08),
    "generated": (4, 60, 700, 0.25, 0.02),
}


HEX = ["0x%02x" % i for i in range(256)]


def escape_path(mod):
    """GOMODCACHE case encoding: every upper-case letter becomes '!' + lower case."""
    return "".join("!" + c.lower() if c.isupper() else c for c in mod)


def lognormal(r, median, sigma, lo, hi):
    return int(min(hi, max(lo, r.lognormvariate(math.log(median), sigma))))


def camel(r, vocab, n):
    return "".join(r.choice(vocab).capitalize() for _ in range(n))


# ---------------------------------------------------------------- planning (cheap, sizes only)

def plan_versions(r, mod_index):
    """Versions of one module: some extracted (downloaded zips), more with only .mod/.info (MVS)."""
    major = 0 if r.random() < 0.35 else 1
    minor = r.randint(0, 40)
    versions = []
    for _ in range(r.randint(1, 9)):
        if r.random() < 0.12:
            ts = time.strftime("%Y%m%d%H%M%S", time.gmtime(EPOCH - r.randint(0, 5 * 365 * 86400)))
            versions.append("v0.0.0-%s-%012x" % (ts, r.getrandbits(48)))
        else:
            versions.append("v%d.%d.%d" % (major, minor, r.randint(0, 30)))
            minor = max(0, minor - r.randint(0, 3))
    versions = sorted(set(versions))
    n_extracted = 1 if r.random() < 0.8 else min(len(versions), r.randint(2, 3))
    extracted = versions[-n_extracted:]
    return versions, extracted


def plan_module_files(r, kind):
    """Returns [(relative path, file kind, size)] of one extracted module version."""
    _, fmin, fmax, gen_share, td_share = KINDS[kind]
    n = int(math.exp(r.uniform(math.log(fmin), math.log(fmax))))
    n_dirs = max(1, int(n / r.uniform(4, 14)))
    dirs = [""]
    for _ in range(n_dirs - 1):
        parent = r.choice(dirs)
        depth = parent.count("/") + 1 if parent else 0
        if depth >= 5:
            parent = ""
        dirs.append((parent + "/" if parent else "") + r.choice(WORDS) + ("" if r.random() < 0.7 else str(r.randint(1, 9))))
    dirs = sorted(set(dirs))
    files = [("go.mod", "gomod", r.randint(60, 1500)), ("LICENSE", "license", 0)]
    if r.random() < 0.8:
        files.append(("go.sum", "gosum", lognormal(r, 4000, 1.2, 200, 300_000)))
    if r.random() < 0.85:
        files.append(("README.md", "text", lognormal(r, 5000, 1.0, 300, 60_000)))
    for extra in (".gitignore", "Makefile", ".github/workflows/ci.yml", "CONTRIBUTING.md", ".golangci.yml"):
        if r.random() < 0.3:
            files.append((extra, "text", lognormal(r, 900, 0.8, 40, 8000)))
    used = {f[0] for f in files}
    for i in range(n):
        d = r.choice(dirs)
        prefix = d + "/" if d else ""
        x = r.random()
        if x < gen_share:
            name = prefix + r.choice(["zz_generated.deepcopy", "api", "types", "service", "generated",
                                      r.choice(WORDS) + ".pb", r.choice(WORDS) + "_grpc.pb",
                                      "zsyscall_" + r.choice(["linux", "darwin", "freebsd", "openbsd"]) + "_" + r.choice(["amd64", "arm64", "386", "riscv64", "s390x"])]) + ".go"
            entry = (name, "generated", lognormal(r, 60_000, 1.1, 10_000, 4_000_000))
        elif x < gen_share + td_share:
            tdir = prefix + "testdata/"
            if r.random() < 0.4:
                name = tdir + r.choice(WORDS) + r.choice([".bin", ".gz", ".png", ".zip", ".pb", ".der"])
                entry = (name, "binary", lognormal(r, 8_000, 1.6, 64, 3_000_000))
            else:
                name = tdir + r.choice(WORDS) + "_" + r.choice(WORDS) + r.choice([".json", ".golden", ".txt", ".yaml", ".go.txt"])
                entry = (name, "text", lognormal(r, 2500, 1.3, 10, 250_000))
        elif x < gen_share + td_share + 0.03:
            name = prefix + r.choice(WORDS) + "_" + r.choice(["amd64.s", "arm64.s", "linux.c", "cgo.h"])
            entry = (name, "asm", lognormal(r, 4000, 0.9, 200, 60_000))
        else:
            base = r.choice(WORDS) + ("_" + r.choice(WORDS) if r.random() < 0.5 else "")
            name = prefix + base + ("_test.go" if r.random() < 0.3 else ".go")
            entry = (name, "go", lognormal(r, 5000, 0.95, 150, 90_000))
        if entry[0] in used:
            continue
        used.add(entry[0])
        files.append(entry)
    return files


def plan(seed, target_bytes, target_files):
    """Deterministic list of modules: (path, versions, extracted versions, kind, per-version seeds)."""
    r = random.Random(seed)
    names = list(KNOWN_MODULES)
    r.shuffle(names)
    kinds = list(KINDS)
    weights = [KINDS[k][0] for k in kinds]
    modules, total_bytes, total_files, i = [], 0, 0, 0
    while total_bytes < target_bytes or total_files < target_files:
        if i < len(names):
            path = names[i]
        else:
            org = r.choice(WORDS) + r.choice(["", "io", "hq", "labs", "-dev", str(r.randint(1, 99))])
            if r.random() < 0.12:
                org = org.capitalize()
            repo = r.choice(WORDS) + r.choice(["", "-go", "go", "-" + r.choice(WORDS), "x"])
            path = "github.com/%s/%s" % (org, repo)
            if r.random() < 0.1:
                path += "/v%d" % r.randint(2, 5)
        i += 1
        if any(m["path"] == path for m in modules):
            continue
        mr = random.Random("%d/%s" % (seed, path))
        kind = r.choices(kinds, weights)[0]
        versions, extracted = plan_versions(mr, i)
        seeds = {v: "%d/%s@%s" % (seed, path, v) for v in extracted}
        for v in extracted:
            files = plan_module_files(random.Random(seeds[v]), kind)
            total_files += len(files) + 5
            text = sum(s for _, k, s in files if k != "binary")
            binary = sum(s for _, k, s in files if k == "binary")
            total_bytes += text + binary + int(text / 4.3) + binary  # tree + estimated zip
        total_files += 2 * (len(versions) - len(extracted)) + 1
        modules.append({"path": path, "kind": kind, "versions": versions, "extracted": extracted, "seeds": seeds})
    return modules


# ---------------------------------------------------------------- content

class GoText:
    """Go-looking text from a module-wide vocabulary, so files of one module resemble each other."""

    def __init__(self, r):
        self.r = r
        self.vocab = r.sample(WORDS, 80)
        self.types = [camel(r, self.vocab, r.randint(1, 3)) for _ in range(40)]
        self.funcs = [camel(r, self.vocab, r.randint(1, 3)) for _ in range(120)]
        self.vars = [r.choice(self.vocab) + (camel(r, self.vocab, 1) if r.random() < 0.5 else "") for _ in range(60)]

    def comment(self, indent=""):
        r = self.r
        return indent + "// " + " ".join(r.choice(COMMENT_WORDS) for _ in range(r.randint(5, 14))) + ".\n"

    def header(self, pkg):
        r = self.r
        imports = sorted(r.sample(STD_IMPORTS, r.randint(2, 7)))
        return "".join([self.comment(), "package %s\n\nimport (\n" % pkg] +
                       ['\t"%s"\n' % i for i in imports] + [")\n\n"])

    def struct(self):
        r = self.r
        t = r.choice(self.types)
        out = [self.comment(), "type %s struct {\n" % t]
        for _ in range(r.randint(2, 12)):
            f = camel(r, self.vocab, r.randint(1, 2))
            out.append('\t%s %s `json:"%s,omitempty"`\n' % (f, r.choice(GO_TYPES), f[0].lower() + f[1:]))
        out.append("}\n\n")
        return "".join(out)

    def statement(self, depth):
        r = self.r
        a, b = r.choice(self.vars), r.choice(self.vars)
        ind = "\t" * depth
        x = r.random()
        if x < 0.25:
            return "%s%s, err := %s.%s(ctx, %s)\n%sif err != nil {\n%s\treturn nil, fmt.Errorf(\"%s %s: %%w\", err)\n%s}\n" % (
                ind, a, b, r.choice(self.funcs), r.choice(self.vars), ind, ind, r.choice(self.vocab), r.choice(self.vocab), ind)
        if x < 0.45:
            return "%s%s := %s.%s(%s, %d)\n" % (ind, a, b, r.choice(self.funcs), r.choice(self.vars), r.randint(0, 4096))
        if x < 0.55 and depth < 3:
            return "%sfor _, %s := range %s {\n%s%s}\n" % (ind, a, b, self.statement(depth + 1), ind)
        if x < 0.65 and depth < 3:
            return "%sif %s == nil || len(%s.%s) == 0 {\n%s%s}\n" % (
                ind, a, a, camel(r, self.vocab, 1), self.statement(depth + 1), ind)
        if x < 0.75:
            return self.comment(ind)
        if x < 0.85:
            return '%s%s.%s = "%s"\n' % (ind, a, camel(r, self.vocab, 2), "-".join(r.sample(self.vocab, 2)))
        return "%sdefer %s.%s()\n" % (ind, a, r.choice(["Close", "Unlock", "Done", "Stop", "Flush"]))

    def func(self):
        r = self.r
        out = [self.comment(), self.comment() if r.random() < 0.4 else "",
               "func (%s *%s) %s(ctx context.Context, %s %s) (*%s, error) {\n" % (
                   r.choice("abcdefgmnprstx"), r.choice(self.types), r.choice(self.funcs),
                   r.choice(self.vars), r.choice(GO_TYPES), r.choice(self.types))]
        for _ in range(r.randint(2, 14)):
            out.append(self.statement(1))
        out.append("\treturn %s, nil\n}\n\n" % r.choice(self.vars))
        return "".join(out)

    def generated_block(self):
        """pb.go / deepcopy style: long, very regular code."""
        r = self.r
        t = r.choice(self.types)
        out = []
        for _ in range(r.randint(4, 16)):
            f = camel(r, self.vocab, r.randint(1, 3))
            ty = r.choice(GO_TYPES)
            out.append("func (x *%s) Get%s() %s {\n\tif x != nil {\n\t\treturn x.%s\n\t}\n\treturn %s\n}\n\n" % (
                t, f, ty, f, "nil" if ty.startswith(("[", "*", "map", "any", "error", "io", "context")) else '""' if ty == "string" else "0"))
        if r.random() < 0.3:
            out.append("var file_%s_rawDesc = []byte{\n" % t.lower())
            raw = r.randbytes(16 * r.randint(10, 60))
            for i in range(0, len(raw), 16):
                out.append("\t" + ", ".join(map(HEX.__getitem__, raw[i:i + 16])) + ",\n")
            out.append("}\n\n")
        return "".join(out)

    def go_file(self, pkg, size, generated=False):
        r = self.r
        parts = ["// Code generated by protoc-gen-go. DO NOT EDIT.\n" if generated else "", self.header(pkg)]
        n = sum(len(p) for p in parts)
        while n < size:
            if generated:
                p = self.generated_block() if r.random() < 0.85 else self.struct()
            else:
                p = self.func() if r.random() < 0.75 else self.struct()
            parts.append(p)
            n += len(p)
        return "".join(parts)[:size]

    def prose(self, size):
        r = self.r
        parts, n = [], 0
        while n < size:
            line = " ".join(r.choice(COMMENT_WORDS) for _ in range(r.randint(4, 16))) + ".\n"
            if r.random() < 0.15:
                line = '{"%s": "%s", "%s": %d}\n' % (r.choice(self.vocab), r.choice(self.types), r.choice(self.vocab), r.randint(0, 10 ** 6))
            parts.append(line)
            n += len(line)
        return "".join(parts)[:size]


def license_text(seed):
    r = random.Random("%d/license" % seed)
    lines = []
    while sum(len(l) for l in lines) < 10_500:
        lines.append(" ".join(r.choice(COMMENT_WORDS) for _ in range(r.randint(6, 13))) + ".\n")
    return "".join(lines).encode()


def gosum_text(r, size):
    out, n = [], 0
    while n < size:
        mod = r.choice(KNOWN_MODULES)
        v = "v%d.%d.%d" % (r.randint(0, 1), r.randint(0, 30), r.randint(0, 20))
        h = base64.b64encode(r.randbytes(32)).decode()
        line = "%s %s h1:%s\n%s %s/go.mod h1:%s\n" % (mod, v, h, mod, v, base64.b64encode(r.randbytes(32)).decode())
        out.append(line)
        n += len(line)
    return "".join(out)[:size]


def gomod_text(r, path, size):
    out = ["module %s\n\ngo 1.%d\n\nrequire (\n" % (path, r.randint(13, 23))]
    n = len(out[0])
    while n < size:
        line = "\t%s v%d.%d.%d\n" % (r.choice(KNOWN_MODULES), r.randint(0, 1), r.randint(0, 30), r.randint(0, 20))
        out.append(line)
        n += len(line)
    out.append(")\n")
    return "".join(out)


def ziphash(entries):
    """Go's dirhash Hash1 over (name, bytes) entries: the value stored in <v>.ziphash and go.sum."""
    summary = "".join("%s  %s\n" % (hashlib.sha256(data).hexdigest(), name) for name, data in sorted(entries))
    return "h1:" + base64.b64encode(hashlib.sha256(summary.encode()).digest()).decode()


# ---------------------------------------------------------------- writing

def write_file(path, data, mode, mtime):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)
    os.utime(path, (mtime, mtime))
    os.chmod(path, mode)


def seal_version(root, top, esc, version, entries, mtime):
    """Makes an extracted module version read-only as Go leaves it (deepest folders first, stable
    mtimes) and writes its real zip; returns the @v folder and the zip's path."""
    for d, _, _ in sorted(os.walk(top), key=lambda w: -w[0].count(os.sep)):
        os.utime(d, (mtime, mtime))
        os.chmod(d, 0o555)
    dl = os.path.join(root, "cache", "download", esc, "@v")
    os.makedirs(dl, exist_ok=True)
    zpath = os.path.join(dl, version + ".zip")
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        for name, data in entries:
            zi = zipfile.ZipInfo(name, time.gmtime(EPOCH)[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            z.writestr(zi, data, compresslevel=6)
    return dl, zpath


def build_version(args):
    """Writes one extracted module version and its cache/download files. Returns (files, bytes)."""
    root, seed, path, version, kind, vseed, lic = args
    r = random.Random(vseed)
    files = plan_module_files(r, kind)
    cr = random.Random(vseed + "/content")
    gt = GoText(cr)
    mtime = EPOCH + cr.randint(0, 300 * 86400)
    esc = escape_path(path)
    top = os.path.join(root, "%s@%s" % (esc, version))
    os.makedirs(top, exist_ok=True)
    entries, nfiles, nbytes = [], 0, 0
    for rel, k, size in files:
        if k == "go":
            pkg = os.path.basename(os.path.dirname(rel)) or path.rsplit("/", 1)[-1].replace("-", "").replace(".", "")
            data = gt.go_file(pkg.replace("-", "") or "main", size).encode()
        elif k == "generated":
            data = gt.go_file(os.path.basename(os.path.dirname(rel)) or "api", size, generated=True).encode()
        elif k == "binary":
            data = cr.randbytes(size)
        elif k == "license":
            data = lic
        elif k == "gomod":
            data = gomod_text(cr, path, size).encode()
        elif k == "gosum":
            data = gosum_text(cr, size).encode()
        else:
            data = gt.prose(size).encode()
        full = os.path.join(top, rel)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        write_file(full, data, 0o444, mtime)
        entries.append(("%s@%s/%s" % (path, version, rel), data))
        nfiles += 1
        nbytes += len(data)
    dl, zpath = seal_version(root, top, esc, version, entries, mtime)
    gomod = next(d for n, d in entries if n.endswith("@%s/go.mod" % version))
    small = {
        version + ".mod": gomod,
        version + ".info": json.dumps({"Version": version, "Time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(mtime))}).encode(),
        version + ".ziphash": ziphash(entries).encode(),
        version + ".lock": b"",
    }
    for name, data in small.items():
        write_file(os.path.join(dl, name), data, 0o644, mtime)
    os.utime(zpath, (mtime, mtime))
    nbytes += os.path.getsize(zpath) + sum(len(d) for d in small.values())
    lookup = os.path.join(root, "cache", "download", "sumdb", "sum.golang.org", "lookup", "%s@%s" % (esc, version))
    os.makedirs(os.path.dirname(lookup), exist_ok=True)
    write_file(lookup, ("%d\n%s %s %s\n%s %s/go.mod h1:%s\n\ngo.sum database tree\n%d\n%s\n" % (
        cr.randint(10 ** 6, 10 ** 8), path, version, ziphash(entries), path, version,
        base64.b64encode(cr.randbytes(32)).decode(), cr.randint(10 ** 7, 10 ** 8),
        base64.b64encode(cr.randbytes(32)).decode())).encode(), 0o644, mtime)
    return nfiles + 6, nbytes


def build_module_meta(root, seed, m):
    """`list` plus .mod/.info of the versions that MVS looked at but never downloaded."""
    r = random.Random("%d/%s/meta" % (seed, m["path"]))
    dl = os.path.join(root, "cache", "download", escape_path(m["path"]), "@v")
    os.makedirs(dl, exist_ok=True)
    n, b = 0, 0
    for v in m["versions"]:
        if v in m["extracted"]:
            continue
        mt = EPOCH + r.randint(0, 300 * 86400)
        mod = gomod_text(r, m["path"], r.randint(60, 1200)).encode()
        info = json.dumps({"Version": v, "Time": "2024-05-01T10:00:00Z"}).encode()
        write_file(os.path.join(dl, v + ".mod"), mod, 0o644, EPOCH)
        write_file(os.path.join(dl, v + ".info"), info, 0o644, mt)
        n += 2
        b += len(mod) + len(info)
    data = ("\n".join(m["versions"]) + "\n").encode()
    write_file(os.path.join(dl, "list"), data, 0o644, EPOCH)
    return n + 1, b + len(data)


def build_sumdb_tiles(root, seed, count):
    r = random.Random("%d/tiles" % seed)
    base = os.path.join(root, "cache", "download", "sumdb", "sum.golang.org", "tile", "8")
    b = 0
    for i in range(count):
        level = 0 if i < count * 0.8 else (1 if i < count * 0.95 else 2)
        idx = r.randint(0, 999_999)
        p = os.path.join(base, str(level), "x%03d" % (idx // 1000), "%03d" % (idx % 1000))
        os.makedirs(os.path.dirname(p), exist_ok=True)
        data = r.randbytes(8192)
        write_file(p, data, 0o644, EPOCH)
        b += len(data)
    return count, b


# ---------------------------------------------------------------- --shape real
#
# Like a module cache filled by CI builds of a few large projects across many releases: most modules
# are present in several versions, and consecutive versions of one module share most files byte for
# byte (a release changes a few files, adds and removes a few). A set of "buildable" modules holds Go
# code that compiles, with a go.mod without requirements, and a service module beside the cache
# (<out>.svc) imports one package of each, with a complete go.sum, so `go build` can run offline
# against the cache (bench/cache/run.sh --mode real).

REAL_KINDS = {  # weight, files min, files max, share of generated files, share of testdata files
    "tiny":      (45, 3, 15, 0.00, 0.05),
    "small":     (40, 15, 70, 0.005, 0.10),
    "medium":    (12, 70, 300, 0.01, 0.12),
    "large":     (2, 300, 1200, 0.02, 0.08),
    "generated": (1, 60, 500, 0.25, 0.02),
}
GO_KEYWORDS = set("break case chan const continue default defer else fallthrough for func go goto if import "
                  "interface map package range return select struct switch type var main".split())


def real_versions(r):
    """Released versions of one module, oldest first; how many CI kept is skewed: many 1-3, a few 10-40."""
    n = min(40, max(1, int(r.paretovariate(1.25))))
    major = 0 if r.random() < 0.35 else 1
    minor, patch = r.randint(0, 12), r.randint(0, 5)
    out = []
    for _ in range(n):
        if r.random() < 0.3:
            minor, patch = minor + 1, 0
        else:
            patch += 1 + (r.random() < 0.2)
        out.append("v%d.%d.%d" % (major, minor, patch))
    return out


def real_files(path, kind, n_versions, compilable):
    """File lists of every version: [(rel, kind, size, revision)] per version; revisions change content."""
    r = random.Random("real/%s/files" % path)
    base = plan_module_files(r, kind) if kind in KINDS else plan_module_files_real(r, kind)
    if compilable:
        base = [(rel, "go" if k == "asm" else k, sz) for rel, k, sz in base if not rel.endswith((".s", ".c", ".h"))]
    cur = {rel: (k, sz, 0) for rel, k, sz in base}
    out = []
    for v in range(n_versions):
        if v:
            for rel in sorted(cur):
                k, sz, rev = cur[rel]
                x = r.random()
                if rel in ("go.mod", "LICENSE"):
                    continue
                if x < 0.12:
                    cur[rel] = (k, max(10, int(sz * r.uniform(0.9, 1.15))), rev + 1)
                elif x < 0.14 and len(cur) > 4:
                    del cur[rel]
            for i in range(r.randint(0, max(1, len(cur) // 25))):
                rel, k, sz = r.choice(base)
                d = os.path.dirname(rel)
                new = (d + "/" if d else "") + "%s_v%d_%d%s" % (r.choice(WORDS), v, i, os.path.splitext(rel)[1] or ".go")
                if k in ("go", "generated", "text", "binary", "asm") and new not in cur:
                    cur[new] = (k, sz, 0)
        out.append([(rel, k, sz, rev) for rel, (k, sz, rev) in sorted(cur.items())])
    return out


def plan_module_files_real(r, kind):
    saved = dict(KINDS)
    KINDS.update(REAL_KINDS)
    try:
        return plan_module_files(r, kind)
    finally:
        KINDS.clear()
        KINDS.update(saved)


def buildable_path(path):
    last = path.rsplit("/", 1)[-1]
    return not path.startswith("gopkg.in/") and not (last.startswith("v") and last[1:].isdigit())


def plan_real(seed, target_bytes, target_files, min_versions, buildable):
    r = random.Random("%d/real" % seed)
    names = list(KNOWN_MODULES)
    r.shuffle(names)
    kinds = list(REAL_KINDS)
    weights = [REAL_KINDS[k][0] for k in kinds]
    modules, total_bytes, total_files, total_versions, i, seen = [], 0, 0, 0, 0, set()
    while total_bytes < target_bytes or total_files < target_files or total_versions < min_versions:
        if i < len(names):
            path = names[i]
        else:
            org = r.choice(WORDS) + r.choice(["", "io", "hq", "labs", "-dev", str(r.randint(1, 99))])
            if r.random() < 0.12:
                org = org.capitalize()
            path = "github.com/%s/%s" % (org, r.choice(WORDS) + r.choice(["", "-go", "go", "-" + r.choice(WORDS), "x"]))
        i += 1
        if path in seen:
            continue
        seen.add(path)
        kind = r.choices(kinds, weights)[0]
        versions = real_versions(random.Random("real/%s/versions" % path))
        compilable = (sum(1 for m in modules if m["compilable"]) < buildable and kind in ("tiny", "small", "medium")
                      and buildable_path(path) and r.random() < 0.5)
        lists = real_files(path, kind, len(versions), compilable)
        for files in lists:
            text = sum(sz for _, k, sz, _ in files if k != "binary")
            binary = sum(sz for _, k, sz, _ in files if k == "binary")
            total_files += len(files) + 6
            total_bytes += text + binary + int(text / 4.3) + binary
        total_versions += len(versions)
        modules.append({"path": path, "kind": kind, "versions": versions, "compilable": compilable})
    PLAN_TOTALS.update(files=total_files, bytes=total_bytes)
    return modules


PLAN_TOTALS = {}


class BuildableGo:
    """Go that compiles: no imports, identifiers unique per file, comments and strings for realistic entropy."""

    def __init__(self, r, vocab):
        self.r = r
        self.vocab = vocab

    def words(self, lo, hi):
        return " ".join(self.r.choice(COMMENT_WORDS) for _ in range(self.r.randint(lo, hi)))

    def go_file(self, pkg, fid, size, generated=False):
        r = self.r
        parts = ["// Code generated by protoc-gen-go. DO NOT EDIT.\n" if generated else "",
                 "// Package %s %s.\npackage %s\n\n" % (pkg, self.words(4, 12), pkg)]
        n, i = sum(len(p) for p in parts), 0
        while n < size:
            name = "%s%s_%s_%d" % (r.choice(self.vocab).capitalize(), r.choice(self.vocab).capitalize(), fid, i)
            i += 1
            if r.random() < 0.3:
                fields = "".join('\t%s%d %s `json:"%s"`\n' % (r.choice(self.vocab).capitalize(), j,
                                 r.choice(["int", "string", "bool", "int64", "[]byte", "float64"]), r.choice(self.vocab))
                                 for j in range(r.randint(2, 8)))
                p = "// %s %s.\ntype %s struct {\n%s}\n\n" % (name, self.words(5, 14), name, fields)
            else:
                body = []
                for j in range(r.randint(2, 10)):
                    v = "%s%d" % (r.choice(self.vocab), j)
                    x = r.random()
                    if x < 0.4:
                        body.append("\t%s := x*%d + %d\n\tx = %s %% %d\n" % (v, r.randint(2, 99), r.randint(0, 9999), v, r.randint(3, 997)))
                    elif x < 0.7:
                        body.append('\tif x > %d {\n\t\ts += "%s"\n\t}\n' % (r.randint(0, 5000), self.words(2, 6)))
                    else:
                        body.append("\t// %s.\n\tfor %s := 0; %s < %d; %s++ {\n\t\tx += %s\n\t}\n" % (
                            self.words(4, 10), v, v, r.randint(1, 9), v, v))
                p = "// %s %s.\nfunc %s(x int) (int, string) {\n\ts := \"%s\"\n%s\treturn x, s\n}\n\n" % (
                    name, self.words(5, 16), name, r.choice(self.vocab), "".join(body))
            parts.append(p)
            n += len(p)
        return "".join(parts)


def gomod_hash(data):
    summary = "%s  go.mod\n" % hashlib.sha256(data).hexdigest()
    return "h1:" + base64.b64encode(hashlib.sha256(summary.encode()).digest()).decode()


def package_name(rel_dir, path):
    base = os.path.basename(rel_dir) if rel_dir else path.rsplit("/", 1)[-1]
    name = "".join(c for c in base.lower() if c.isalnum()) or "pkg"
    if name[0].isdigit() or name in GO_KEYWORDS:
        name = "p" + name
    return name


def build_version_real(args):
    """Writes one version of a --shape real module and its cache/download files. Returns (files, bytes, zip hash, go.mod hash, packages)."""
    root, seed, path, versions, vi, kind, compilable, lic = args
    version = versions[vi]
    files = real_files(path, kind, len(versions), compilable)[vi]
    mod_r = random.Random("real/%s/vocab" % path)
    gt = GoText(mod_r)
    bg = BuildableGo(mod_r, gt.vocab)
    mtime = EPOCH + random.Random("%s@%s/mtime" % (path, version)).randint(0, 300 * 86400)
    esc = escape_path(path)
    top = os.path.join(root, "%s@%s" % (esc, version))
    os.makedirs(top, exist_ok=True)
    entries, nfiles, nbytes, pkgs = [], 0, 0, set()
    gomod_data = ("module %s\n\ngo 1.21\n" % path).encode()
    for rel, k, size, rev in files:
        cr = random.Random("real/%s/%s/%d" % (path, rel, rev))
        gt.r = cr
        bg.r = cr
        d = os.path.dirname(rel)
        is_go = rel.endswith(".go") and "testdata/" not in rel and not rel.startswith("testdata")
        if k == "gomod":
            data = gomod_data if compilable else gomod_text(cr, path, size).encode()
        elif k == "license":
            data = lic
        elif k == "binary":
            data = cr.randbytes(size)
        elif compilable and is_go:
            fid = hashlib.sha256(rel.encode()).hexdigest()[:8]
            data = bg.go_file(package_name(d, path), fid, size, generated=(k == "generated")).encode()
            if not rel.endswith("_test.go"):
                pkgs.add(d)
        elif k == "go":
            data = gt.go_file(package_name(d, path), size).encode()
        elif k == "generated":
            data = gt.go_file(package_name(d, path) if d else "api", size, generated=True).encode()
        elif k == "gosum":
            data = gosum_text(cr, size).encode()
        else:
            data = gt.prose(size).encode()
        full = os.path.join(top, rel)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        write_file(full, data, 0o444, mtime)
        entries.append(("%s@%s/%s" % (path, version, rel), data))
        nfiles += 1
        nbytes += len(data)
    dl, zpath = seal_version(root, top, esc, version, entries, mtime)
    gomod = next(dt for n, dt in entries if n.endswith("@%s/go.mod" % version))
    zh = ziphash(entries)
    small = {
        version + ".mod": gomod,
        version + ".info": json.dumps({"Version": version, "Time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(mtime))}).encode(),
        version + ".ziphash": zh.encode(),
        version + ".lock": b"",
    }
    for name, data in small.items():
        write_file(os.path.join(dl, name), data, 0o644, mtime)
    os.utime(zpath, (mtime, mtime))
    nbytes += os.path.getsize(zpath) + sum(len(dt) for dt in small.values())
    cr = random.Random("%s@%s/sumdb" % (path, version))
    lookup = os.path.join(root, "cache", "download", "sumdb", "sum.golang.org", "lookup", "%s@%s" % (esc, version))
    os.makedirs(os.path.dirname(lookup), exist_ok=True)
    write_file(lookup, ("%d\n%s %s %s\n%s %s/go.mod %s\n\ngo.sum database tree\n%d\n%s\n" % (
        cr.randint(10 ** 6, 10 ** 8), path, version, zh, path, version, gomod_hash(gomod), cr.randint(10 ** 7, 10 ** 8),
        base64.b64encode(cr.randbytes(32)).decode())).encode(), 0o644, mtime)
    return nfiles + 6, nbytes, zh, gomod_hash(gomod), sorted(pkgs)


def build_real_meta(root, m):
    dl = os.path.join(root, "cache", "download", escape_path(m["path"]), "@v")
    os.makedirs(dl, exist_ok=True)
    data = ("\n".join(m["versions"]) + "\n").encode()
    write_file(os.path.join(dl, "list"), data, 0o644, EPOCH)
    return 1, len(data)


def write_service(svc_dir, picks):
    """A service module importing one package of each buildable module (blank imports), with a complete go.sum."""
    if os.path.exists(svc_dir):
        shutil.rmtree(svc_dir)
    os.makedirs(svc_dir)
    req = "".join("\t%s %s\n" % (p, v) for p, v, _, _, _ in sorted(picks))
    with open(os.path.join(svc_dir, "go.mod"), "w") as f:
        f.write("module example.com/bench/service\n\ngo 1.21\n\nrequire (\n%s)\n" % req)
    with open(os.path.join(svc_dir, "go.sum"), "w") as f:
        for p, v, zh, mh, _ in sorted(picks):
            f.write("%s %s %s\n%s %s/go.mod %s\n" % (p, v, zh, p, v, mh))
    imports = "".join('\t_ "%s"\n' % ((p + "/" + pkg) if pkg else p) for p, _, _, _, pkg in sorted(picks))
    with open(os.path.join(svc_dir, "main.go"), "w") as f:
        f.write('package main\n\nimport (\n\t"fmt"\n\n%s)\n\nfunc main() { fmt.Println("service") }\n' % imports)


def main_real(a, out, tmp, stamp_path, params):
    t0 = time.time()
    modules = plan_real(a.seed, a.target_mb * 2 ** 20, a.target_files, a.min_versions, a.buildable)
    lic = license_text(a.seed)
    tasks = [(tmp, a.seed, m["path"], m["versions"], vi, m["kind"], m["compilable"], lic)
             for m in modules for vi in range(len(m["versions"]))]
    tasks.sort(key=lambda t: -REAL_KINDS[t[5]][2])
    files, nbytes, picks = 0, 0, []
    with multiprocessing.Pool(max(1, a.jobs)) as pool:
        for i, (task, res) in enumerate(zip(tasks, pool.imap(build_version_real, tasks, chunksize=2))):
            n, b, zh, mh, pkgs = res
            files += n
            nbytes += b
            _, _, path, versions, vi, _, compilable, _ = task
            if compilable and vi == len(versions) - 1 and pkgs:
                picks.append((path, versions[vi], zh, mh, random.Random(path).choice(pkgs)))
            if i % 50 == 0:
                print("\r  %d/%d module versions, %d files, %.0f MiB" % (i + 1, len(tasks), files, nbytes / 2 ** 20), end="", file=sys.stderr)
    for m in modules:
        n, b = build_real_meta(tmp, m)
        files += n
        nbytes += b
    n, b = build_sumdb_tiles(tmp, a.seed, 400)
    files += n
    nbytes += b
    for d, _, _ in os.walk(tmp):
        if os.stat(d).st_mode & stat.S_IWUSR:
            os.utime(d, (EPOCH, EPOCH))
    write_service(out + ".svc", picks)
    os.rename(tmp, out)
    with open(stamp_path, "w") as f:
        json.dump({"params": params, "files": files, "bytes": nbytes, "modules": len(modules),
                   "module_versions": len(tasks), "buildable": len(picks), "seconds": round(time.time() - t0, 1)}, f)
    print("\rgenerated %s: %d modules, %d module versions, %d files, %.0f MiB, service with %d modules in %.0f s" % (
        out, len(modules), len(tasks), files, nbytes / 2 ** 20, len(picks), time.time() - t0), file=sys.stderr)


def make_writable(path):
    for d, dirs, _ in os.walk(path):
        os.chmod(d, 0o755)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, help="directory to create (the GOMODCACHE root)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--target-mb", type=int, default=1100, help="approximate total size in MiB (default 1100)")
    ap.add_argument("--target-files", type=int, default=90_000, help="approximate file count (default 90000)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--force", action="store_true", help="regenerate even when a matching tree exists")
    ap.add_argument("--shape", choices=["synthetic", "real"], default="synthetic",
                    help="synthetic: mostly one version per module; real: many versions sharing most files, "
                         "buildable modules and a service beside the cache (<out>.svc)")
    ap.add_argument("--min-versions", type=int, default=1500, help="--shape real: at least this many module versions")
    ap.add_argument("--buildable", type=int, default=40, help="--shape real: modules the service imports")
    ap.add_argument("--plan-only", action="store_true", help="print the planned totals and exit")
    a = ap.parse_args()
    if a.plan_only:
        if a.shape == "real":
            ms = plan_real(a.seed, a.target_mb * 2 ** 20, a.target_files, a.min_versions, a.buildable)
            print("modules %d, versions %d, buildable %d, ~%d files, ~%.0f MiB" % (
                len(ms), sum(len(m["versions"]) for m in ms), sum(m["compilable"] for m in ms),
                PLAN_TOTALS["files"], PLAN_TOTALS["bytes"] / 2 ** 20))
        return

    out = os.path.abspath(a.out)
    stamp_path = out + ".STAMP"
    params = {"gen_version": GEN_VERSION, "seed": a.seed, "target_mb": a.target_mb, "target_files": a.target_files}
    if a.shape == "real":
        params.update({"shape": "real", "min_versions": a.min_versions, "buildable": a.buildable})
    if not a.force and os.path.isdir(out) and os.path.exists(stamp_path):
        with open(stamp_path) as f:
            stamp = json.load(f)
        if stamp.get("params") == params:
            print("reusing %s (%d files, %.0f MiB)" % (out, stamp["files"], stamp["bytes"] / 2 ** 20), file=sys.stderr)
            return
    for p in (out, out + ".tmp"):
        if os.path.exists(p):
            make_writable(p)
            shutil.rmtree(p)
    if os.path.exists(stamp_path):
        os.remove(stamp_path)

    t0 = time.time()
    tmp = out + ".tmp"
    os.makedirs(tmp)
    if a.shape == "real":
        main_real(a, out, tmp, stamp_path, params)
        return
    modules = plan(a.seed, a.target_mb * 2 ** 20, a.target_files)
    lic = license_text(a.seed)
    tasks = [(tmp, a.seed, m["path"], v, m["kind"], m["seeds"][v], lic) for m in modules for v in m["extracted"]]
    # Biggest first keeps both workers busy until the end.
    tasks.sort(key=lambda t: -KINDS[t[4]][2])
    files, nbytes = 0, 0
    with multiprocessing.Pool(max(1, a.jobs)) as pool:
        for i, (n, b) in enumerate(pool.imap_unordered(build_version, tasks, chunksize=1)):
            files += n
            nbytes += b
            if i % 50 == 0:
                print("\r  %d/%d module versions, %d files, %.0f MiB" % (i + 1, len(tasks), files, nbytes / 2 ** 20), end="", file=sys.stderr)
    for m in modules:
        n, b = build_module_meta(tmp, a.seed, m)
        files += n
        nbytes += b
    n, b = build_sumdb_tiles(tmp, a.seed, 400)
    files += n
    nbytes += b
    # Directories outside the read-only module trees (cache/download/..., github.com/...) get a
    # stable mtime too, so the whole tree is a function of the seed.
    for d, _, _ in os.walk(tmp):
        if os.stat(d).st_mode & stat.S_IWUSR:
            os.utime(d, (EPOCH, EPOCH))
    os.rename(tmp, out)
    with open(stamp_path, "w") as f:
        json.dump({"params": params, "files": files, "bytes": nbytes, "modules": len(modules),
                   "module_versions": len(tasks), "seconds": round(time.time() - t0, 1)}, f)
    print("\rgenerated %s: %d modules, %d extracted versions, %d files, %.0f MiB in %.0f s" % (
        out, len(modules), len(tasks), files, nbytes / 2 ** 20, time.time() - t0), file=sys.stderr)


if __name__ == "__main__":
    main()
