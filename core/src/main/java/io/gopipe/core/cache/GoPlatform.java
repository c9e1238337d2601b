package io.gopipe.core.cache;

/**
 * The Go toolchain a cache belongs to.
 *
 * @param goVersion e.g. {@code go1.24.2}
 * @param goos      e.g. {@code linux}
 * @param goarch    e.g. {@code amd64}
 */
public record GoPlatform(String goVersion, String goos, String goarch) {

    public GoPlatform {
        goVersion = CacheKeys.segment(goVersion);
        goos = CacheKeys.segment(goos);
        goarch = CacheKeys.segment(goarch);
    }

    /**
     * Asks {@code go env} (the given binary, or {@code go} on the PATH).
     *
     * @throws CacheException when Go cannot be run; pass the values explicitly then
     */
    public static GoPlatform detect(String goBinary) {
        String bin = goBinary == null || goBinary.isBlank() ? "go" : goBinary;
        try {
            Process p = new ProcessBuilder(bin, "env", "GOVERSION", "GOOS", "GOARCH").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new CacheException("'" + bin + " env' failed: " + out.strip());
            }
            String[] lines = out.strip().split("\\R");
            if (lines.length < 3) {
                throw new CacheException("'" + bin + " env' printed " + out.strip());
            }
            return new GoPlatform(lines[0].strip(), lines[1].strip(), lines[2].strip());
        } catch (java.io.IOException e) {
            throw new CacheException("cannot run '" + bin + "' to find the Go version; pass --go-version, --goos, --goarch", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CacheException("interrupted while running " + bin, e);
        }
    }
}
