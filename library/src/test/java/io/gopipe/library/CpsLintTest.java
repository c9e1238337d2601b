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
 *
 * <p>And the sandbox check: a library loaded at folder level runs in the Groovy sandbox, where
 * every call outside script-security's default whitelist needs an administrator's approval and,
 * until then, fails with RejectedAccessException instead of our message. Forms with a whitelisted
 * equivalent are refused here (see docs/jenkins.md, "Sandbox").
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

    /** Constructors in the default whitelist that the library uses. */
    static final Set<String> WHITELISTED_NEW = Set.of("java.lang.Exception", "java.util.TreeMap", "groovy.json.JsonSlurper");
    static final java.util.Map<String, String> NEW_HINTS = java.util.Map.of(
            "java.lang.IllegalArgumentException", "error(msg) in CPS code, new Exception(msg) in @NonCPS code",
            "java.lang.IllegalStateException", "error(msg) in CPS code, new Exception(msg) in @NonCPS code",
            "java.util.LinkedHashMap", "a map literal [:]",
            "java.util.HashMap", "a map literal [:]",
            "java.util.ArrayList", "a list literal []",
            "java.lang.StringBuilder", "a list of lines and join()",
            "groovy.json.JsonSlurperClassic", "new groovy.json.JsonSlurper(), copied into plain maps before a step");
    static final Set<String> NOT_WHITELISTED_TYPES = Set.of("java.lang.StringBuilder", "groovy.json.JsonSlurperClassic",
            "java.lang.Character");

    @Test
    void everyVarUsesSandboxWhitelistedFormsWhereTheyExist() throws Exception {
        Path vars = ShopFixture.root().resolve("vars");
        List<String> problems = new ArrayList<>();
        try (Stream<Path> files = Files.list(vars)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".groovy")).sorted().toList()) {
                problems.addAll(sandbox(f));
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void theSandboxChecksCatchTheFormsThatNeedApproval() throws Exception {
        Path bad = Files.createTempFile("badVar", ".groovy");
        try {
            Files.writeString(bad, """
                    @NonCPS
                    String render(List names) {
                        StringBuilder sb = new StringBuilder()
                        Map m = new LinkedHashMap()
                        List l = new ArrayList()
                        int w = names.collect { it.length() }.max()
                        sb << 'x'
                        Set s = names as Set
                        if (Character.isDigit('1' as char)) { throw new IllegalArgumentException('bad') }
                        def j = new groovy.json.JsonSlurperClassic().parseText('{}')
                        throw new IllegalStateException('worse')
                    }
                    """);
            List<String> problems = sandbox(bad);
            assertThat(String.join("\n", problems)).contains("new java.lang.StringBuilder", "new java.util.LinkedHashMap",
                    "new java.util.ArrayList", "max() without a closure", "'as java.util.Set'", "java.lang.Character",
                    "new java.lang.IllegalArgumentException", "new groovy.json.JsonSlurperClassic",
                    "new java.lang.IllegalStateException", "StringBuilder sb");
        } finally {
            Files.delete(bad);
        }
    }

    static List<String> sandbox(Path file) throws Exception {
        // Resolved class names (java.lang.Exception, not Exception): compile through semantic analysis,
        // with the import of @NonCPS that Jenkins adds.
        org.codehaus.groovy.control.CompilerConfiguration cc = new org.codehaus.groovy.control.CompilerConfiguration();
        org.codehaus.groovy.control.customizers.ImportCustomizer imports = new org.codehaus.groovy.control.customizers.ImportCustomizer();
        imports.addImports("com.cloudbees.groovy.cps.NonCPS");
        cc.addCompilationCustomizers(imports);
        CompilationUnit cu = new CompilationUnit(cc);
        cu.addSource(file.toFile());
        cu.compile(Phases.SEMANTIC_ANALYSIS);
        List<String> problems = new ArrayList<>();
        String name = file.getFileName().toString();
        SourceUnit su = (SourceUnit) cu.iterator().next();
        for (Object co : cu.getAST().getClasses()) {
            ClassNode c = (ClassNode) co;
            for (MethodNode m : c.getMethods()) {
                for (org.codehaus.groovy.ast.Parameter p : m.getParameters()) {
                    if (NOT_WHITELISTED_TYPES.contains(p.getType().getName())) {
                        problems.add(name + ":" + m.getLineNumber() + ": parameter " + p.getType().getNameWithoutPackage() + " "
                                + p.getName() + " of " + m.getName() + ": not in the sandbox whitelist");
                    }
                }
                m.getCode().visit(new ClassCodeVisitorSupport() {
                    @Override
                    protected SourceUnit getSourceUnit() {
                        return su;
                    }

                    @Override
                    public void visitConstructorCallExpression(org.codehaus.groovy.ast.expr.ConstructorCallExpression call) {
                        String type = call.getType().getName();
                        if (!WHITELISTED_NEW.contains(type)) {
                            problems.add(name + ":" + call.getLineNumber() + ": new " + type + " needs script approval in the sandbox"
                                    + (NEW_HINTS.containsKey(type) ? "; use " + NEW_HINTS.get(type) : ""));
                        }
                        super.visitConstructorCallExpression(call);
                    }

                    @Override
                    public void visitDeclarationExpression(org.codehaus.groovy.ast.expr.DeclarationExpression d) {
                        if (d.getLeftExpression() instanceof org.codehaus.groovy.ast.expr.VariableExpression v
                                && NOT_WHITELISTED_TYPES.contains(v.getOriginType().getName())) {
                            problems.add(name + ":" + d.getLineNumber() + ": " + v.getOriginType().getNameWithoutPackage() + " "
                                    + v.getName() + ": not in the sandbox whitelist");
                        }
                        super.visitDeclarationExpression(d);
                    }

                    @Override
                    public void visitMethodCallExpression(MethodCallExpression call) {
                        String called = call.getMethodAsString();
                        if (("max".equals(called) || "min".equals(called)) && call.getArguments() instanceof ArgumentListExpression a
                                && a.getExpressions().isEmpty()) {
                            problems.add(name + ":" + call.getLineNumber() + ": " + called + "() without a closure needs script approval;"
                                    + " loop with Math." + called);
                        }
                        if (call.getObjectExpression() instanceof org.codehaus.groovy.ast.expr.ClassExpression ce
                                && NOT_WHITELISTED_TYPES.contains(ce.getType().getName())) {
                            problems.add(name + ":" + call.getLineNumber() + ": " + ce.getType().getName() + "." + called
                                    + " needs script approval");
                        }
                        super.visitMethodCallExpression(call);
                    }

                    @Override
                    public void visitCastExpression(org.codehaus.groovy.ast.expr.CastExpression cast) {
                        if (cast.isCoerce()) {
                            problems.add(name + ":" + cast.getLineNumber() + ": 'as " + cast.getType().getName() + "' coercion;"
                                    + " use toList(), Integer.parseInt(), a list or a plain cast");
                        }
                        super.visitCastExpression(cast);
                    }
                });
            }
        }
        return problems;
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
