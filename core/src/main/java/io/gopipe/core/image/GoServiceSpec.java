package io.gopipe.core.image;

import java.util.List;

/**
 * What a generated Dockerfile builds: one Go main package into one static binary.
 *
 * @param service        service name (used in comments and as the default binary name)
 * @param moduleDir      the Go module's directory, relative to the build context ({@code .} for the root)
 * @param mainPackage    the main package, relative to {@code moduleDir}, e.g. {@code ./cmd/orders}
 * @param runtime        the final stage
 * @param images         base images
 * @param port           port to EXPOSE, or null
 * @param entrypointArgs arguments after the binary in ENTRYPOINT
 * @param user           the runtime user, numeric so it works without /etc/passwd
 * @param versionVariable the string variable {@code -X} sets to the version, e.g. {@code main.version};
 *                        null when the program has none (nothing is stamped)
 */
public record GoServiceSpec(String service, String moduleDir, String mainPackage, Runtime runtime,
                            BaseImages images, Integer port, List<String> entrypointArgs, String user,
                            String versionVariable) {

    /** Default non-root user: the distroless {@code nonroot} uid/gid. */
    public static final String NONROOT = "65532:65532";

    public GoServiceSpec {
        if (service == null || !service.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
            throw new InvalidImageConfigException("service name '" + service + "' must be letters, digits, '.', '_' or '-'");
        }
        moduleDir = moduleDir == null || moduleDir.isBlank() ? "." : moduleDir;
        if (mainPackage == null || mainPackage.isBlank()) {
            throw new InvalidImageConfigException("main package of service '" + service + "' is empty");
        }
        if (!mainPackage.startsWith("./") && !mainPackage.equals(".") && !mainPackage.contains(".")) {
            mainPackage = "./" + mainPackage;
        }
        if (port != null && (port < 1 || port > 65535)) {
            throw new InvalidImageConfigException("port " + port + " of service '" + service + "' is out of range");
        }
        entrypointArgs = entrypointArgs == null ? List.of() : List.copyOf(entrypointArgs);
        user = user == null || user.isBlank() ? NONROOT : user;
        runtime = runtime == null ? Runtime.DISTROLESS : runtime;
        images = images == null ? BaseImages.defaults() : images;
        if (versionVariable != null && (versionVariable.isBlank() || !versionVariable.matches("[^\\s\"'=$`]+\\.[A-Za-z_][A-Za-z0-9_]*"))) {
            throw new InvalidImageConfigException("version variable '" + versionVariable + "' of service '" + service
                    + "' is not IMPORTPATH.name (e.g. main.version)");
        }
    }

    /** The {@code -ldflags} value: stripped, and the version stamped when there is a variable for it. */
    public String ldflags(String versionValue) {
        return "-s -w" + (versionVariable == null ? "" : " -X " + versionVariable + "=" + versionValue);
    }
}
