package io.gopipe.core.gocache;

/**
 * What the remote build cache holds.
 *
 * @param actions     action records (the index)
 * @param objects     output objects
 * @param objectBytes their stored (compressed) bytes
 * @param packs       prefetch packs
 * @param packBytes   their bytes
 * @param manifests   prefetch manifests (keys)
 */
public record GoCacheUsage(long actions, long objects, long objectBytes, long packs, long packBytes, long manifests) {

    public long totalBytes() {
        return objectBytes + packBytes;
    }
}
