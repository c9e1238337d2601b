package io.gopipe.bench.affected;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Renders a {@link GoFile} as valid, realistic-looking Go: a doc comment, build constraint, grouped
 * imports (every one used), a struct type with methods, and a function that wires the file's repo
 * imports. Output depends only on the file's fields, so re-rendering after an edit is deterministic.
 */
final class GoRenderer {

    private static final List<String> STDLIB = List.of("context", "errors", "fmt", "sort", "strconv",
        "strings", "sync", "time");
    private static final String[] NOUNS = {"Registry", "Store", "Client", "Handler", "Resolver", "Planner",
        "Tracker", "Builder", "Index", "Ledger", "Catalog", "Dispatcher", "Snapshot", "Policy", "Session",
        "Window", "Batch", "Router", "Scanner", "Writer", "Reader", "Broker", "Monitor", "Budget"};
    private static final String[] VERBS = {"loads", "tracks", "resolves", "caches", "routes", "validates",
        "aggregates", "schedules", "indexes", "records"};

    String render(GoFile f) {
        return switch (f.role) {
            case TEST -> renderTest(f);
            case XTEST -> renderXTest(f);
            case OS_LINUX, OS_WINDOWS, OS_DARWIN, OS_OTHER -> renderPlatform(f);
            case CGO -> renderCgo(f);
            case NOCGO -> renderNoCgo(f);
            case GEN_IGNORED -> renderGenerator(f);
            case EMBED -> renderEmbed(f);
            case SOURCE, TAGGED -> renderSource(f);
        };
    }

    static String typeName(GoFile f) {
        Random r = new Random(f.seed);
        return NOUNS[r.nextInt(NOUNS.length)] + f.index;
    }

    private String renderSource(GoFile f) {
        Random r = new Random(f.seed * 31 + 7);
        GoPackage p = f.pkg;
        StringBuilder b = new StringBuilder(4096);
        if (f.role == GoFile.Role.TAGGED) {
            b.append("//go:build integration\n");
            if ((f.seed & 1) == 0) {
                b.append("// +build integration\n");
            }
            b.append('\n');
        }
        boolean primary = f.index == 0;
        if (primary && !p.isMain()) {
            b.append("// Package ").append(p.name).append(' ').append(VERBS[r.nextInt(VERBS.length)])
                .append(" the ").append(p.dir.replace('/', ' ')).append(" data for its callers.\n");
            b.append("//\n// It is owned by the ").append(p.owner == null ? "platform" : p.owner)
                .append(" team; see the docs/ folder for the design notes.\n");
        }
        b.append("package ").append(p.isMain() ? "main" : p.name).append("\n\n");
        Map<GoPackage, String> aliases = imports(b, f, STDLIB);
        String t = typeName(f);
        if (primary) {
            if (p.isMain()) {
                b.append("const serviceName = \"").append(p.dir).append("\"\n\n");
            } else {
                b.append("// Name is the import path of this package, reported in startup banners.\n");
                b.append("const Name = \"").append(p.importPath()).append("\"\n\n");
            }
        }
        String lower = t.toLowerCase();
        b.append("// ").append(t).append(' ').append(VERBS[r.nextInt(VERBS.length)])
            .append(" labelled entries for one tenant.\n");
        b.append("type ").append(t).append(" struct {\n")
            .append("\tmu      sync.Mutex\n\tid      string\n\tlabels  map[string]string\n")
            .append("\tcreated time.Time\n\thits    int\n}\n\n");
        b.append("// New").append(t).append(" returns an empty ").append(t).append(" identified by id.\n");
        b.append("func New").append(t).append("(id string) *").append(t).append(" {\n")
            .append("\treturn &").append(t).append("{id: id, labels: make(map[string]string), created: time.Now()}\n}\n\n");
        b.append("// Set stores value under key, trimming surrounding space.\n");
        b.append("func (s *").append(t).append(") Set(key, value string) {\n")
            .append("\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n\ts.labels[key] = strings.TrimSpace(value)\n}\n\n");
        b.append("// Keys returns the label keys in sorted order.\n");
        b.append("func (s *").append(t).append(") Keys() []string {\n")
            .append("\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n")
            .append("\tkeyList := make([]string, 0, len(s.labels))\n")
            .append("\tfor k := range s.labels {\n\t\tkeyList = append(keyList, k)\n\t}\n")
            .append("\tsort.Strings(keyList)\n\treturn keyList\n}\n\n");
        b.append("// Lookup returns the value stored under key, or an error when it is missing.\n");
        b.append("func (s *").append(t).append(") Lookup(ctx context.Context, key string) (string, error) {\n")
            .append("\tif err := ctx.Err(); err != nil {\n")
            .append("\t\treturn \"\", fmt.Errorf(\"").append(lower).append(" lookup %q: %w\", key, err)\n\t}\n")
            .append("\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n")
            .append("\tv, ok := s.labels[key]\n\tif !ok {\n")
            .append("\t\treturn \"\", errors.New(\"").append(lower).append(": no label \" + key)\n\t}\n")
            .append("\ts.hits++\n\treturn v, nil\n}\n\n");
        b.append("// Describe renders a one-line summary for logs.\n");
        b.append("func (s *").append(t).append(") Describe() string {\n")
            .append("\treturn s.id + \" labels=\" + strconv.Itoa(len(s.labels)) + \" hits=\" + strconv.Itoa(s.hits)\n}\n\n");
        int extra = 2 + r.nextInt(7);
        for (int j = 0; j < extra; j++) {
            extraMethod(b, t, lower, j, r);
        }
        b.append("// wireDeps").append(f.index).append(" lists the packages this file wires in, for the startup banner.\n");
        b.append("func wireDeps").append(f.index).append("() []string {\n");
        if (aliases.isEmpty()) {
            b.append("\treturn nil\n}\n");
        } else {
            b.append("\treturn []string{\n");
            for (String a : aliases.values()) {
                b.append("\t\t").append(a).append(".Name,\n");
            }
            b.append("\t}\n}\n");
        }
        if (primary && p.isMain()) {
            b.append("\nfunc main() {\n")
                .append("\tctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)\n")
                .append("\tdefer cancel()\n")
                .append("\tapp := New").append(t).append("(serviceName)\n")
                .append("\tapp.Set(\"started\", time.Now().UTC().Format(time.RFC3339))\n")
                .append("\tif _, err := app.Lookup(ctx, \"started\"); err != nil {\n")
                .append("\t\tfmt.Println(\"startup failed:\", err)\n\t\treturn\n\t}\n")
                .append("\tfmt.Println(serviceName, \"wired\", len(wireDeps0()), \"packages\", app.Describe())\n}\n");
        }
        appendEdits(b, f);
        return b.toString();
    }

    private static void appendEdits(StringBuilder b, GoFile f) {
        for (int e = 1; e <= f.edits; e++) {
            b.append("\n// revision").append(e).append(" reports the behaviour change made in revision ")
                .append(e).append(".\nfunc revision").append(f.index).append('x').append(e)
                .append("() int {\n\treturn ").append(e * 7 + f.index).append("\n}\n");
        }
    }

    private static void extraMethod(StringBuilder b, String t, String lower, int j, Random r) {
        switch (r.nextInt(6)) {
            case 0 -> b.append("// Bump").append(j).append(" adds delta to the hit counter and returns the new total as text.\n")
                .append("func (s *").append(t).append(") Bump").append(j).append("(delta int) string {\n")
                .append("\ts.mu.Lock()\n\ts.hits += delta\n\tcurrent := s.hits\n\ts.mu.Unlock()\n")
                .append("\treturn strconv.Itoa(current)\n}\n\n");
            case 1 -> b.append("// Filter").append(j).append(" returns the labels whose value starts with prefix.\n")
                .append("func (s *").append(t).append(") Filter").append(j).append("(prefix string) map[string]string {\n")
                .append("\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n")
                .append("\tmatched := make(map[string]string)\n")
                .append("\tfor k, v := range s.labels {\n\t\tif strings.HasPrefix(v, prefix) {\n\t\t\tmatched[k] = v\n\t\t}\n\t}\n")
                .append("\treturn matched\n}\n\n");
            case 2 -> b.append("// Validate").append(j).append(" checks that every label value is non-empty.\n")
                .append("func (s *").append(t).append(") Validate").append(j).append("(ctx context.Context) error {\n")
                .append("\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n")
                .append("\tfor k, v := range s.labels {\n\t\tif err := ctx.Err(); err != nil {\n\t\t\treturn err\n\t\t}\n")
                .append("\t\tif strings.TrimSpace(v) == \"\" {\n\t\t\treturn fmt.Errorf(\"").append(lower)
                .append(": label %q is empty\", k)\n\t\t}\n\t}\n\treturn nil\n}\n\n");
            case 3 -> b.append("// Age").append(j).append(" reports how long ago the value was created; never negative.\n")
                .append("func (s *").append(t).append(") Age").append(j).append("(now time.Time) time.Duration {\n")
                .append("\tif now.Before(s.created) {\n\t\treturn 0\n\t}\n\treturn now.Sub(s.created).Round(time.Millisecond)\n}\n\n");
            case 4 -> b.append("// Merge").append(j).append(" copies the given labels in and returns how many were new.\n")
                .append("func (s *").append(t).append(") Merge").append(j).append("(incoming map[string]string) int {\n")
                .append("\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n\tadded := 0\n")
                .append("\tfor k, v := range incoming {\n\t\tif _, seen := s.labels[k]; !seen {\n\t\t\tadded++\n\t\t}\n")
                .append("\t\ts.labels[k] = v\n\t}\n\treturn added\n}\n\n");
            default -> {
                int base = 100 + r.nextInt(400);
                b.append("// severity").append(j).append(" maps a status code to the level used in ").append(lower).append(" logs.\n")
                    .append("func severity").append(j).append("(code int) string {\n\tswitch {\n")
                    .append("\tcase code < ").append(base).append(":\n\t\treturn \"debug\"\n")
                    .append("\tcase code < ").append(base + 100).append(":\n\t\treturn \"info\"\n")
                    .append("\tcase code < ").append(base + 200).append(":\n\t\treturn \"warn\"\n")
                    .append("\tdefault:\n\t\treturn \"error\"\n\t}\n}\n\n");
            }
        }
    }

    /** Writes the import block; returns repo imports and the local name each is referenced by. */
    private static Map<GoPackage, String> imports(StringBuilder b, GoFile f, List<String> stdlib) {
        Set<String> used = new HashSet<>(stdlib);
        Map<GoPackage, String> aliases = new LinkedHashMap<>();
        List<String> lines = new ArrayList<>();
        for (GoPackage d : f.deps) {
            String local = d.name;
            int n = 2;
            while (used.contains(local)) {
                local = d.name + n++;
            }
            used.add(local);
            aliases.put(d, local);
            lines.add(local.equals(d.name) ? "\"" + d.importPath() + "\"" : local + " \"" + d.importPath() + "\"");
        }
        if (stdlib.isEmpty() && lines.isEmpty()) {
            return aliases;
        }
        b.append("import (\n");
        for (String s : stdlib) {
            b.append('\t').append('"').append(s).append("\"\n");
        }
        if (!stdlib.isEmpty() && !lines.isEmpty()) {
            b.append('\n');
        }
        for (String l : lines) {
            b.append('\t').append(l).append('\n');
        }
        b.append(")\n\n");
        return aliases;
    }

    private String renderPlatform(GoFile f) {
        StringBuilder b = new StringBuilder(512);
        String os = switch (f.role) {
            case OS_LINUX -> "linux";
            case OS_WINDOWS -> "windows";
            case OS_DARWIN -> "darwin";
            default -> "other";
        };
        if (f.role == GoFile.Role.OS_OTHER) {
            b.append("//go:build !linux && !windows && !darwin\n\n");
        }
        b.append("package ").append(f.pkg.isMain() ? "main" : f.pkg.name).append("\n\n");
        Map<GoPackage, String> aliases = imports(b, f, List.of());
        b.append("// platformName names the operating system this build targets.\n");
        b.append("func platformName() string {\n\treturn \"").append(os).append("\"\n}\n\n");
        b.append("// platformDeps lists the packages only this platform wires in.\n");
        b.append("func platformDeps() []string {\n");
        if (aliases.isEmpty()) {
            b.append("\treturn nil\n}\n");
        } else {
            b.append("\treturn []string{");
            b.append(String.join(", ", aliases.values().stream().map(a -> a + ".Name").toList()));
            b.append("}\n}\n");
        }
        appendEdits(b, f);
        return b.toString();
    }

    private String renderCgo(GoFile f) {
        StringBuilder b = new StringBuilder(512);
        b.append("//go:build cgo\n\npackage ").append(f.pkg.name).append("\n\n")
            .append("/*\n#include <stdint.h>\nstatic int32_t fast_checksum(int32_t seed) { return seed * 31 + 7; }\n*/\n")
            .append("import \"C\"\n\n")
            .append("// checksum uses the C implementation when cgo is enabled.\n")
            .append("func checksum(seed int32) int32 {\n\treturn int32(C.fast_checksum(C.int32_t(seed)))\n}\n");
        appendEdits(b, f);
        return b.toString();
    }

    private String renderNoCgo(GoFile f) {
        StringBuilder b = new StringBuilder(256);
        b.append("//go:build !cgo\n\npackage ").append(f.pkg.name).append("\n\n")
            .append("// checksum is the pure-Go fallback of the cgo implementation.\n")
            .append("func checksum(seed int32) int32 {\n\treturn seed*31 + 7\n}\n");
        appendEdits(b, f);
        return b.toString();
    }

    private String renderGenerator(GoFile f) {
        StringBuilder b = new StringBuilder(512);
        b.append("//go:build ignore\n\n// This program regenerates the lookup tables; run it with go generate.\npackage main\n\n")
            .append("import (\n\t\"fmt\"\n\t\"os\"\n)\n\n")
            .append("func main() {\n\tfor i := 0; i < 16; i++ {\n\t\tfmt.Fprintf(os.Stdout, \"%d: %d\\n\", i, i*i)\n\t}\n}\n");
        appendEdits(b, f);
        return b.toString();
    }

    private String renderEmbed(GoFile f) {
        StringBuilder b = new StringBuilder(512);
        b.append("package main\n\nimport \"embed\"\n\n")
            .append("// staticFiles holds the web UI; files starting with _ or . stay out of the binary.\n")
            .append("//\n//go:embed static\nvar staticFiles embed.FS\n\n")
            .append("// templateFiles holds the page and mail templates.\n")
            .append("//\n//go:embed templates/*.tmpl\nvar templateFiles embed.FS\n");
        appendEdits(b, f);
        return b.toString();
    }

    private String renderTest(GoFile f) {
        GoPackage p = f.pkg;
        StringBuilder b = new StringBuilder(1024);
        b.append("package ").append(p.isMain() ? "main" : p.name).append("\n\n");
        Map<GoPackage, String> aliases = imports(b, f, List.of("context", "testing"));
        String t = typeName(p.primary());
        b.append("func Test").append(t).append("Lookup(t *testing.T) {\n")
            .append("\ts := New").append(t).append("(\"test\")\n")
            .append("\tif _, err := s.Lookup(context.Background(), \"missing\"); err == nil {\n")
            .append("\t\tt.Fatal(\"expected an error for a missing key\")\n\t}\n")
            .append("\ts.Set(\"region\", \"  eu-west-1 \")\n")
            .append("\tgot, err := s.Lookup(context.Background(), \"region\")\n")
            .append("\tif err != nil || got != \"eu-west-1\" {\n\t\tt.Fatalf(\"Lookup = %q, %v\", got, err)\n\t}\n");
        for (String a : aliases.values()) {
            b.append("\tt.Log(").append(a).append(".Name)\n");
        }
        b.append("}\n");
        for (int e = 1; e <= f.edits; e++) {
            b.append("\nfunc Test").append(t).append("Revision").append(e).append("(t *testing.T) {\n")
                .append("\tif got := New").append(t).append("(\"r\").Describe(); got == \"\" {\n")
                .append("\t\tt.Fatal(\"empty description in revision ").append(e).append("\")\n\t}\n}\n");
        }
        return b.toString();
    }

    private String renderXTest(GoFile f) {
        GoPackage p = f.pkg;
        StringBuilder b = new StringBuilder(512);
        b.append("package ").append(p.name).append("_test\n\n")
            .append("import (\n\t\"strings\"\n\t\"testing\"\n\n\t\"").append(p.importPath()).append("\"\n)\n\n")
            .append("func TestName(t *testing.T) {\n\tif !strings.HasSuffix(").append(p.name).append(".Name, \"")
            .append(p.name).append("\") {\n\t\tt.Fatalf(\"unexpected import path %s\", ").append(p.name).append(".Name)\n\t}\n}\n");
        for (int e = 1; e <= f.edits; e++) {
            b.append("\nfunc TestNameRevision").append(e).append("(t *testing.T) {\n\tif ").append(p.name)
                .append(".Name == \"\" {\n\t\tt.Fatal(\"revision ").append(e).append("\")\n\t}\n}\n");
        }
        return b.toString();
    }
}
