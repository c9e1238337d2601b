package io.gopipe.core.cache.archive;

import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/** Conversions between POSIX mode bits and {@link PosixFilePermission} sets. */
public final class Modes {

    private static final PosixFilePermission[] ORDER = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ,
    };

    private Modes() {
    }

    public static int toBits(Set<PosixFilePermission> perms) {
        int bits = 0;
        for (int i = 0; i < ORDER.length; i++) {
            if (perms.contains(ORDER[i])) {
                bits |= 1 << i;
            }
        }
        return bits;
    }

    public static Set<PosixFilePermission> fromBits(int bits) {
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        for (int i = 0; i < ORDER.length; i++) {
            if ((bits & (1 << i)) != 0) {
                perms.add(ORDER[i]);
            }
        }
        return perms;
    }
}
