package io.gopipe.core.image;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a buildkitd listens, as {@code buildctl --addr} takes it: {@code tcp://host:port}
 * (optionally with mTLS files), {@code unix:///path}, {@code docker-container://name} or
 * {@code kube-pod://name?namespace=ns}.
 *
 * @param uri           the address
 * @param tlsCaCert     CA certificate for tcp, or null
 * @param tlsCert       client certificate for tcp mTLS, or null
 * @param tlsKey        client key for tcp mTLS, or null
 * @param tlsServerName server name to verify, or null
 */
public record BuildkitAddress(String uri, Path tlsCaCert, Path tlsCert, Path tlsKey, String tlsServerName) {

    public BuildkitAddress {
        if (uri == null || uri.isBlank()) {
            throw new InvalidImageConfigException("buildkit address is empty (set --buildkit-addr or BUILDKIT_HOST)");
        }
        String scheme = scheme(uri);
        if (!List.of("tcp", "unix", "docker-container", "kube-pod").contains(scheme)) {
            throw new InvalidImageConfigException("buildkit address '" + uri
                    + "' has an unsupported scheme; use tcp://, unix://, docker-container:// or kube-pod://");
        }
        boolean anyTls = tlsCaCert != null || tlsCert != null || tlsKey != null;
        if (anyTls && !scheme.equals("tcp")) {
            throw new InvalidImageConfigException("TLS files are only used with tcp:// buildkit addresses, not '"
                    + uri + "'");
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new InvalidImageConfigException("mTLS needs both a client certificate and a key (--tls-cert/--tls-key)");
        }
        for (Path p : new Path[] {tlsCaCert, tlsCert, tlsKey}) {
            if (p != null && !Files.isReadable(p)) {
                throw new InvalidImageConfigException("TLS file " + p + " for buildkit address " + uri + " is not readable");
            }
        }
    }

    /** A plain address without TLS. */
    public static BuildkitAddress of(String uri) {
        return new BuildkitAddress(uri, null, null, null, null);
    }

    public String scheme() {
        return scheme(uri);
    }

    /** Host and port for tcp addresses (for a fast reachability probe), else null. */
    public URI tcpEndpoint() {
        if (!scheme().equals("tcp")) {
            return null;
        }
        try {
            return new URI(uri);
        } catch (URISyntaxException e) {
            throw new InvalidImageConfigException("buildkit address '" + uri + "' is not a valid URI: " + e.getMessage());
        }
    }

    /** The global buildctl flags selecting this daemon: {@code --addr …} and the TLS options. */
    public List<String> buildctlFlags() {
        List<String> flags = new ArrayList<>(List.of("--addr", uri));
        if (tlsServerName != null) {
            flags.addAll(List.of("--tlsservername", tlsServerName));
        }
        if (tlsCaCert != null) {
            flags.addAll(List.of("--tlscacert", tlsCaCert.toString()));
        }
        if (tlsCert != null) {
            flags.addAll(List.of("--tlscert", tlsCert.toString(), "--tlskey", tlsKey.toString()));
        }
        return flags;
    }

    private static String scheme(String uri) {
        int i = uri.indexOf("://");
        return i < 0 ? "" : uri.substring(0, i);
    }
}
