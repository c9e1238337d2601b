package io.gopipe.library.harness;

import com.cloudbees.groovy.cps.Continuable;
import com.cloudbees.groovy.cps.Continuation;
import com.cloudbees.groovy.cps.CpsTransformer;
import com.cloudbees.groovy.cps.Envs;
import com.cloudbees.groovy.cps.ObjectInputStreamWithLoader;
import com.cloudbees.groovy.cps.Outcome;
import com.cloudbees.groovy.cps.impl.CpsCallableInvocation;
import com.fasterxml.jackson.databind.ObjectMapper;
import groovy.lang.Binding;
import groovy.lang.Closure;
import groovy.lang.GroovyClassLoader;
import groovy.lang.GroovyCodeSource;
import groovy.lang.MissingMethodException;
import org.codehaus.groovy.control.CompilerConfiguration;
import org.codehaus.groovy.control.customizers.ImportCustomizer;
import org.codehaus.groovy.runtime.InvokerHelper;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A small pipeline runtime for the shared library's tests. It compiles vars/*.groovy and a test
 * Jenkinsfile with groovy-cps' {@link CpsTransformer} (the transformation Jenkins applies), runs
 * them in the CPS interpreter, and, like Jenkins:
 * <ul>
 *   <li>suspends the program at every step call and, before resuming, serializes the whole
 *   program state (all branches together) and continues from the deserialized copy, so a local
 *   variable that is not Serializable fails the test as it would fail a build;</li>
 *   <li>runs {@code parallel} branches as separate CPS threads interleaved at step boundaries,
 *   with {@code failFast} interrupting the other branches;</li>
 *   <li>fails on a CPS mismatch (a CPS-transformed closure called from non-CPS code);</li>
 *   <li>rejects step parameters the real step does not declare (see docs/jenkins.md), and, for the
 *   gopipe plugin's steps, values structs could not coerce to the parameter's type in the plugin's
 *   source (a List for a String setter, null for a primitive).</li>
 * </ul>
 * Steps are recorded as {@link Event}s; {@code sh} runs for real unless a test installs a handler.
 */
public final class PipelineHarness {
    static final Object NONE = new Object();

    /** Parameters each step declares in its plugin's source (checked in docs/jenkins.md). */
    static final Map<String, Set<String>> STEP_PARAMS = new TreeMap<>();
    /** The parameter a step takes when called with one positional argument. */
    static final Map<String, String> DEFAULT_PARAM = new TreeMap<>();

    static {
        declare("echo", "message");
        declare("error", "message");
        declare("unstable", "message");
        declare("sh", "script", "returnStdout", "returnStatus", "encoding", "label");
        declare("writeFile", "file", "text", "encoding");
        declare("readFile", "file", "encoding");
        declare("fileExists", "file");
        declare("readJSON", "file", "text", "returnPojo");
        declare("isUnix");
        declare("sleep", "time", "unit");
        declare("milestone", "ordinal", "label", "unsafe");
        declare("archiveArtifacts", "artifacts", "allowEmptyArchive", "excludes", "fingerprint",
                "onlyIfSuccessful", "defaultExcludes", "caseSensitive", "followSymlinks");
        declare("checkout", "scm", "changelog", "poll");
        declare("stage", "name");
        declare("dir", "path");
        declare("node", "label");
        declare("withEnv", "overrides");
        declare("timeout", "time", "unit", "activity");
        declare("catchError", "buildResult", "stageResult", "message", "catchInterruptions");
        declare("waitUntil", "initialRecurrencePeriod", "quiet");
        declare("lock", "resource", "label", "quantity", "variable", "inversePrecedence", "skipIfLocked", "extra");
        declare("retry", "count", "conditions");
        declare("properties", "properties");
        declare("parameters", "parameterDefinitions");
        declare("string", "name", "defaultValue", "description", "trim");
        declare("booleanParam", "name", "defaultValue", "description");
        // The gopipe plugin's steps, read from the plugin's source (names and types; see PluginStepSignatures).
        for (PluginStepSignatures.Signature s : PluginStepSignatures.plugin().values()) {
            STEP_PARAMS.put(s.function(), new LinkedHashSet<>(s.params().keySet()));
        }
        DEFAULT_PARAM.putAll(Map.of("echo", "message", "error", "message", "unstable", "message",
                "sh", "script", "readFile", "file", "fileExists", "file", "stage", "name", "dir", "path",
                "node", "label", "sleep", "time"));
        DEFAULT_PARAM.putAll(Map.of("lock", "resource", "milestone", "ordinal", "retry", "count",
                "withEnv", "overrides", "checkout", "scm"));
        DEFAULT_PARAM.putAll(Map.of("properties", "properties", "parameters", "parameterDefinitions"));
    }

    /** Every step name the harness knows (for the static CPS checks). */
    public static final Set<String> STEP_NAMES = STEP_PARAMS.keySet();

    private static void declare(String step, String... names) {
        STEP_PARAMS.put(step, new LinkedHashSet<>(Arrays.asList(names)));
    }

    private static final Set<String> BLOCK_STEPS = Set.of("stage", "dir", "node", "withEnv", "timeout",
            "catchError", "waitUntil", "lock", "retry");
    private static final Set<String> CORE_LEAF_STEPS = Set.of("echo", "error", "unstable", "sh", "writeFile",
            "readFile", "fileExists", "readJSON", "isUnix", "sleep", "milestone", "archiveArtifacts", "checkout",
            "parallel", "properties", "parameters", "string", "booleanParam");
    private static final Set<String> PLUGIN_LEAF_STEPS = Set.of("goAffectedServices", "goBuildKitImage");
    private static final int MAX_STEPS = 20_000;

    private final Path varsDir;
    private final Path workspace;
    private final Map<String, String> globalEnv = new LinkedHashMap<>();
    private final Map<String, Object> params = new LinkedHashMap<>();
    private final PluginSteps plugins;
    private ShHandler sh = PipelineHarness::realSh;
    private final Set<String> pluginsInstalled = new LinkedHashSet<>();

    private GroovyClassLoader loader;
    private final Map<String, Class<?>> vars = new TreeMap<>();
    private Class<?> blockStepsClass;
    private final EnvProxy envProxy = new EnvProxy(this);
    private final CurrentBuild currentBuild = new CurrentBuild();

    private final List<Event> events = Collections.synchronizedList(new ArrayList<>());
    /** "step.param,param" for every gopipe step call whose parameters were checked against the plugin's types. */
    private final Set<String> typeChecked = Collections.synchronizedSet(new LinkedHashSet<>());
    private final StringBuilder log = new StringBuilder();
    private Task current;
    private int steps;
    private int idleWaits;
    private int serializations;
    private int maxConcurrentBranches;

    /**
     * @param varsDir   the shared library's vars/ directory
     * @param workspace the build's workspace (sh, readFile and writeFile run there)
     * @param plugins   the gopipe plugin's steps, or null for a Jenkins without the plugin
     */
    public PipelineHarness(Path varsDir, Path workspace, PluginSteps plugins) {
        this.varsDir = varsDir;
        this.workspace = workspace;
        this.plugins = plugins;
        globalEnv.put("WORKSPACE", workspace.toString());
        globalEnv.put("BUILD_NUMBER", "1");
        globalEnv.put("JOB_NAME", "shop/main");
    }

    public PipelineHarness env(String name, String value) {
        globalEnv.put(name, value);
        return this;
    }

    public PipelineHarness param(String name, Object value) {
        params.put(name, value);
        return this;
    }

    public PipelineHarness sh(ShHandler handler) {
        this.sh = handler;
        return this;
    }

    /** Declares an optional Jenkins plugin as installed (e.g. "lockable-resources" for lock). */
    public PipelineHarness plugin(String name) {
        pluginsInstalled.add(name);
        return this;
    }

    public List<Event> events() {
        return new ArrayList<>(events);
    }

    public String log() {
        return log.toString();
    }

    /** The gopipe step calls whose parameter names and types were checked against the plugin's source. */
    public Set<String> typeChecked() {
        return new LinkedHashSet<>(typeChecked);
    }

    public CurrentBuild currentBuild() {
        return currentBuild;
    }

    public Path workspace() {
        return workspace;
    }

    /** How many times the whole program state was serialized and read back. */
    public int serializations() {
        return serializations;
    }

    /** The largest number of parallel branches that had started and not yet finished at once. */
    public int maxConcurrentBranches() {
        return maxConcurrentBranches;
    }

    /** The outcome of a run: the Jenkinsfile's value or the exception that ended it. */
    public record Result(Object value, Throwable failure, String status) {
        public boolean ok() {
            return failure == null;
        }
    }

    /** Compiles the library and runs {@code jenkinsfile} (scripted pipeline text) to its end. */
    public Result run(String jenkinsfile) {
        compile();
        HarnessScript main = (HarnessScript) newScript(compileScript("WorkflowScript", jenkinsfile));
        Task root = new Task(null, "", new ArrayDeque<>(), new Continuable(main));
        CpsCallableInvocation.registerMismatchHandler(this::onMismatch);
        try {
            Outcome end;
            try {
                end = schedule(root);
            } catch (RuntimeException e) { // a CPS mismatch or unserializable state fails the build
                end = new Outcome(null, e);
            }
            Throwable failure = end.getAbnormal();
            String status = failure != null ? "FAILURE" : currentBuild.getCurrentResult();
            if (failure != null) {
                log("ERROR: " + failure.getMessage());
            }
            return new Result(end.getNormal(), failure, status);
        } finally {
            CpsCallableInvocation.registerMismatchHandler(null);
        }
    }

    // ---------------------------------------------------------------- compilation

    private void compile() {
        if (loader != null) {
            return;
        }
        CompilerConfiguration cc = new CompilerConfiguration();
        cc.setScriptBaseClass(HarnessScript.class.getName());
        ImportCustomizer imports = new ImportCustomizer();
        imports.addImports("com.cloudbees.groovy.cps.NonCPS"); // Jenkins imports @NonCPS for you
        cc.addCompilationCustomizers(imports, new CpsTransformer());
        loader = new GroovyClassLoader(getClass().getClassLoader(), cc);
        try (var files = Files.list(varsDir)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".groovy")).sorted().toList()) {
                String name = p.getFileName().toString().replaceFirst("\\.groovy$", "");
                vars.put(name, compileScript(name, Files.readString(p)));
            }
            try (InputStream in = getClass().getResourceAsStream("BlockSteps.groovy")) {
                blockStepsClass = compileScript("HarnessBlockSteps", new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + varsDir, e);
        }
    }

    private Class<?> compileScript(String name, String text) {
        return loader.parseClass(new GroovyCodeSource(text, name + ".groovy", "/groovy/shell"), false);
    }

    private Object newScript(Class<?> c) {
        try {
            HarnessScript s = (HarnessScript) c.getDeclaredConstructor().newInstance();
            s.setBinding(new Binding());
            s.attach(this);
            return s;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    public Set<String> varNames() {
        compile();
        return vars.keySet();
    }

    // ---------------------------------------------------------------- dispatch (CpsScript's part)

    Object dispatch(HarnessScript from, String name, Object[] args) {
        if (vars.containsKey(name)) {
            return InvokerHelper.invokeMethod(newScript(vars.get(name)), "call", args);
        }
        if (BLOCK_STEPS.contains(name) || (plugins != null && name.equals("goModCache"))) {
            if (name.equals("lock") && !pluginsInstalled.contains("lockable-resources")) {
                throw noSuchStep(name);
            }
            return InvokerHelper.invokeMethod(newScript(blockStepsClass), name, args);
        }
        if (CORE_LEAF_STEPS.contains(name) || name.startsWith("_") || (plugins != null && PLUGIN_LEAF_STEPS.contains(name))) {
            if (name.equals("readJSON") && !pluginsInstalled.contains("pipeline-utility-steps")) {
                throw noSuchStep(name);
            }
            return Continuable.suspend(new StepRequest(name, args));
        }
        throw noSuchStep(name);
    }

    private static RuntimeException noSuchStep(String name) {
        return new MissingMethodException(name, PipelineHarness.class, new Object[0]) {
            @Override
            public String getMessage() {
                return "No such DSL method '" + name + "' found among steps";
            }
        };
    }

    Object property(String name) {
        switch (name) {
            case "env":
                return envProxy;
            case "params":
                return Collections.unmodifiableMap(new LinkedHashMap<>(params));
            case "currentBuild":
                return currentBuild;
            case "scm":
                return "scm";
            default:
                break;
        }
        if (vars.containsKey(name)) {
            return newScript(vars.get(name));
        }
        return NONE;
    }

    private void onMismatch(Object expectedReceiver, String expectedMethod, Object actualReceiver, String actualMethod) {
        if (expectedReceiver instanceof HarnessScript
                && (vars.containsKey(expectedMethod) || BLOCK_STEPS.contains(expectedMethod)
                || expectedMethod.equals("goModCache") || String.valueOf(actualMethod).startsWith("suspend"))) {
            return; // the harness's own dispatch to a var's call(), a block step or a step, as CpsScript does
        }
        throw new IllegalStateException("CPS mismatch: expected to call " + className(expectedReceiver) + "." + expectedMethod
                + " but wound up catching " + className(actualReceiver) + "." + actualMethod
                + " (a CPS-transformed method or closure was called from non-CPS code, e.g. inside @NonCPS or a"
                + " Java method taking a closure)");
    }

    private static String className(Object o) {
        return o == null ? "null" : o instanceof Class<?> c ? c.getName() : o.getClass().getName();
    }

    // ---------------------------------------------------------------- environment

    Object envValue(String name) {
        Map<String, String> env = effectiveEnv(current);
        return env.get(name);
    }

    void setGlobalEnv(String name, String value) {
        globalEnv.put(name, value);
    }

    private Map<String, String> effectiveEnv(Task t) {
        Map<String, String> env = new LinkedHashMap<>(globalEnv);
        if (t != null) {
            for (Frame f : reversed(t.frames)) {
                if (f.kind.equals("env")) {
                    for (Object o : (List<?>) f.value) {
                        String s = o.toString();
                        int eq = s.indexOf('=');
                        if (eq < 0) {
                            throw new IllegalArgumentException("withEnv: '" + s + "' is not NAME=value");
                        }
                        env.put(s.substring(0, eq), s.substring(eq + 1));
                    }
                }
            }
        }
        return env;
    }

    private Path cwd(Task t) {
        Path p = workspace;
        for (Frame f : reversed(t.frames)) {
            if (f.kind.equals("dir")) {
                p = p.resolve(f.value.toString());
            }
        }
        return p;
    }

    private static List<Frame> reversed(Deque<Frame> frames) {
        List<Frame> l = new ArrayList<>(frames);
        Collections.reverse(l); // frames is a stack (newest first); walk outermost first
        return l;
    }

    private static List<String> stages(Task t) {
        List<String> s = new ArrayList<>();
        for (Frame f : reversed(t.frames)) {
            if (f.kind.equals("stage")) {
                s.add(f.value.toString());
            }
        }
        return s;
    }

    private void log(String line) {
        if (line == null || line.isEmpty()) {
            return;
        }
        String prefix = current != null && !current.branch.isEmpty() ? "[" + current.branch + "] " : "";
        for (String l : line.split("\n")) {
            log.append(prefix).append(l).append('\n');
        }
    }

    private void record(Task t, String kind, String detail, Object args) {
        events.add(new Event(kind, detail, t.branch, stages(t), args));
    }

    // ---------------------------------------------------------------- scheduler (CpsThreadGroup's part)

    private static final class Frame {
        final String kind;
        final Object value;

        Frame(String kind, Object value) {
            this.kind = kind;
            this.value = value;
        }
    }

    private static final class Join {
        final Task parent;
        final boolean failFast;
        final Map<String, Task> children = new LinkedHashMap<>();
        final Map<String, Object> results = new LinkedHashMap<>();
        Throwable failure;
        int remaining;

        Join(Task parent, boolean failFast) {
            this.parent = parent;
            this.failFast = failFast;
        }
    }

    private static final class Task {
        final Join join; // the parallel this branch belongs to, null for the main thread
        final String branch;
        final Deque<Frame> frames;
        Continuable program;
        Outcome resume = new Outcome(null, null);
        Outcome end;

        Task(Join join, String branch, Deque<Frame> frames, Continuable program) {
            this.join = join;
            this.branch = branch;
            this.frames = frames;
            this.program = program;
        }
    }

    private final List<Task> live = new ArrayList<>();

    private Outcome schedule(Task root) {
        Deque<Task> runnable = new ArrayDeque<>();
        runnable.add(root);
        live.add(root);
        while (!runnable.isEmpty()) {
            Task t = runnable.poll();
            current = t;
            Outcome out = t.program.run0(t.resume, Continuable.categories);
            if (t.program.isResumable()) {
                if (++steps > MAX_STEPS) {
                    return new Outcome(null, new IllegalStateException("more than " + MAX_STEPS + " steps: endless loop?"));
                }
                // The request travels with the program: a parallel's closures must share the copy's state.
                StepRequest req = (StepRequest) roundTrip(out.getNormal());
                if (req.name.equals("parallel")) {
                    startParallel(t, req, runnable);
                    continue;
                }
                t.resume = execute(t, req);
                runnable.add(t); // round-robin: other branches get a turn at every step boundary
            } else {
                t.end = out;
                live.remove(t);
                if (t.join == null) {
                    return out;
                }
                finishBranch(t, runnable);
            }
        }
        return new Outcome(null, new IllegalStateException("deadlock: no runnable branch"));
    }

    private void startParallel(Task t, StepRequest req, Deque<Task> runnable) {
        Map<?, ?> arg = req.args.length == 1 && req.args[0] instanceof Map<?, ?> m ? m : null;
        if (arg == null) {
            t.resume = new Outcome(null, new IllegalArgumentException("parallel expects a map of branch name to closure"));
            runnable.add(t);
            return;
        }
        boolean failFast = false;
        Join join = new Join(t, false);
        Map<String, Closure<?>> branches = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : arg.entrySet()) {
            String key = String.valueOf(e.getKey());
            if (key.equals("failFast")) {
                failFast = Boolean.TRUE.equals(e.getValue());
            } else if (e.getValue() instanceof Closure<?> c) {
                branches.put(key, c);
            } else {
                t.resume = new Outcome(null, new IllegalArgumentException(
                        "Expected a closure or failFast but found " + key + "=" + e.getValue()));
                runnable.add(t);
                return;
            }
        }
        join = new Join(t, failFast);
        record(t, "parallel", String.join(",", branches.keySet()), Map.of("failFast", failFast, "branches", List.copyOf(branches.keySet())));
        if (branches.isEmpty()) {
            t.resume = new Outcome(new LinkedHashMap<>(), null);
            runnable.add(t);
            return;
        }
        for (Map.Entry<String, Closure<?>> b : branches.entrySet()) {
            Continuable program;
            try {
                b.getValue().call();
                t.resume = new Outcome(null, new IllegalStateException("parallel branch '" + b.getKey()
                        + "' is not a CPS closure (was it made inside @NonCPS code?)"));
                runnable.add(t);
                return;
            } catch (CpsCallableInvocation inv) {
                program = new Continuable(inv.invoke(Envs.empty(), null, Continuation.HALT));
            }
            Task child = new Task(join, b.getKey(), new ArrayDeque<>(t.frames), program);
            join.children.put(b.getKey(), child);
            join.remaining++;
            live.add(child);
            runnable.add(child);
            record(child, "branch.start", b.getKey(), null);
        }
        maxConcurrentBranches = Math.max(maxConcurrentBranches, (int) live.stream().filter(x -> x.join != null).count());
    }

    private void finishBranch(Task t, Deque<Task> runnable) {
        Join join = t.join;
        join.remaining--;
        boolean failed = t.end.getAbnormal() != null;
        record(t, "branch.end", t.branch, failed ? "FAILURE: " + t.end.getAbnormal().getMessage() : "SUCCESS");
        if (failed) {
            if (join.failure == null) {
                join.failure = t.end.getAbnormal();
                if (join.failFast) {
                    for (Task sibling : join.children.values()) {
                        if (sibling.end == null && sibling != t) {
                            sibling.resume = new Outcome(null, new FlowInterrupted("Failed in branch " + t.branch));
                        }
                    }
                }
            }
        } else {
            join.results.put(t.branch, t.end.getNormal());
        }
        if (join.remaining == 0) {
            join.parent.resume = join.failure != null ? new Outcome(null, join.failure) : new Outcome(join.results, null);
            runnable.add(join.parent);
        }
    }

    /** Serializes every live CPS thread in one stream, as Jenkins saves program.dat, and resumes from the copy. */
    private Object roundTrip(Object request) {
        List<Object> programs = new ArrayList<>();
        for (Task t : live) {
            programs.add(t.program);
        }
        programs.add(request);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new PickleOut(bytes)) {
            out.writeObject(programs);
        } catch (IOException e) {
            throw new NotSerializable("pipeline state is not serializable at a step boundary: " + e, e);
        }
        List<?> copy;
        try (ObjectInputStream in = new PickleIn(new ByteArrayInputStream(bytes.toByteArray()), loader)) {
            copy = (List<?>) in.readObject();
        } catch (IOException | ClassNotFoundException e) {
            throw new NotSerializable("pipeline state cannot be read back: " + e, e);
        }
        for (int i = 0; i < live.size(); i++) {
            live.get(i).program = (Continuable) copy.get(i);
        }
        serializations++;
        return copy.get(live.size());
    }

    /** Thrown out of the run when the program state does not survive serialization. */
    public static final class NotSerializable extends RuntimeException {
        NotSerializable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private enum Pickle { HARNESS, ENV, CURRENT_BUILD }

    private final class PickleOut extends ObjectOutputStream {
        PickleOut(ByteArrayOutputStream out) throws IOException {
            super(out);
            enableReplaceObject(true);
        }

        @Override
        protected Object replaceObject(Object obj) {
            if (obj == PipelineHarness.this) {
                return Pickle.HARNESS;
            }
            if (obj == envProxy) {
                return Pickle.ENV;
            }
            if (obj == currentBuild) {
                return Pickle.CURRENT_BUILD;
            }
            return obj;
        }
    }

    private final class PickleIn extends ObjectInputStreamWithLoader {
        PickleIn(InputStream in, ClassLoader cl) throws IOException {
            super(in, cl);
            enableResolveObject(true);
        }

        @Override
        protected Object resolveObject(Object obj) {
            if (obj instanceof Pickle p) {
                return switch (p) {
                    case HARNESS -> PipelineHarness.this;
                    case ENV -> envProxy;
                    case CURRENT_BUILD -> currentBuild;
                };
            }
            return obj;
        }
    }

    // ---------------------------------------------------------------- steps

    private Outcome execute(Task t, StepRequest req) {
        try {
            return new Outcome(step(t, req.name, req.args), null);
        } catch (Throwable e) {
            return new Outcome(null, e);
        }
    }

    private Map<String, Object> named(String step, Object[] args) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (args.length == 1 && args[0] instanceof Map<?, ?> map) {
            map.forEach((k, v) -> m.put(String.valueOf(k), v));
        } else if (args.length == 1) {
            String p = DEFAULT_PARAM.get(step);
            if (p == null) {
                throw new IllegalArgumentException(step + " takes named parameters only");
            }
            m.put(p, args[0]);
        } else if (args.length > 1) {
            throw new IllegalArgumentException(step + ": unexpected arguments " + Arrays.toString(args));
        }
        Set<String> allowed = STEP_PARAMS.get(step);
        if (allowed != null) {
            for (String k : m.keySet()) {
                if (!allowed.contains(k)) {
                    throw new IllegalArgumentException("step " + step + " has no parameter '" + k + "' (it has " + allowed + ")");
                }
            }
        }
        PluginStepSignatures.Signature plugin = PluginStepSignatures.plugin().get(step);
        if (plugin != null) {
            for (Map.Entry<String, Object> e : m.entrySet()) {
                String problem = StructsCoercion.mismatch(plugin.params().get(e.getKey()), e.getValue());
                if (problem != null) {
                    // What DescribableModel.instantiate wraps the coercion failure in.
                    throw new IllegalArgumentException("Could not instantiate " + m + " for " + plugin.className()
                            + ": java.lang.ClassCastException: " + problem);
                }
            }
            typeChecked.add(step + "." + String.join(",", m.keySet()));
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    private Object step(Task t, String name, Object[] args) throws Exception {
        idleWaits = name.equals("_wait") ? idleWaits + 1 : 0;
        switch (name) {
            case "_enter" -> {
                String kind = (String) args[0];
                Object value = args[1];
                if (kind.equals("stage") || kind.equals("dir") || kind.equals("node") || kind.equals("timeout") || kind.equals("lock")) {
                    named(kind, new Object[] {value});
                }
                t.frames.push(new Frame(kind, value));
                if (kind.equals("stage")) {
                    record(t, "stage.start", value.toString(), null);
                    log("[Pipeline] stage (" + value + ")");
                } else {
                    record(t, kind, String.valueOf(value), value);
                }
                return null;
            }
            case "_exit" -> {
                Frame f = t.frames.peek();
                if (f.kind.equals("stage")) {
                    record(t, "stage.end", f.value.toString(), args[1]);
                }
                t.frames.pop();
                return null;
            }
            case "_check" -> {
                named((String) args[0], new Object[] {args[1]});
                record(t, (String) args[0], null, args[1]);
                return null;
            }
            case "_wait" -> {
                if (idleWaits > 200 * Math.max(1, live.size())) {
                    throw new IllegalStateException("waitUntil: condition never became true (every branch is waiting)");
                }
                return null;
            }
            case "_caught" -> {
                Map<String, Object> a = named("catchError", new Object[] {args[0]});
                String result = a.getOrDefault("buildResult", "FAILURE").toString();
                currentBuild.setResult(result);
                record(t, "catchError", String.valueOf(args[1]), a);
                log("ERROR: " + args[1]);
                return null;
            }
            case "_goModCacheRestore" -> {
                Map<String, Object> a = named("goModCache", new Object[] {args[0]});
                record(t, "goModCache.restore", String.valueOf(a.get("policy")), a);
                return plugins.goModCacheRestore(a, ctx(t));
            }
            case "_goModCacheSave" -> {
                Map<String, Object> a = named("goModCache", new Object[] {args[0]});
                boolean ok = Boolean.TRUE.equals(args[1]);
                record(t, "goModCache.save", String.valueOf(a.get("policy")), Map.of("args", a, "bodySucceeded", ok));
                plugins.goModCacheSave(a, ok, ctx(t));
                return null;
            }
            default -> {
                return leaf(t, name, args);
            }
        }
    }

    private PluginSteps.Ctx ctx(Task t) {
        return new PluginSteps.Ctx(cwd(t), effectiveEnv(t), t.branch);
    }

    private Object leaf(Task t, String name, Object[] args) throws Exception {
        Map<String, Object> a = named(name, args);
        Object detail = a.isEmpty() ? null : a.values().iterator().next();
        record(t, name, detail == null ? null : String.valueOf(detail), a);
        switch (name) {
            case "echo":
                log(String.valueOf(a.get("message")));
                return null;
            case "error":
                throw new PipelineError(String.valueOf(a.get("message")));
            case "unstable":
                currentBuild.setResult("UNSTABLE");
                log("WARNING: " + a.get("message"));
                return null;
            case "sh":
                return runSh(t, a);
            case "writeFile": {
                Path p = cwd(t).resolve(required(name, a, "file"));
                Files.createDirectories(p.toAbsolutePath().getParent());
                Files.writeString(p, required(name, a, "text"));
                return null;
            }
            case "readFile":
                return Files.readString(cwd(t).resolve(required(name, a, "file")));
            case "fileExists":
                return Files.exists(cwd(t).resolve(required(name, a, "file")));
            case "readJSON": {
                String text = a.containsKey("text") ? String.valueOf(a.get("text"))
                        : Files.readString(cwd(t).resolve(required(name, a, "file")));
                // JSONObject/JSONArray in Jenkins: Serializable maps and lists.
                return new ObjectMapper().readValue(text, Object.class);
            }
            case "isUnix":
                return true;
            case "string":
            case "booleanParam":
            case "parameters":
                return new LinkedHashMap<>(a); // a describable, as a map
            case "properties":
                for (Object def : (List<?>) a.getOrDefault("properties", List.of())) {
                    Object defs = ((Map<?, ?>) def).get("parameterDefinitions");
                    for (Object p : defs instanceof List<?> l ? l : List.of()) {
                        Map<?, ?> m = (Map<?, ?>) p;
                        params.putIfAbsent(String.valueOf(m.get("name")), m.get("defaultValue"));
                    }
                }
                return null;
            case "sleep":
            case "milestone":
            case "archiveArtifacts":
            case "checkout":
                return null;
            case "goAffectedServices":
                return plugins.goAffectedServices(a, ctx(t));
            case "goBuildKitImage":
                return plugins.goBuildKitImage(a, ctx(t));
            default:
                throw noSuchStep(name);
        }
    }

    private static String required(String step, Map<String, Object> a, String key) {
        Object v = a.get(key);
        if (v == null) {
            throw new IllegalArgumentException(step + ": missing required parameter '" + key + "'");
        }
        return v.toString();
    }

    private Object runSh(Task t, Map<String, Object> a) throws Exception {
        String script = required("sh", a, "script");
        boolean stdout = Boolean.TRUE.equals(a.get("returnStdout"));
        boolean status = Boolean.TRUE.equals(a.get("returnStatus"));
        log("+ " + script);
        ShHandler.Result r = sh.run(script, cwd(t), effectiveEnv(t));
        if (!stdout) {
            log(r.stdout());
        }
        if (!r.stderr().isEmpty()) {
            log(r.stderr());
        }
        if (status) {
            return r.status();
        }
        if (r.status() != 0) {
            throw new PipelineError("script returned exit code " + r.status());
        }
        return stdout ? r.stdout() : null;
    }

    /** Runs the script with /bin/sh -e as the sh step does (Durable Task), stdout captured. */
    public static ShHandler.Result realSh(String script, Path cwd, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-e", "-c", script).directory(cwd.toFile());
        pb.environment().putAll(env);
        Path err = Files.createTempFile("gopipe-sh", ".err");
        try {
            pb.redirectError(err.toFile());
            Process p = pb.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("sh: timed out: " + script);
            }
            return new ShHandler.Result(p.exitValue(), out, Files.readString(err));
        } finally {
            Files.deleteIfExists(err);
        }
    }
}
