package io.gopipe.library.harness;

import java.io.Serializable;
import java.util.Arrays;

/**
 * What a pipeline script hands to the harness when it calls a step: the CPS program suspends
 * with this value (as a Jenkins CPS thread does at every step) and resumes with the step's result.
 */
public final class StepRequest implements Serializable {
    private static final long serialVersionUID = 1L;
    final String name;
    final Object[] args;

    StepRequest(String name, Object[] args) {
        this.name = name;
        this.args = args == null ? new Object[0] : args;
    }

    @Override
    public String toString() {
        return name + Arrays.toString(args);
    }
}
