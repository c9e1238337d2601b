package io.gopipe.library.harness;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The harness catches what Jenkins would: non-serializable state, CPS mismatches, bad step parameters. */
class HarnessSelfTest {
    @TempDir
    Path dir;

    private PipelineHarness harness(String varName, String varText) throws Exception {
        Path vars = Files.createDirectories(dir.resolve("vars"));
        if (varName != null) {
            Files.writeString(vars.resolve(varName + ".groovy"), varText);
        }
        return new PipelineHarness(vars, Files.createDirectories(dir.resolve("ws")), null);
    }

    @Test
    void aVarIsCalledAndStepsAreRecorded() throws Exception {
        PipelineHarness h = harness("hello", "def call(String who) { echo \"hello ${who}\"; return who.size() }");
        PipelineHarness.Result r = h.run("stage('greet') { def n = hello('jenkins'); echo \"n=${n}\" }");
        assertThat(r.failure()).isNull();
        assertThat(h.log()).contains("hello jenkins", "n=7");
        assertThat(h.events()).filteredOn(e -> e.kind().equals("echo")).allMatch(e -> e.stages().equals(List.of("greet")));
        assertThat(h.serializations()).isGreaterThan(2);
    }

    @Test
    void aNonSerializableLocalAcrossAStepFails() throws Exception {
        PipelineHarness h = harness(null, null);
        PipelineHarness.Result r = h.run("def m = ('a1' =~ /a(\\d)/); m.find(); echo 'x'; echo m.group(1)");
        assertThat(r.failure()).isInstanceOf(PipelineHarness.NotSerializable.class)
                .hasMessageContaining("Matcher");
    }

    @Test
    void aCpsClosureCalledFromNonCpsCodeFails() throws Exception {
        PipelineHarness h = harness("twice", """
                def call(Closure c) { return apply(c) }
                @NonCPS
                def apply(Closure c) { return c() + c() }
                """);
        PipelineHarness.Result r = h.run("echo twice { 'a' }");
        assertThat(r.failure()).hasMessageContaining("CPS mismatch");
    }

    @Test
    void unknownStepParameterFails() throws Exception {
        PipelineHarness h = harness(null, null);
        PipelineHarness.Result r = h.run("sh script: 'true', returnStdOut: true");
        assertThat(r.failure()).hasMessageContaining("has no parameter 'returnStdOut'");
    }

    @Test
    void stepSignaturesFollowSuperclassesAndFlagTypesTheHarnessCannotCheck() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src/x"));
        Files.writeString(src.resolve("BaseStep.java"), """
                package x;
                public abstract class BaseStep extends Step {
                    @DataBoundSetter public void setDir(String dir) { }
                }
                """);
        Files.writeString(src.resolve("FooStep.java"), """
                package x;
                public class FooStep extends BaseStep {
                    @DataBoundConstructor public FooStep(String name) { }
                    @DataBoundSetter public void setCount(int count) { }
                    @DataBoundSetter public void setMode(Mode mode) { }
                    @DataBoundSetter public void setTags(java.util.List<String> tags) { }
                    public static final class DescriptorImpl extends StepDescriptor {
                        @Override public String getFunctionName() { return "foo"; }
                    }
                }
                """);
        var steps = PluginStepSignatures.read(dir.resolve("src"));
        assertThat(steps.keySet()).containsExactly("foo");
        var p = steps.get("foo").params();
        assertThat(p.keySet()).containsExactly("name", "dir", "count", "mode", "tags");
        assertThat(StructsCoercion.mismatch(p.get("count"), 3L)).isNull();
        assertThat(StructsCoercion.mismatch(p.get("count"), null)).contains("x.FooStep.setCount() expects int but received null");
        assertThat(StructsCoercion.mismatch(p.get("dir"), List.of("a"))).contains("expects class java.lang.String");
        assertThat(StructsCoercion.mismatch(p.get("mode"), "fast")).contains("takes Mode, a type the harness cannot check");
        assertThat(StructsCoercion.mismatch(p.get("tags"), List.of("a", "b"))).isNull();
    }

    @Test
    void parallelBranchesInterleaveAndFailFastInterruptsTheOthers() throws Exception {
        PipelineHarness h = harness(null, null);
        PipelineHarness.Result r = h.run("""
                def done = []
                parallel failFast: true,
                    a: { echo 'a1'; error 'a broke' },
                    b: { try { echo 'b1'; echo 'b2'; echo 'b3'; done << 'b' } finally { echo 'b cleanup' } }
                """);
        assertThat(r.failure()).isInstanceOf(PipelineError.class).hasMessage("a broke");
        List<String> order = h.events().stream().filter(e -> e.kind().equals("echo")).map(Event::detail).toList();
        assertThat(order).startsWith("a1", "b1").contains("b cleanup").doesNotContain("b3");
        assertThat(h.maxConcurrentBranches()).isEqualTo(2);
    }

    @Test
    void sharedStateAcrossBranchesSurvivesSerialization() throws Exception {
        PipelineHarness h = harness(null, null);
        PipelineHarness.Result r = h.run("""
                def seen = [count: 0]
                parallel a: { echo 'a'; seen.count++ }, b: { echo 'b'; seen.count++ }
                echo "count=${seen.count}"
                """);
        assertThat(r.failure()).isNull();
        assertThat(h.log()).contains("count=2");
    }
}
