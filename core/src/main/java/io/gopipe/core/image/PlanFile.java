package io.gopipe.core.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The services a job's {@code gopipe affected} already resolved (its JSON, {@code --output FILE}), read
 * back by {@code gopipe image build --plan FILE} so each image step skips service discovery (the whole
 * repository's Go packages parsed again, per image, 0.15-0.25 s). Trusted only for the commit it was
 * written for: service discovery reads gopipe.yaml and the main packages from HEAD's tree, so the same
 * HEAD means the same services; anything else is re-planned.
 *
 * @param file     where it was read from
 * @param head     the commit {@code gopipe affected} resolved the services at, or null
 * @param services every service it lists ({@code services} and {@code testAffected}), by name
 */
public record PlanFile(Path file, String head, Map<String, Entry> services) {

    /** One listed service, as {@code gopipe affected} found it (paths relative to the repository). */
    public record Entry(String name, String path, String dockerfile, String context) {
    }

    public PlanFile {
        services = Map.copyOf(services);
    }

    /**
     * Reads the file, or says why it cannot be used.
     *
     * @throws Unusable when the file is missing or not the JSON of {@code gopipe affected}
     */
    public static PlanFile read(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new Unusable("it is not readable JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (root == null || !root.path("services").isArray()) {
            throw new Unusable("it has no \"services\" array (not the JSON of `gopipe affected`)");
        }
        Map<String, Entry> byName = new LinkedHashMap<>();
        for (String list : new String[] {"services", "testAffected"}) {
            for (JsonNode s : root.path(list)) {
                String name = s.path("name").asText("");
                String path = s.path("path").asText("");
                if (name.isEmpty() || path.isEmpty()) {
                    throw new Unusable(list + " has an entry without \"name\" or \"path\"");
                }
                byName.putIfAbsent(name, new Entry(name, path, text(s, "dockerfile"), text(s, "context")));
            }
        }
        return new PlanFile(file, text(root, "head"), byName);
    }

    /**
     * Why this plan must not be used for a checkout at {@code checkoutHead}, or empty when it may.
     * A plan without a head, or a checkout outside git, is never trusted: nothing ties them together.
     */
    public Optional<String> staleFor(String checkoutHead) {
        if (head == null || head.isBlank()) {
            return Optional.of("it names no \"head\" commit");
        }
        if (checkoutHead == null) {
            return Optional.of("the repository has no git HEAD to compare it with");
        }
        if (!head.equals(checkoutHead)) {
            return Optional.of("it was written for " + shortId(head) + ", the checkout is at " + shortId(checkoutHead));
        }
        return Optional.empty();
    }

    /** The listed service of that name. */
    public Optional<Entry> service(String name) {
        return Optional.ofNullable(services.get(name));
    }

    private static String shortId(String rev) {
        return rev.substring(0, Math.min(12, rev.length()));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** The plan file cannot be used; the job plans the services itself (a warning, never a failure). */
    public static final class Unusable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unusable(String message) {
            super(message);
        }
    }
}
