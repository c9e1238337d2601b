package io.gopipe.library.harness;

import groovy.lang.GroovyObjectSupport;

/** The {@code env} global: reads see the current branch's withEnv overlay, writes go to the build. */
public final class EnvProxy extends GroovyObjectSupport {
    private final PipelineHarness harness;

    EnvProxy(PipelineHarness harness) {
        this.harness = harness;
    }

    @Override
    public Object getProperty(String name) {
        return harness.envValue(name);
    }

    @Override
    public void setProperty(String name, Object value) {
        harness.setGlobalEnv(name, value == null ? null : value.toString());
    }

    public Object getAt(String name) {
        return getProperty(name);
    }
}
