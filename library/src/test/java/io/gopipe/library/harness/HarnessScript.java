package io.gopipe.library.harness;

import com.cloudbees.groovy.cps.SerializableScript;
import org.codehaus.groovy.runtime.InvokerHelper;

/**
 * Base class of every script the harness compiles (vars/*.groovy, the test's Jenkinsfile and the
 * harness's own block steps), playing the part of Jenkins' CpsScript: unknown method names go to
 * global variables (vars) and then to steps; {@code env}, {@code params}, {@code currentBuild}
 * and var names resolve as properties.
 */
public abstract class HarnessScript extends SerializableScript {
    private static final long serialVersionUID = 1L;

    /** The live harness; serialized as a token and resolved back, as Jenkins pickles its DSL. */
    private PipelineHarness harness;

    void attach(PipelineHarness h) {
        this.harness = h;
    }

    PipelineHarness harness() {
        return harness;
    }

    @Override
    public Object invokeMethod(String name, Object args) {
        if (!getMetaClass().respondsTo(this, name).isEmpty()) {
            return super.invokeMethod(name, args);
        }
        return harness.dispatch(this, name, InvokerHelper.asArray(args));
    }

    @Override
    public Object getProperty(String property) {
        Object v = harness == null ? PipelineHarness.NONE : harness.property(property);
        if (v != PipelineHarness.NONE) {
            return v;
        }
        return super.getProperty(property);
    }
}
