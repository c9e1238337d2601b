package io.gopipe.core.gocache;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything {@code gopipe gocache serve} needs: the CLI and the plugin build this and call
 * {@link GoCacheDaemon#serve}.
 *
 * @param cache     the store, local tier, limits and read-only mode shared by every client; a client's
 *                  hello adds its prefetch key and may make its own session read-only. A prefetch key
 *                  here starts that key's prefetch when the daemon starts; clients of that key use it
 * @param listen    addresses: {@code unix:PATH} and/or {@code tcp:127.0.0.1:PORT} (port 0: any free port)
 * @param idleExit  the daemon exits after this long without a client (zero: never)
 * @param lockFile  held while the daemon runs, so a second one started at the same time backs off;
 *                  null: {@code <first unix socket>.lock}, else {@code <local tier>/daemon.lock}
 * @param readyFile written (atomically) with the bound addresses, one a line, once clients can
 *                  connect; null for none
 * @param warmUp    once listening, rehearse the hot paths on made-up outputs in a scratch folder
 *                  ({@code serve --warm-up}), for a daemon started ahead of its jobs; stops when a client connects
 */
public record GoCacheDaemonOptions(GoCacheOptions cache, List<String> listen, Duration idleExit, Path lockFile,
                                   Path readyFile, boolean warmUp) {

    /** Without the warm-up. */
    public GoCacheDaemonOptions(GoCacheOptions cache, List<String> listen, Duration idleExit, Path lockFile, Path readyFile) {
        this(cache, listen, idleExit, lockFile, readyFile, false);
    }

    public GoCacheDaemonOptions {
        listen = List.copyOf(listen);
        if (listen.isEmpty()) {
            throw new IllegalArgumentException("gocache serve needs at least one address (--socket or --tcp)");
        }
        idleExit = idleExit == null ? Duration.ZERO : idleExit;
    }

    /** The lock file: as given, else next to the first unix socket, else in the local tier. */
    public Path effectiveLockFile() {
        if (lockFile != null) {
            return lockFile;
        }
        for (String a : listen) {
            if (a.startsWith("unix:")) {
                return Path.of(a.substring(5) + ".lock");
            }
        }
        return cache.diskDir().resolve("daemon.lock");
    }
}
