package io.gopipe.library.harness;

/** What the {@code error} step throws (hudson.AbortException in Jenkins): a message, no stack for the log. */
public class PipelineError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PipelineError(String message) {
        super(message);
    }
}
