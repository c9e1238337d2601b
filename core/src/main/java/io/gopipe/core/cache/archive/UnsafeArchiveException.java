package io.gopipe.core.cache.archive;

/**
 * An archive entry would escape the restore root or create something we never restore: absolute
 * paths, {@code ..}, symlinks leaving the root, hardlinks, device files, FIFOs.
 */
public class UnsafeArchiveException extends CorruptArchiveException {

    public UnsafeArchiveException(String message) {
        super(message);
    }
}
