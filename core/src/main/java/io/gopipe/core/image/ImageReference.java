package io.gopipe.core.image;

/** Helpers for image reference strings ({@code host[:port]/path[:tag][@digest]}). */
public final class ImageReference {

    private ImageReference() {
    }

    /** The registry host of a reference; {@code docker.io} when it names none. */
    public static String registry(String ref) {
        int slash = ref.indexOf('/');
        if (slash < 0) {
            return "docker.io";
        }
        String first = ref.substring(0, slash);
        return first.contains(".") || first.contains(":") || first.equals("localhost") ? first : "docker.io";
    }

    /** The reference without tag or digest. */
    public static String repository(String ref) {
        String r = ref;
        int at = r.indexOf('@');
        if (at >= 0) {
            r = r.substring(0, at);
        }
        int colon = r.lastIndexOf(':');
        if (colon > r.lastIndexOf('/')) {
            r = r.substring(0, colon);
        }
        return r;
    }

    /** Host and port to probe for a registry host ({@code 443} when no port is given). */
    public static java.net.InetSocketAddress endpoint(String registry) {
        String host = registry.equals("docker.io") ? "registry-1.docker.io" : registry;
        int colon = host.lastIndexOf(':');
        if (colon > 0 && host.indexOf(']') < colon) {
            return java.net.InetSocketAddress.createUnresolved(host.substring(0, colon),
                    Integer.parseInt(host.substring(colon + 1)));
        }
        return java.net.InetSocketAddress.createUnresolved(host, 443);
    }
}
