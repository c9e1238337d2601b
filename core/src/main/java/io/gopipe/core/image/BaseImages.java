package io.gopipe.core.image;

/**
 * The base images generated Dockerfiles use. Defaults are the public images; a mirror prefix or
 * explicit names point them at a registry mirror or pull-through cache.
 *
 * @param go         the Go toolchain image of the build stage (needs a shell and {@code go})
 * @param certs      where a scratch image takes {@code /etc/ssl/certs/ca-certificates.crt} from
 * @param distroless the distroless-static runtime
 * @param alpine     the alpine-like runtime
 */
public record BaseImages(String go, String certs, String distroless, String alpine) {

    public static final String DEFAULT_GO = "docker.io/library/golang:1.24";
    public static final String DEFAULT_DISTROLESS = "gcr.io/distroless/static-debian12:nonroot";
    public static final String DEFAULT_ALPINE = "docker.io/library/alpine:3.21";

    public BaseImages {
        require(go, "go");
        require(certs, "certs");
        require(distroless, "distroless");
        require(alpine, "alpine");
    }

    /** The public images; CA certificates for scratch come from the Go image. */
    public static BaseImages defaults() {
        return new BaseImages(DEFAULT_GO, DEFAULT_GO, DEFAULT_DISTROLESS, DEFAULT_ALPINE);
    }

    /**
     * These images with their registry host replaced by {@code mirror}, e.g.
     * {@code docker.io/library/golang:1.24} → {@code mirror.corp/library/golang:1.24}.
     */
    public BaseImages withMirror(String mirror) {
        if (mirror == null || mirror.isBlank()) {
            return this;
        }
        String m = mirror.endsWith("/") ? mirror.substring(0, mirror.length() - 1) : mirror;
        return new BaseImages(mirrored(go, m), mirrored(certs, m), mirrored(distroless, m), mirrored(alpine, m));
    }

    /** The runtime image for a runtime choice ({@code scratch} for scratch). */
    public String runtimeImage(Runtime runtime) {
        return switch (runtime) {
            case SCRATCH -> "scratch";
            case DISTROLESS -> distroless;
            case ALPINE -> alpine;
        };
    }

    static String mirrored(String image, String mirror) {
        int slash = image.indexOf('/');
        String first = slash < 0 ? "" : image.substring(0, slash);
        boolean hasRegistry = first.contains(".") || first.contains(":") || first.equals("localhost");
        String path = hasRegistry ? image.substring(slash + 1) : (slash < 0 ? "library/" + image : image);
        return mirror + "/" + path;
    }

    private static void require(String v, String name) {
        if (v == null || v.isBlank()) {
            throw new InvalidImageConfigException("base image '" + name + "' is empty");
        }
    }
}
