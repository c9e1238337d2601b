package io.gopipe.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Turns any throwable chain into one that a strict deserializer accepts: a {@link PortableException}
 * whose causes are plain JDK exceptions, each carrying the original class name, message and stack.
 *
 * <p>Why: a Jenkins agent sends exceptions to the controller by Java serialization, and the
 * controller's JEP-200 class filter rejects every non-JDK class that does not come from a plugin.
 * A JGit {@code MissingObjectException} holds an {@code ObjectId}, an AWS SDK exception holds its
 * error details, a SnakeYAML error holds a {@code Mark}; any of them in a cause chain turns the user's
 * message into "Rejected: org.eclipse.jgit.lib.ObjectId". After conversion only strings, stack
 * trace elements and JDK exception classes remain.
 */
public final class PortableErrors {

    /** Chains are short in practice; this only guards against pathological or cyclic ones. */
    private static final int MAX_DEPTH = 32;

    private PortableErrors() {
    }

    /**
     * The whole message chain on one line: each cause's message is added unless an outer message
     * already contains it (the usual {@code "x failed: " + e.getMessage()} pattern); a link
     * without a message shows its simple class name.
     */
    public static String messageChain(Throwable t) {
        StringBuilder out = new StringBuilder();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable c = t; c != null && seen.add(c) && seen.size() <= MAX_DEPTH; c = c.getCause()) {
            String text = text(c);
            if (out.indexOf(text) >= 0) {
                continue;
            }
            if (out.length() > 0) {
                out.append(": ");
            }
            out.append(text);
        }
        return out.toString();
    }

    /**
     * A copy of {@code t} safe to send anywhere Java serialization with a JDK-only class filter is
     * used. The result's message is the whole {@link #messageChain}; its cause chain mirrors the
     * original one link by link (class name, message, stack trace, suppressed exceptions).
     */
    public static PortableException portable(Throwable t) {
        PortableException top = new PortableException(messageChain(t), t.getClass().getName(), copyOf(t.getCause(), 1, seenSet(t)));
        top.setStackTrace(t.getStackTrace());
        for (Throwable s : t.getSuppressed()) {
            top.addSuppressed(copyOf(s, 1, seenSet(t)));
        }
        return top;
    }

    private static Set<Throwable> seenSet(Throwable first) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        seen.add(first);
        return seen;
    }

    /**
     * One link as a JDK exception: an {@link IOException} for I/O failures (so callers that
     * distinguish them still can), an {@link Error} for errors, else a {@link RuntimeException}.
     * The original class name leads the message, as {@link Throwable#toString()} would show it.
     */
    private static Throwable copyOf(Throwable t, int depth, Set<Throwable> seen) {
        if (t == null || depth > MAX_DEPTH || !seen.add(t)) {
            return null;
        }
        Throwable cause = copyOf(t.getCause(), depth + 1, seen);
        String message = t.getClass().getName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        Throwable copy;
        if (t instanceof IOException || t instanceof UncheckedIOException) {
            copy = new IOException(message, cause);
        } else if (t instanceof Error) {
            copy = new Error(message, cause);
        } else {
            copy = new RuntimeException(message, cause);
        }
        copy.setStackTrace(t.getStackTrace());
        List<Throwable> suppressed = new ArrayList<>();
        for (Throwable s : t.getSuppressed()) {
            Throwable c = copyOf(s, depth + 1, seen);
            if (c != null) {
                suppressed.add(c);
            }
        }
        suppressed.forEach(copy::addSuppressed);
        return copy;
    }

    private static String text(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }
}
