package io.gopipe.core.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gopipe.core.GopipeException;
import io.gopipe.core.affected.AffectedEngine;
import io.gopipe.core.affected.AffectedRequest;
import io.gopipe.core.affected.AffectedService;
import io.gopipe.core.affected.BaseSpec;
import io.gopipe.core.affected.ParseCache;
import io.gopipe.core.report.Reporter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds each service's Dockerfile, build context, module and main package: from the JSON of
 * {@code gopipe affected}, or by name through the affected engine's service discovery (every main
 * package, named and configured by gopipe.yaml), falling back to {@code cmd/NAME} or
 * {@code services/NAME} where discovery finds nothing (e.g. outside a git repository).
 * The build context of a generated Dockerfile is the repository root, so local {@code replace}
 * targets and go.work members are inside it.
 */
public final class ServiceResolver {

    private final Path repo;
    private List<AffectedService> discovered;

    public ServiceResolver(Path repo) {
        this.repo = repo.toAbsolutePath().normalize();
        if (!Files.isDirectory(this.repo)) {
            throw new InvalidImageConfigException("--repo " + repo + " is not a directory");
        }
    }

    /** Every service listed under {@code services} in a {@code gopipe affected} JSON file. */
    public List<ServiceSource> fromAffected(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new InvalidImageConfigException("--affected " + file + " is not readable JSON: " + e.getMessage());
        }
        JsonNode services = root.path("services");
        if (!services.isArray()) {
            throw new InvalidImageConfigException("--affected " + file + " has no \"services\" array");
        }
        List<ServiceSource> out = new ArrayList<>();
        int i = 0;
        for (JsonNode s : services) {
            String name = s.path("name").asText("");
            String path = s.path("path").asText("");
            if (name.isEmpty() || path.isEmpty()) {
                throw new InvalidImageConfigException("--affected " + file + ": services[" + i + "] needs \"name\" and \"path\"");
            }
            out.add(resolve(name, repo.resolve(path).normalize(), text(s, "dockerfile"), text(s, "context")));
            i++;
        }
        return out;
    }

    /** A service as the job's {@code gopipe affected} listed it ({@link PlanFile}): no discovery. */
    public ServiceSource listed(PlanFile.Entry e) {
        return resolve(e.name(), repo.resolve(e.path()).normalize(), e.dockerfile(), e.context());
    }

    /** A service by name: as discovered by the affected engine, else {@code cmd/NAME}, {@code services/NAME}. */
    public ServiceSource byName(String name) {
        for (AffectedService s : discover()) {
            if (s.name().equals(name)) {
                return resolve(name, repo.resolve(s.path()).normalize(), s.dockerfile(), s.context());
            }
        }
        List<Path> candidates = List.of(repo.resolve("cmd").resolve(name), repo.resolve("services").resolve(name),
                repo.resolve("services").resolve(name).resolve("cmd").resolve(name),
                repo.resolve("services").resolve(name).resolve("cmd"));
        for (Path dir : candidates) {
            if (hasMainPackage(dir)) {
                Path own = dir.resolve("Dockerfile");
                Path serviceDir = repo.resolve("services").resolve(name).resolve("Dockerfile");
                String dockerfile = Files.isRegularFile(own) ? repo.relativize(own).toString()
                        : Files.isRegularFile(serviceDir) ? repo.relativize(serviceDir).toString() : null;
                return resolve(name, dir, dockerfile, null);
            }
        }
        List<String> known = discover().stream().map(AffectedService::name).toList();
        throw new InvalidImageConfigException("--service " + name + ": no such service in " + repo
                + (known.isEmpty() ? "" : " (services: " + String.join(", ", known) + ")")
                + " and no main package in " + repo.relativize(candidates.get(0)) + " or "
                + repo.relativize(candidates.get(1)));
    }

    /** Every service at HEAD: an all-zero base makes the affected engine list them all. */
    private List<AffectedService> discover() {
        if (discovered == null) {
            try {
                discovered = new AffectedEngine(new ParseCache(), Reporter.silent())
                        .compute(new AffectedRequest(repo, BaseSpec.revision("0".repeat(40)))).services();
            } catch (GopipeException e) {
                discovered = List.of();
            }
        }
        return discovered;
    }

    private ServiceSource resolve(String name, Path mainDir, String dockerfile, String context) {
        Path ctx = context == null || context.isBlank() ? repo : repo.resolve(context).normalize();
        Path df = dockerfile == null || dockerfile.isBlank() ? null : repo.resolve(dockerfile).normalize();
        if (df != null && !Files.isRegularFile(df)) {
            throw new InvalidImageConfigException("service " + name + ": Dockerfile " + df + " does not exist");
        }
        Path module = moduleOf(mainDir);
        if (module == null) {
            if (df != null) {
                return new ServiceSource(name, ctx, df, ".", ".");
            }
            throw new InvalidImageConfigException("service " + name + ": no go.mod at or above " + mainDir);
        }
        if (!module.startsWith(ctx)) {
            if (df != null) {
                // The service's own Dockerfile decides what it needs from its context.
                return new ServiceSource(name, ctx, df, ".", ".");
            }
            ctx = repo;
        }
        String moduleDir = ctx.relativize(module).toString();
        String rel = module.relativize(mainDir).toString();
        return new ServiceSource(name, ctx, df, moduleDir.isEmpty() ? "." : moduleDir, rel.isEmpty() ? "." : "./" + rel);
    }

    private Path moduleOf(Path dir) {
        for (Path d = dir; d != null && d.startsWith(repo); d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("go.mod"))) {
                return d;
            }
        }
        return null;
    }

    private static boolean hasMainPackage(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".go") && !f.toString().endsWith("_test.go"))
                    .anyMatch(ServiceResolver::declaresMain);
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean declaresMain(Path goFile) {
        try (Stream<String> lines = Files.lines(goFile)) {
            return lines.map(String::strip).filter(l -> l.startsWith("package ")).findFirst()
                    .map(l -> l.equals("package main") || l.startsWith("package main ")).orElse(false);
        } catch (IOException | java.io.UncheckedIOException e) {
            return false;
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
