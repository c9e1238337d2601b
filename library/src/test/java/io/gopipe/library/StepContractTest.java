package io.gopipe.library;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.javaparser.JavaParser;
import com.github.javaparser.ParserConfiguration;
import com.github.javaparser.ast.expr.MethodCallExpr;
import io.gopipe.core.image.BuildMode;
import io.gopipe.core.image.BuildResult;
import io.gopipe.core.image.ImageBuildFailedException;
import io.gopipe.core.image.ImageBuilder;
import io.gopipe.core.image.ImageJob;
import io.gopipe.library.harness.PipelineHarness;
import io.gopipe.library.harness.PluginStepSignatures;
import org.codehaus.groovy.ast.ClassCodeVisitorSupport;
import org.codehaus.groovy.ast.ClassNode;
import org.codehaus.groovy.ast.MethodNode;
import org.codehaus.groovy.ast.expr.BinaryExpression;
import org.codehaus.groovy.ast.expr.ConstantExpression;
import org.codehaus.groovy.ast.expr.DeclarationExpression;
import org.codehaus.groovy.ast.expr.MapEntryExpression;
import org.codehaus.groovy.ast.expr.MapExpression;
import org.codehaus.groovy.ast.expr.MethodCallExpression;
import org.codehaus.groovy.ast.expr.PropertyExpression;
import org.codehaus.groovy.ast.expr.VariableExpression;
import org.codehaus.groovy.ast.stmt.IfStatement;
import org.codehaus.groovy.control.CompilationUnit;
import org.codehaus.groovy.control.Phases;
import org.codehaus.groovy.control.SourceUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The library and the plugin agree, by test. The harness checks every call the library makes to a
 * gopipe step against the step's parameter names and types in plugin/src/main/java (see
 * PluginStepSignatures, StructsCoercion); this test shows that check catches what a build would
 * fail on, that the flows pass every parameter the library can give through it, and that every
 * field the library reads from a step's result is one the plugin (and the CLI engine) puts there.
 */
class StepContractTest {
    static final Path VARS = ShopFixture.root().resolve("vars");
    static final Set<String> GOPIPE_STEPS = Set.of("goAffectedServices", "goBuildKitImage", "goModCache");

    @TempDir
    Path tmp;

    // ------------------------------------------------------------ parameter names and types

    @Test
    void theStepSignaturesAreReadFromThePluginSource() {
        Map<String, PluginStepSignatures.Signature> steps = PluginStepSignatures.plugin();
        assertThat(steps.keySet()).containsAll(GOPIPE_STEPS);
        PluginStepSignatures.Param tags = steps.get("goAffectedServices").params().get("tags");
        assertThat(tags.type()).isEqualTo(String.class);
        assertThat(tags.context()).isEqualTo("io.gopipe.jenkins.affected.GoAffectedServicesStep.setTags()");
        assertThat(steps.get("goBuildKitImage").params().get("service").setter()).isFalse();
        assertThat(steps.get("goBuildKitImage").params().get("tags").type()).isEqualTo(List.class);
        assertThat(steps.get("goModCache").params()).containsKeys("policy", "readOnly", "dir", "path");
    }

    @Test
    void aValueStructsCannotCoerceFailsTheStepAsItWouldFailTheBuild() {
        ShopFixture.Repo repo = ShopFixture.materialize(tmp.resolve("shop"), "01-leaf-package-edit");
        String since = "sinceCommit: '" + repo.base() + "'";
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("goAffectedServices(" + since + ", tags: ['netgo', 'prod'])",
                "GoAffectedServicesStep.setTags() expects class java.lang.String but received class java.util.ArrayList");
        bad.put("goAffectedServices(" + since + ", cgo: null)", "GoAffectedServicesStep.setCgo() expects boolean but received null");
        bad.put("goBuildKitImage(service: 'orders', tags: 'orders:1')",
                "GoBuildKitImageStep.setTags() expects interface java.util.List but received class java.lang.String");
        bad.put("goBuildKitImage(service: 'orders', tags: [1, 2])", "setTags() (element) expects class java.lang.String");
        bad.put("goModCache(policy: 'mod', timeLimitSeconds: 'soon') { echo 'body' }",
                "GoModCacheStep.setTimeLimitSeconds() expects class java.lang.Long but was unable to coerce");
        bad.put("goModCache(policy: ['mod']) { echo 'body' }", "GoModCacheStep.setPolicy() expects class java.lang.String");
        for (Map.Entry<String, String> b : bad.entrySet()) {
            PipelineHarness h = new PipelineHarness(VARS, repo.dir(), new EnginePluginSteps());
            assertThat(h.run(b.getKey()).failure()).as(b.getKey()).isNotNull().hasMessageContaining(b.getValue());
        }
        // What structs coerces is accepted: GString → String, Integer → long, null → Boolean, String → boolean.
        EnginePluginSteps steps = new EnginePluginSteps();
        PipelineHarness ok = new PipelineHarness(VARS, repo.dir(), steps);
        PipelineHarness.Result r = ok.run("""
                def os = 'linux'
                goAffectedServices(sinceCommit: "${'%s'}", goos: "${os}", cgo: 'false', tags: "netgo,${'prod'}")
                goModCache(policy: 'mod', timeLimitSeconds: 30, readOnly: null, restoreKeys: ["gomod-${os}"]) { echo 'body' }
                goBuildKitImage(service: 'orders', push: null, tags: ["r/orders:${1 + 1}"])
                """.formatted(repo.base()));
        assertThat(r.failure()).as(ok.log()).isNull();
        assertThat(ok.typeChecked()).anyMatch(c -> c.startsWith("goAffectedServices.")).anyMatch(c -> c.startsWith("goModCache."))
                .anyMatch(c -> c.startsWith("goBuildKitImage."));
    }

    /**
     * Every parameter key the library can pass to a gopipe step (read from vars/ with Groovy's AST)
     * reaches the harness's type check in a real flow, so no call escapes it.
     */
    @Test
    void theFlowsPassEveryParameterTheLibraryCanGiveThroughTheTypeCheck() throws Exception {
        Map<String, Set<String>> passed = parameterKeysInVars();
        assertThat(passed.keySet()).containsExactlyInAnyOrderElementsOf(GOPIPE_STEPS);
        assertThat(passed.get("goAffectedServices")).contains("sinceCommit", "targetBranch", "base", "tags", "cgo", "dir")
                .doesNotContain("gopipe", "repo");
        assertThat(passed.get("goBuildKitImage")).contains("service", "tags", "push", "branch", "dockerfile", "context", "dir", "network");
        assertThat(passed.get("goModCache")).contains("policy", "readOnly", "dir", "flavour", "key", "gopipe").doesNotContain("backend");

        Path ws = tmp.resolve("ws");
        ShopFixture.Repo repo = ShopFixture.materialize(ws.resolve("shop"), "03-shared-package-fan-out");
        ShopFixture.git(repo.dir(), "update-ref", "refs/remotes/origin/main", repo.base());
        String all = "repo: 'shop', goos: 'linux', goarch: 'amd64', cgo: false, tags: ['netgo'], registry: 'registry.local/shop',"
                + " cacheRepo: 'registry.local/cache', imageNetwork: 'host', caches: ['mod', 'build'], readOnlyCache: false, defaultBranch: 'main', testCommand: '"
                + PluginFlowTest.CHEAP_TEST + "'";
        Map<String, Set<String>> checked = new TreeMap<>();
        List<PipelineHarness> runs = List.of(
                new PipelineHarness(VARS, ws, new EnginePluginSteps()).env("BRANCH_NAME", "main")
                        .env("GIT_COMMIT", repo.head()).env("GIT_PREVIOUS_SUCCESSFUL_COMMIT", repo.base()),
                new PipelineHarness(VARS, ws, new EnginePluginSteps()).env("BRANCH_NAME", "PR-1").env("CHANGE_ID", "1")
                        .env("CHANGE_TARGET", "main"),
                new PipelineHarness(VARS, ws, new EnginePluginSteps()).env("BRANCH_NAME", "main").param("GOPIPE_BASE", repo.base()));
        // The remote build cache: one goModCache(policy: 'build', flavour: 'remote', key, gopipe) per Test and Image stage.
        PipelineHarness remote = new PipelineHarness(VARS, ws, new EnginePluginSteps().controllerStore(tmp.resolve("controller"), "shop", "shop/main"))
                .env("BRANCH_NAME", "main").env("GIT_COMMIT", repo.head()).env("GIT_PREVIOUS_SUCCESSFUL_COMMIT", repo.base());
        assertThat(remote.run("goMonorepoPipeline(" + all + ", buildCacheFlavour: 'remote')").failure()).as(remote.log()).isNull();
        for (PipelineHarness h : runs) {
            assertThat(h.run("goMonorepoPipeline(" + all + ")").failure()).as(h.log()).isNull();
        }
        for (PipelineHarness h : new ArrayList<>(List.of(runs.get(0), runs.get(1), runs.get(2), remote))) {
            for (String c : h.typeChecked()) {
                String step = c.substring(0, c.indexOf('.'));
                checked.computeIfAbsent(step, k -> new TreeSet<>()).addAll(List.of(c.substring(c.indexOf('.') + 1).split(",")));
            }
        }
        for (Map.Entry<String, Set<String>> e : passed.entrySet()) {
            assertThat(checked.get(e.getKey())).as("parameters of %s checked in the flows", e.getKey()).containsAll(e.getValue());
        }
    }

    /**
     * Step name → the keys vars/ puts into the map it passes to that step: literal keys of the map a
     * step call gets (or of the variable it is built in), {@code args.X = ...} assignments outside an
     * {@code engine == 'cli'} branch, and for goAffectedServices the base keys gopipeBase returns.
     */
    static Map<String, Set<String>> parameterKeysInVars() throws Exception {
        Map<String, Set<String>> keys = new TreeMap<>();
        try (Stream<Path> files = Files.list(VARS)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".groovy")).sorted().toList()) {
                for (MethodNode m : methods(f)) {
                    Set<String> steps = new TreeSet<>();
                    Set<String> assigned = new TreeSet<>();
                    m.getCode().visit(new ClassCodeVisitorSupport() {
                        @Override
                        protected SourceUnit getSourceUnit() {
                            return null;
                        }

                        @Override
                        public void visitIfElse(IfStatement s) {
                            if (s.getBooleanExpression().getText().contains("(cfg.engine == cli)")) {
                                s.getElseBlock().visit(this); // the then-branch calls the CLI vars, not a step
                                return;
                            }
                            super.visitIfElse(s);
                        }

                        @Override
                        public void visitMethodCallExpression(MethodCallExpression call) {
                            if (call.isImplicitThis() && GOPIPE_STEPS.contains(call.getMethodAsString())) {
                                steps.add(call.getMethodAsString());
                                call.getArguments().visit(new ClassCodeVisitorSupport() {
                                    @Override
                                    protected SourceUnit getSourceUnit() {
                                        return null;
                                    }

                                    @Override
                                    public void visitMapExpression(MapExpression map) {
                                        literalKeys(map, assigned);
                                    }
                                });
                            }
                            super.visitMethodCallExpression(call);
                        }

                        @Override
                        public void visitDeclarationExpression(DeclarationExpression d) {
                            if (d.getLeftExpression() instanceof VariableExpression v && v.getName().equals("args")
                                    && d.getRightExpression() instanceof MapExpression map) {
                                literalKeys(map, assigned);
                            }
                            super.visitDeclarationExpression(d);
                        }

                        @Override
                        public void visitBinaryExpression(BinaryExpression b) {
                            if (b.getOperation().getText().equals("=") && b.getLeftExpression() instanceof PropertyExpression p
                                    && p.getObjectExpression() instanceof VariableExpression v && v.getName().equals("args")) {
                                assigned.add(p.getPropertyAsString());
                            }
                            super.visitBinaryExpression(b);
                        }
                    });
                    for (String step : steps) {
                        keys.computeIfAbsent(step, k -> new TreeSet<>()).addAll(assigned);
                    }
                }
            }
        }
        // gopipeAffected passes base.args: the keys of every 'args' map gopipeBase returns.
        Set<String> baseKeys = new TreeSet<>();
        for (MethodNode m : methods(VARS.resolve("gopipeBase.groovy"))) {
            m.getCode().visit(new ClassCodeVisitorSupport() {
                @Override
                protected SourceUnit getSourceUnit() {
                    return null;
                }

                @Override
                public void visitMapEntryExpression(MapEntryExpression e) {
                    if (e.getKeyExpression().getText().equals("args") && e.getValueExpression() instanceof MapExpression map) {
                        literalKeys(map, baseKeys);
                    }
                    super.visitMapEntryExpression(e);
                }
            });
        }
        assertThat(baseKeys).contains("base", "targetBranch", "sinceCommit");
        keys.get("goAffectedServices").addAll(baseKeys);
        return keys;
    }

    private static void literalKeys(MapExpression map, Set<String> into) {
        for (MapEntryExpression e : map.getMapEntryExpressions()) {
            if (e.getKeyExpression() instanceof ConstantExpression c) {
                into.add(String.valueOf(c.getValue()));
            }
        }
    }

    static List<MethodNode> methods(Path file) {
        CompilationUnit cu = new CompilationUnit();
        cu.addSource(file.toFile());
        cu.compile(Phases.CONVERSION);
        List<MethodNode> out = new ArrayList<>();
        for (Object c : cu.getAST().getClasses()) {
            out.addAll(((ClassNode) c).getMethods());
        }
        return out;
    }

    /**
     * The library's remote build cache relies on the plugin's goModCache doing, in its source, what
     * the harness's goModCache does for {@code flavour: 'remote'} (EnginePluginSteps): accept
     * 'remote', set GOCACHE and GOCACHEPROG for the body through an EnvironmentExpander, build the
     * value with core's GoCacheProgLine, serve the controller store (instead of refusing it) through
     * core's ControllerObjectServer and LoopbackObjectServer, and stop that server when the body ends.
     */
    @Test
    void thePluginsRemoteFlavourDoesWhatTheHarnessAssumes() throws Exception {
        Path cache = ShopFixture.root().resolve("plugin/src/main/java/io/gopipe/jenkins/cache");
        JavaParser java17 = new JavaParser(new ParserConfiguration().setLanguageLevel(ParserConfiguration.LanguageLevel.JAVA_17));
        com.github.javaparser.ast.CompilationUnit flavour = java17.parse(cache.resolve("BuildCacheFlavour.java")).getResult().orElseThrow();
        assertThat(flavour.findAll(com.github.javaparser.ast.body.VariableDeclarator.class))
                .anyMatch(v -> v.getNameAsString().equals("REMOTE") && v.getInitializer().map(Object::toString).orElse("").equals("\"remote\""));

        com.github.javaparser.ast.CompilationUnit exec = java17.parse(cache.resolve("GoModCacheExecution.java")).getResult().orElseThrow();
        List<String> calls = exec.findAll(MethodCallExpr.class).stream().map(MethodCallExpr::toString).toList();
        // The body's environment: GOCACHE and GOCACHEPROG (+ GOPIPE_GOCACHE_DAEMON with a daemon), merged into the context's.
        assertThat(exec.toString()).contains("new HashMap<>(Map.of(\"GOCACHE\", CacheJob.cachePath(options).toString(), \"GOCACHEPROG\", prog))",
                "vars.put(\"GOPIPE_GOCACHE_DAEMON\", daemonAddress)", "EnvironmentExpander.constant(vars)");
        assertThat(calls).anyMatch(c -> c.contains("withContext(remote)") && c.contains("new StopLoopback()"));
        assertThat(exec.findAll(com.github.javaparser.ast.expr.ObjectCreationExpr.class))
                .anyMatch(o -> o.getType().getNameAsString().equals("GoCacheProgLine"));
        // The controller store is served, not refused.
        assertThat(exec.toString()).doesNotContain("no adapter for the controller store");
        List<com.github.javaparser.ast.stmt.SwitchEntry> cases = exec.findAll(com.github.javaparser.ast.stmt.SwitchEntry.class);
        int controller = -1;
        for (int i = 0; i < cases.size(); i++) {
            if (cases.get(i).getLabels().stream().anyMatch(l -> l.toString().equals("CONTROLLER"))) {
                controller = i;
            }
        }
        assertThat(controller).as("a case CONTROLLER in remoteProgram").isNotNegative();
        StringBuilder controllerCase = new StringBuilder();
        for (int i = controller; i < cases.size(); i++) { // an empty case falls through to the next
            controllerCase.append(cases.get(i).getStatements());
            if (cases.get(i).getStatements().isNonEmpty()) {
                break;
            }
        }
        assertThat(controllerCase.toString()).contains("GoCacheLoopback.start(", "ObjectStores.CONTROLLER + endpoint");
        // Stopped when the body ends (both ways) and when the step is stopped.
        com.github.javaparser.ast.body.ClassOrInterfaceDeclaration stop = exec.findAll(com.github.javaparser.ast.body.ClassOrInterfaceDeclaration.class)
                .stream().filter(c -> c.getNameAsString().equals("StopLoopback")).findFirst().orElseThrow();
        assertThat(stop.getExtendedTypes().get(0).getNameAsString()).isEqualTo("TailCall");
        assertThat(stop.getMethodsByName("finished").get(0).toString()).contains("stopLoopback(");
        assertThat(exec.findAll(com.github.javaparser.ast.body.MethodDeclaration.class))
                .anyMatch(m -> m.getNameAsString().equals("stop") && m.toString().contains("h.stop()"));

        com.github.javaparser.ast.CompilationUnit loop = java17.parse(cache.resolve("GoCacheLoopback.java")).getResult().orElseThrow();
        String src = loop.toString();
        assertThat(src).contains("channel.export(ControllerObjects.class, ControllerObjectServer.forAgent(ControllerCacheStore.root(), access))",
                "ControllerCacheStore.access(run)", "LoopbackObjectServer.start(store, Path.of(endpoint))", "WorkspaceList.tempDir(workspace)",
                "export(Handle.class, served)", "addListener(served)", "removeListener(this)");
        // And the core API those calls name is what core has (the plugin is compiled only under -Pjenkins).
        assertThat(io.gopipe.core.gocache.store.ControllerObjectServer.class.getMethod("forAgent", Path.class,
                io.gopipe.core.cache.remote.StoreAccess.class)).isNotNull();
        assertThat(io.gopipe.core.gocache.store.LoopbackObjectServer.class.getMethod("start",
                io.gopipe.core.gocache.store.ControllerObjects.class, Path.class)).isNotNull();
        assertThat(io.gopipe.core.gocache.store.ControllerObjects.class).isInterface();
        assertThat(io.gopipe.core.gocache.store.ObjectStores.CONTROLLER).isEqualTo("controller:");

        // go before 1.24 ignores GOCACHEPROG: remoteProgram asks the body's go (through the launcher) before
        // it serves anything, and falls back to the archive on a warning.
        com.github.javaparser.ast.body.MethodDeclaration remoteProgram = exec.findAll(com.github.javaparser.ast.body.MethodDeclaration.class)
                .stream().filter(m -> m.getNameAsString().equals("remoteProgram")).findFirst().orElseThrow();
        String rp = remoteProgram.toString();
        assertThat(rp.indexOf("goVersionWarning(workspace)")).as("version check in remoteProgram").isNotNegative()
                .isLessThan(rp.indexOf("GoCacheLoopback.start("));
        assertThat(exec.toString()).contains("new GoVersionCallable(commands.runner(), step.getGo())");
        // One gocache daemon per body, started through the step's launcher before the JVM line is considered,
        // stopped when the body ends and when the step is stopped; the JVM line stays the fallback.
        assertThat(rp.indexOf("GoCacheDaemonStart.start(")).as("daemon in remoteProgram").isNotNegative()
                .isLessThan(rp.indexOf("new GoCacheProgLine("));
        assertThat(stop.getMethodsByName("finished").get(0).toString()).contains("GoCacheDaemonStart.stop(");
        assertThat(exec.findAll(com.github.javaparser.ast.body.MethodDeclaration.class))
                .anyMatch(m -> m.getNameAsString().equals("stop") && m.toString().contains("d.kill()"));
        assertThat(calls).anyMatch(c -> c.contains("withContext(remote)") && c.contains("daemon == null"));
        String start = java17.parse(cache.resolve("GoCacheDaemonStart.java")).getResult().orElseThrow().toString();
        assertThat(start).contains("WorkspaceList.tempDir(workspace)", "\"--tcp\", \"127.0.0.1:0\", \"--ready-file\"", "\"--lock\"",
                "\"--idle-exit\", IDLE_EXIT, \"--prefetch-key\", key", "LauncherDaemon.start(ctx, argv, Map.of(), workspace)",
                "\"gocache\", \"bridge\", \"--daemon\", address, \"--go\", go, \"--prefetch-key\", key",
                "\"--output\", dir.child(\"bridge-line\").getRemote()", "bridgeArgv.addAll(storeArgs)", "bridgeArgv.add(\"--read-only\")",
                "workspace.act(new BridgeCallable(commands.runner(), bridgeArgv, dir.child(\"bridge-line\").getRemote()))");
        // The bridge comes from the store like the library's (`gocache bridge --backend`): the daemon is ready first,
        // because the bridge line names its address.
        assertThat(start.indexOf("ready.readToString()")).isLessThan(start.indexOf("new BridgeCallable("));
        // A step stopped while it waits for the daemon interrupts this thread before the execution holds the daemon.
        assertThat(start).contains("catch (InterruptedException e)", "killLater(daemon);");
        assertThat(java17.parse(cache.resolve("BridgeCallable.java")).getResult().orElseThrow().toString())
                .contains("extends AgentFileCallable<String>", "commands.run(CommandRequest.of(argv).withWorkDir(dir.toPath()).withTimeout(TIMEOUT))",
                        "Files.readString(line).strip()");
        String daemonProc = java17.parse(cache.resolveSibling("exec").resolve("LauncherDaemon.java")).getResult().orElseThrow().toString();
        assertThat(daemonProc).contains("launcher.launch().cmds(LauncherCommands.escape(argv)).envs(LauncherCommands.escape(vars)).quiet(true)",
                "proc.kill()", "proc.isAlive()");
        // The core and CLI API those sources name (the plugin is compiled only under -Pjenkins).
        picocli.CommandLine bridgeCmd = io.gopipe.cli.GopipeCommand.newCommandLine().getSubcommands().get("gocache")
                .getSubcommands().get("bridge");
        assertThat(bridgeCmd.getCommandSpec().optionsMap().keySet()).contains("--daemon", "--go", "--prefetch-key", "--cache-dir",
                "--output", "--read-only", "--backend", "--s3-endpoint", "--s3-region", "--s3-path-style");
        picocli.CommandLine serve = io.gopipe.cli.GopipeCommand.newCommandLine().getSubcommands().get("gocache")
                .getSubcommands().get("serve");
        assertThat(serve.getCommandSpec().optionsMap().keySet()).contains("--backend", "--tcp", "--ready-file", "--lock", "--prefetch-key",
                "--idle-exit", "--read-only", "--s3-endpoint", "--s3-region", "--s3-path-style");
        assertThat(java17.parse(cache.resolve("GoVersionCallable.java")).getResult().orElseThrow().toString())
                .contains("extends AgentFileCallable<String>", "GoCacheSupport.check(commands, go, dir.toPath()).warning()");
        assertThat(io.gopipe.core.gocache.GoCacheSupport.class.getMethod("check", io.gopipe.core.exec.CommandRunner.class,
                String.class, Path.class)).isNotNull();
    }

    // ------------------------------------------------------------ fields read from results

    /**
     * Variables in vars/ that hold (part of) a step's result, by file and method: the shape they
     * hold. Every {@code variable.field} read on them is checked. Each entry must still match a read,
     * so a rename fails here rather than silently dropping the check.
     */
    static final Map<String, Map<String, Map<String, String>>> RESULT_VARIABLES = Map.of(
            "gopipeAffected", Map.of("normalize", Map.of("r", "affected", "s", "service")),
            "gopipeWhy", Map.of("render", Map.of("a", "affected", "s", "service"),
                    "addReasons", Map.of("s", "service", "r", "reason")),
            "gopipeFanOut", Map.of("plan", Map.of("affected", "affected", "s", "service")),
            "gopipeSummary", Map.of("summary", Map.of("affected", "affected", "img", "image")),
            "goBuildKitImageCli", Map.of("imageResult", Map.of("json", "cliImageJson", "r", "cliImage", "it", "cliImage")));

    /** Shape → the keys the producers put there, from the real engine and the real serializers. */
    @SuppressWarnings("unchecked")
    Map<String, Set<String>> shapes() throws Exception {
        ShopFixture.Repo repo = ShopFixture.materialize(tmp.resolve("shop"), "03-shared-package-fan-out");
        Map<String, Object> affected = new ObjectMapper().readValue(
                EngineRequests.affectedJson(repo.dir(), Map.of("sinceCommit", repo.base())), LinkedHashMap.class);
        Map<String, Object> service = ((List<Map<String, Object>>) affected.get("services")).get(0);
        Map<String, Object> reason = ((List<Map<String, Object>>) service.get("reasons")).get(0);
        List<ImageBuilder.Outcome> built = List.of(new ImageBuilder.Outcome("orders", new BuildResult("orders", "buildx",
                BuildMode.DOCKERFILE, "sha256:00", List.of("r/orders:1"), true, List.of(), 1, 1, Duration.ofSeconds(1), 1,
                List.of()), null));
        Map<String, Object> cliJson = new ObjectMapper().readValue(ImageJob.toJson(built), LinkedHashMap.class);
        // A failed build: the CLI writes it into its JSON (the var turns it into an error); the plugin step aborts.
        Map<String, Object> cliFailed = new ObjectMapper().readValue(ImageJob.toJson(List.of(new ImageBuilder.Outcome("orders", null,
                new ImageBuildFailedException("push denied")))), LinkedHashMap.class);
        Map<String, Set<String>> shapes = new TreeMap<>();
        shapes.put("affected", affected.keySet());
        shapes.put("service", service.keySet());
        shapes.put("reason", reason.keySet());
        // goBuildKitImage returns ImageJob.toMaps' entry; goBuildKitImageCli the entry of `gopipe image build --json`.
        Set<String> plugin = new TreeSet<>(ImageJob.toMaps(built).get(0).keySet());
        Set<String> cli = new TreeSet<>(((List<Map<String, Object>>) cliJson.get("services")).get(0).keySet());
        cli.addAll(((List<Map<String, Object>>) cliFailed.get("services")).get(0).keySet());
        Set<String> both = new TreeSet<>(plugin);
        both.retainAll(cli);
        shapes.put("image", both);
        shapes.put("cliImageJson", cliJson.keySet());
        shapes.put("cliImage", cli);
        return shapes;
    }

    @Test
    void thePluginStepsReturnWhatTheseShapesAreTakenFrom() throws Exception {
        Path plugin = ShopFixture.root().resolve("plugin/src/main/java");
        List<String> calls = new ArrayList<>();
        JavaParser java17 = new JavaParser(new ParserConfiguration().setLanguageLevel(ParserConfiguration.LanguageLevel.JAVA_17));
        try (Stream<Path> files = Files.walk(plugin)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                for (MethodCallExpr c : java17.parse(f).getResult().orElseThrow().findAll(MethodCallExpr.class)) {
                    calls.add(c.getScope().map(s -> s.toString() + ".").orElse("") + c.getNameAsString());
                }
            }
        }
        // goBuildKitImage's result is ImageJob.toMaps' entry; goAffectedServices' the engine's toJson().
        assertThat(calls).contains("ImageJob.toMaps").anyMatch(c -> c.endsWith(".toJson"));
        // The harness's goBuildKitImage returns exactly the fields the plugin step returns.
        ShopFixture.Repo repo = ShopFixture.materialize(tmp.resolve("img"), "01-leaf-package-edit");
        Map<String, Object> fake = new EnginePluginSteps().goBuildKitImage(Map.of("service", "orders"),
                new io.gopipe.library.harness.PluginSteps.Ctx(repo.dir(), Map.of(), ""));
        List<ImageBuilder.Outcome> built = List.of(new ImageBuilder.Outcome("orders", new BuildResult("orders", "buildx",
                BuildMode.DOCKERFILE, "sha256:00", List.of(), false, List.of(), 0, 0, Duration.ZERO, 1, List.of()), null));
        assertThat(fake.keySet()).isEqualTo(ImageJob.toMaps(built).get(0).keySet());
    }

    @Test
    void everyFieldTheLibraryReadsFromAStepResultIsOneTheStepPutsThere() throws Exception {
        Map<String, Set<String>> shapes = shapes();
        List<String> problems = new ArrayList<>();
        Set<String> used = new TreeSet<>();
        for (Map.Entry<String, Map<String, Map<String, String>>> file : RESULT_VARIABLES.entrySet()) {
            for (MethodNode m : methods(VARS.resolve(file.getKey() + ".groovy"))) {
                Map<String, String> roots = file.getValue().get(m.getName());
                if (roots == null) {
                    continue;
                }
                for (String[] read : reads(m)) {
                    String shape = roots.get(read[0]);
                    if (shape == null) {
                        continue;
                    }
                    used.add(file.getKey() + "." + m.getName() + "." + read[0]);
                    if (!shapes.get(shape).contains(read[1])) {
                        problems.add(file.getKey() + ".groovy:" + read[2] + ": " + m.getName() + " reads " + read[0] + "."
                                + read[1] + ", but the " + shape + " result has only " + shapes.get(shape));
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
        Set<String> declared = new TreeSet<>();
        RESULT_VARIABLES.forEach((f, ms) -> ms.forEach((m, vs) -> vs.keySet().forEach(v -> declared.add(f + "." + m + "." + v))));
        assertThat(used).as("every declared result variable is still read").isEqualTo(declared);
    }

    @Test
    void theFieldCheckCatchesAFieldNoStepReturns() throws Exception {
        Path bad = tmp.resolve("gopipeSummary.groovy");
        Files.writeString(bad, """
                @NonCPS
                Map summary(Map base, Map affected, Map results) {
                    Map img = results.x
                    return [d: img?.digest, p: img?.pushed, n: affected.services, x: affected.changed]
                }
                """);
        MethodNode m = methods(bad).stream().filter(x -> x.getName().equals("summary")).findFirst().orElseThrow();
        Map<String, Set<String>> shapes = shapes();
        List<String> unknown = new ArrayList<>();
        for (String[] read : reads(m)) {
            String shape = RESULT_VARIABLES.get("gopipeSummary").get("summary").get(read[0]);
            if (shape != null && !shapes.get(shape).contains(read[1])) {
                unknown.add(read[0] + "." + read[1]);
            }
        }
        // 'pushed' is in the CLI's JSON only: the plugin step does not return it.
        assertThat(unknown).containsExactly("img.pushed", "affected.changed");
    }

    /** [variable, field, line] for every {@code variable.field} / {@code variable?.field} read in the method. */
    static List<String[]> reads(MethodNode m) {
        List<String[]> out = new ArrayList<>();
        m.getCode().visit(new ClassCodeVisitorSupport() {
            @Override
            protected SourceUnit getSourceUnit() {
                return null;
            }

            @Override
            public void visitBinaryExpression(BinaryExpression b) {
                if (b.getOperation().getText().equals("=") && b.getLeftExpression() instanceof PropertyExpression p) {
                    p.getObjectExpression().visit(this); // a write: only its receiver is read
                    b.getRightExpression().visit(this);
                    return;
                }
                super.visitBinaryExpression(b);
            }

            @Override
            public void visitPropertyExpression(PropertyExpression p) {
                if (p.getObjectExpression() instanceof VariableExpression v && p.getPropertyAsString() != null) {
                    out.add(new String[] {v.getName(), p.getPropertyAsString(), String.valueOf(p.getLineNumber())});
                }
                super.visitPropertyExpression(p);
            }
        });
        return out;
    }
}
