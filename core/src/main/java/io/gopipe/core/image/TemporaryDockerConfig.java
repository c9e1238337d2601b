package io.gopipe.core.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A private DOCKER_CONFIG directory holding one registry login, deleted on {@link #close()}.
 * The user's buildx builder instances and Docker contexts stay visible (linked in), so
 * {@code --builder NAME} still works. The password only ever lands in this directory's
 * {@code config.json} (mode 600).
 */
public final class TemporaryDockerConfig implements AutoCloseable {

    private final Path dir;

    private TemporaryDockerConfig(Path dir) {
        this.dir = dir;
    }

    /**
     * Creates the directory under {@code parent}.
     *
     * @param credentials   the login to store
     * @param userConfigDir the user's own DOCKER_CONFIG (for builders and contexts), or null
     */
    public static TemporaryDockerConfig create(Path parent, RegistryCredentials credentials, Path userConfigDir) {
        try {
            Path dir = Files.createTempDirectory(parent, "docker-config-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            ObjectMapper json = new ObjectMapper();
            ObjectNode root = json.createObjectNode();
            if (userConfigDir != null) {
                for (String shared : new String[] {"buildx", "contexts", "cli-plugins"}) {
                    Path src = userConfigDir.resolve(shared);
                    if (Files.isDirectory(src)) {
                        Files.createSymbolicLink(dir.resolve(shared), src.toAbsolutePath());
                    }
                }
                Path userJson = userConfigDir.resolve("config.json");
                if (Files.isReadable(userJson)) {
                    JsonNode current = json.readTree(userJson.toFile()).path("currentContext");
                    if (current.isTextual()) {
                        root.put("currentContext", current.asText());
                    }
                }
            }
            String auth = Base64.getEncoder().encodeToString(
                    (credentials.username() + ":" + credentials.password()).getBytes(StandardCharsets.UTF_8));
            root.putObject("auths").putObject(authKey(credentials.registry())).put("auth", auth);
            Path file = dir.resolve("config.json");
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, json.writeValueAsString(root));
            return new TemporaryDockerConfig(dir);
        } catch (IOException e) {
            throw new ImageException("cannot create a temporary Docker config under " + parent + ": " + e.getMessage(), e);
        }
    }

    /** The key Docker looks credentials up by; Docker Hub has a historical one. */
    static String authKey(String registry) {
        return registry.equals("docker.io") || registry.equals("index.docker.io")
                ? "https://index.docker.io/v1/" : registry;
    }

    public Path dir() {
        return dir;
    }

    /** The environment pointing docker and buildctl at this config. */
    public Map<String, String> env() {
        return Map.of("DOCKER_CONFIG", dir.toString());
    }

    @Override
    public void close() {
        try (Stream<Path> walk = Files.walk(dir)) {
            // Links are deleted as links: the user's own buildx and contexts dirs are never touched.
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new ImageException("cannot remove temporary Docker config " + dir + ": " + e.getMessage(), e);
        }
    }
}
