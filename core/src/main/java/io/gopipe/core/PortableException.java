package io.gopipe.core;

/**
 * An engine failure in the form that crosses a process boundary (Jenkins remoting) intact: its
 * message is the whole message chain, its causes are JDK exceptions only. Made by
 * {@link PortableErrors#portable(Throwable)}.
 */
public final class PortableException extends GopipeException {

    private static final long serialVersionUID = 1L;

    /** The class of the exception this one stands for, e.g. {@code org.eclipse.jgit.errors.MissingObjectException}. */
    private final String originalType;

    PortableException(String message, String originalType, Throwable cause) {
        super(message, cause);
        this.originalType = originalType;
    }

    /** The class name of the exception this one was made from. */
    public String originalType() {
        return originalType;
    }
}
