package io.gopipe.core.image;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A build secret ({@code RUN --mount=type=secret,id=…}): its value comes from a file or from an
 * environment variable of the agent, never from the command line.
 *
 * @param id  the secret id used in the Dockerfile
 * @param src a file holding the value, or null
 * @param env an environment variable holding the value, or null
 */
public record SecretSpec(String id, Path src, String env) {

    public SecretSpec {
        if (id == null || !id.matches("[A-Za-z0-9_.-]+")) {
            throw new InvalidImageConfigException("secret id '" + id + "' must be letters, digits, '.', '_' or '-'");
        }
        if ((src == null) == (env == null)) {
            throw new InvalidImageConfigException("secret '" + id + "' needs exactly one of src=FILE or env=VAR");
        }
        if (src != null && !Files.isReadable(src)) {
            throw new InvalidImageConfigException("secret '" + id + "': file " + src + " is not readable");
        }
    }

    /** Parses the {@code --secret} syntax: {@code id=NAME,src=FILE} or {@code id=NAME,env=VAR}. */
    public static SecretSpec parse(String spec) {
        String id = null;
        Path src = null;
        String env = null;
        for (String part : spec.split(",")) {
            int eq = part.indexOf('=');
            if (eq < 0) {
                throw new InvalidImageConfigException("--secret '" + spec + "': '" + part + "' is not key=value");
            }
            String k = part.substring(0, eq).strip();
            String v = part.substring(eq + 1).strip();
            switch (k) {
                case "id" -> id = v;
                case "src", "source" -> src = Path.of(v);
                case "env" -> env = v;
                default -> throw new InvalidImageConfigException("--secret '" + spec + "': unknown key '" + k
                        + "' (use id, src, env)");
            }
        }
        return new SecretSpec(id, src, env);
    }

    /** The value of {@code --secret} for buildx and buildctl. */
    public String toFlag() {
        return "id=" + id + (src != null ? ",src=" + src.toAbsolutePath() : ",env=" + env);
    }
}
