package io.gopipe.core.image;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A command line to run, with extra environment (e.g. {@code DOCKER_CONFIG}).
 *
 * @param argv the command and its arguments
 * @param env  variables to set for it
 */
public record BuildInvocation(List<String> argv, Map<String, String> env) {

    /** The command line as a shell would show it, secrets masked. */
    public String display(SecretMasker masker) {
        return masker.mask(argv.stream().map(BuildInvocation::quote).collect(Collectors.joining(" ")));
    }

    private static String quote(String a) {
        return a.matches("[A-Za-z0-9_./:=,@%+-]+") ? a : "'" + a.replace("'", "'\\''") + "'";
    }
}
