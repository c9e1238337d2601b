package io.gopipe.library;

import io.gopipe.library.harness.PipelineHarness;
import org.codehaus.groovy.ast.ClassCodeVisitorSupport;
import org.codehaus.groovy.ast.ClassNode;
import org.codehaus.groovy.ast.MethodNode;
import org.codehaus.groovy.ast.expr.ArgumentListExpression;
import org.codehaus.groovy.ast.expr.ClosureExpression;
import org.codehaus.groovy.ast.expr.Expression;
import org.codehaus.groovy.ast.expr.MethodCallExpression;
import org.codehaus.groovy.control.CompilationUnit;
import org.codehaus.groovy.control.Phases;
import org.codehaus.groovy.control.SourceUnit;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Static CPS checks over every var, for code paths the flow tests may not reach: a @NonCPS
 * method must not call a step or another var (steps cannot run there), and CPS code must not hand
 * a closure to a Groovy method that the CPS interpreter does not translate (sort, toSorted,
 * unique, takeWhile, dropWhile, ...): such calls must live in @NonCPS helpers.
 */
class CpsLintTest {
    static final Set<String> UNTRANSLATED = Set.of("sort", "toSorted", "unique", "toUnique", "takeWhile", "dropWhile",
            "eachLine", "withReader", "withWriter", "splitEachLine", "tap");
    static final Set<String> EXTRA_STEPS = Set.of("parallel", "goAffectedServices", "goBuildKitImage", "goModCache", "checkout");

    @Test
    void everyVarPassesTheStaticCpsChecks() throws Exception {
        Path vars = ShopFixture.root().resolve("vars");
        List<String> problems = new ArrayList<>();
        try (Stream<Path> files = Files.list(vars)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".groovy")).sorted().toList()) {
                problems.addAll(lint(f, varNames(vars)));
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void theChecksCatchTheTraps() throws Exception {
        Path bad = Files.createTempFile("badVar", ".groovy");
        try {
            Files.writeString(bad, """
                    def call(List l) { return l.sort { a, b -> a <=> b } }
                    @NonCPS
                    def helper() { sh 'make' }
                    """);
            List<String> problems = lint(bad, Set.of());
            assertThat(problems).hasSize(2);
            assertThat(problems.get(0)).contains("sort").contains("closure");
            assertThat(problems.get(1)).contains("@NonCPS method helper calls step sh");
        } finally {
            Files.delete(bad);
        }
    }

    private static Set<String> varNames(Path vars) throws Exception {
        try (Stream<Path> files = Files.list(vars)) {
            return Set.copyOf(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".groovy"))
                    .map(n -> n.substring(0, n.length() - ".groovy".length())).toList());
        }
    }

    static List<String> lint(Path file, Set<String> vars) throws Exception {
        CompilationUnit cu = new CompilationUnit();
        cu.addSource(file.toFile());
        cu.compile(Phases.CONVERSION);
        List<String> problems = new ArrayList<>();
        String name = file.getFileName().toString();
        for (Object co : cu.getAST().getClasses()) {
            ClassNode c = (ClassNode) co;
            for (MethodNode m : c.getMethods()) {
                boolean nonCps = m.getAnnotations().stream().anyMatch(a -> a.getClassNode().getNameWithoutPackage().equals("NonCPS"));
                SourceUnit su = (SourceUnit) cu.iterator().next();
                m.getCode().visit(new ClassCodeVisitorSupport() {
                    @Override
                    protected SourceUnit getSourceUnit() {
                        return su;
                    }

                    @Override
                    public void visitMethodCallExpression(MethodCallExpression call) {
                        String called = call.getMethodAsString();
                        if (called != null && nonCps && call.isImplicitThis()
                                && (PipelineHarness.STEP_NAMES.contains(called) || EXTRA_STEPS.contains(called) || vars.contains(called))) {
                            problems.add(name + ":" + call.getLineNumber() + ": @NonCPS method " + m.getName() + " calls step " + called);
                        }
                        if (called != null && !nonCps && UNTRANSLATED.contains(called) && hasClosure(call.getArguments())) {
                            problems.add(name + ":" + call.getLineNumber() + ": " + called + " with a closure in CPS code (method "
                                    + m.getName() + "): move it into a @NonCPS method");
                        }
                        super.visitMethodCallExpression(call);
                    }
                });
            }
        }
        return problems;
    }

    private static boolean hasClosure(Expression args) {
        return args instanceof ArgumentListExpression l && l.getExpressions().stream().anyMatch(e -> e instanceof ClosureExpression);
    }
}
