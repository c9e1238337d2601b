package io.gopipe.library.harness;

/** Thrown into a parallel branch that is aborted because another branch failed under failFast. */
public class FlowInterrupted extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public FlowInterrupted(String message) {
        super(message);
    }
}
