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
 * @param tools       built tools kept for agents (the gocache bridge per go version and platform)
 * @param toolBytes   their bytes
 */
public record GoCacheUsage(long actions, long objects, long objectBytes, long packs, long packBytes, long manifests,
                           long tools, long toolBytes) {

    public long totalBytes() {
        return objectBytes + packBytes + toolBytes;
    }
}
