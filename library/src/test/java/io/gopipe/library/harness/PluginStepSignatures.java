package io.gopipe.library.harness;

import com.github.javaparser.JavaParser;
import com.github.javaparser.ParseResult;
import com.github.javaparser.ParserConfiguration;
import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.body.ClassOrInterfaceDeclaration;
import com.github.javaparser.ast.body.ConstructorDeclaration;
import com.github.javaparser.ast.body.MethodDeclaration;
import com.github.javaparser.ast.body.Parameter;
import com.github.javaparser.ast.expr.StringLiteralExpr;
import com.github.javaparser.ast.stmt.ReturnStmt;
import com.github.javaparser.ast.type.ClassOrInterfaceType;
import com.github.javaparser.ast.type.Type;

import java.beans.Introspector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The gopipe plugin's steps as the plugin's source declares them: the function name (from the
 * descriptor's {@code getFunctionName}) and each {@code @DataBoundConstructor} parameter and
 * {@code @DataBoundSetter} with its Java type. Read from plugin/src/main/java with JavaParser, because
 * the plugin is built only under {@code -Pjenkins}; so the harness checks the library's calls against
 * the step classes as they are, not against a copy that can drift.
 */
public final class PluginStepSignatures {

    /**
     * One parameter.
     *
     * @param name        the name a script uses ({@code setTags} → {@code tags})
     * @param declared    the type as written in the source, e.g. {@code List<String>}
     * @param type        its erasure, e.g. {@code java.util.List}
     * @param elementType a collection's element type ({@code Object} when not given)
     * @param context     where structs would report a mismatch, e.g. {@code …GoAffectedServicesStep.setTags()}
     * @param setter      true for a {@code @DataBoundSetter}, false for a constructor parameter
     */
    public record Param(String name, String declared, Class<?> type, Class<?> elementType, String context, boolean setter) {
    }

    /** A step: its function name, its class and its parameters by name. */
    public record Signature(String function, String className, Path source, Map<String, Param> params) {
    }

    private static Map<String, Signature> plugin;

    private PluginStepSignatures() {
    }

    /** The steps of the plugin in this checkout (system property {@code gopipe.root}, default ".."). */
    public static synchronized Map<String, Signature> plugin() {
        if (plugin == null) {
            Path root = Path.of(System.getProperty("gopipe.root", "..")).toAbsolutePath().normalize();
            plugin = read(root.resolve("plugin/src/main/java"));
            for (String required : List.of("goAffectedServices", "goBuildKitImage", "goModCache")) {
                if (!plugin.containsKey(required)) {
                    throw new IllegalStateException("no step '" + required + "' found in " + root.resolve("plugin/src/main/java")
                            + " (found " + plugin.keySet() + ")");
                }
            }
        }
        return plugin;
    }

    /** Every Step subclass below {@code sourceRoot} whose descriptor names a function. */
    public static Map<String, Signature> read(Path sourceRoot) {
        JavaParser parser = new JavaParser(new ParserConfiguration()
                .setLanguageLevel(ParserConfiguration.LanguageLevel.JAVA_17));
        Map<String, ClassOrInterfaceDeclaration> classes = new LinkedHashMap<>();
        Map<String, Path> files = new LinkedHashMap<>();
        try (Stream<Path> all = Files.walk(sourceRoot)) {
            for (Path f : all.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                ParseResult<CompilationUnit> parsed = parser.parse(f);
                CompilationUnit cu = parsed.getResult().filter(x -> parsed.isSuccessful())
                        .orElseThrow(() -> new IllegalStateException("cannot parse " + f + ": " + parsed.getProblems()));
                for (ClassOrInterfaceDeclaration c : cu.findAll(ClassOrInterfaceDeclaration.class)) {
                    classes.put(c.getNameAsString(), c);
                    files.put(c.getNameAsString(), f);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the plugin's sources in " + sourceRoot, e);
        }
        Map<String, Signature> steps = new TreeMap<>();
        for (ClassOrInterfaceDeclaration c : classes.values()) {
            List<ClassOrInterfaceDeclaration> chain = ancestry(c, classes);
            if (!chain.isEmpty()) {
                functionName(c).ifPresent(fn -> steps.put(fn, signature(fn, c, chain, files.get(c.getNameAsString()))));
            }
        }
        return steps;
    }

    /** The class and its superclasses in this source tree, when the chain ends in {@code extends Step}; else empty. */
    private static List<ClassOrInterfaceDeclaration> ancestry(ClassOrInterfaceDeclaration c,
                                                              Map<String, ClassOrInterfaceDeclaration> classes) {
        List<ClassOrInterfaceDeclaration> chain = new java.util.ArrayList<>();
        for (ClassOrInterfaceDeclaration k = c; k != null && chain.size() < 10; ) {
            chain.add(k);
            if (k.getExtendedTypes().isEmpty() || k.isInterface()) {
                return List.of();
            }
            String parent = k.getExtendedTypes().get(0).getNameAsString();
            if (parent.equals("Step")) {
                return chain;
            }
            k = classes.get(parent);
        }
        return List.of();
    }

    private static Optional<String> functionName(ClassOrInterfaceDeclaration step) {
        for (MethodDeclaration m : step.findAll(MethodDeclaration.class)) {
            if (m.getNameAsString().equals("getFunctionName") && m.getParameters().isEmpty()) {
                for (ReturnStmt r : m.findAll(ReturnStmt.class)) {
                    if (r.getExpression().orElse(null) instanceof StringLiteralExpr s) {
                        return Optional.of(s.asString());
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static Signature signature(String function, ClassOrInterfaceDeclaration c, List<ClassOrInterfaceDeclaration> chain,
                                       Path source) {
        String className = c.getFullyQualifiedName().orElse(c.getNameAsString());
        Map<String, Param> params = new LinkedHashMap<>();
        for (ConstructorDeclaration k : c.getConstructors()) {
            if (k.isAnnotationPresent("DataBoundConstructor")) {
                for (Parameter p : k.getParameters()) {
                    Class<?>[] t = resolve(p.getType(), className + "(" + p.getNameAsString() + ")");
                    params.put(p.getNameAsString(), new Param(p.getNameAsString(), p.getType().asString(), t[0], t[1],
                            className + "." + p.getNameAsString(), false));
                }
            }
        }
        // Setters of superclasses first, so a subclass's override wins.
        List<MethodDeclaration> setters = new java.util.ArrayList<>();
        for (int i = chain.size() - 1; i >= 0; i--) {
            setters.addAll(chain.get(i).getMethods());
        }
        for (MethodDeclaration m : setters) {
            if (!m.isAnnotationPresent("DataBoundSetter")) {
                continue;
            }
            String method = m.getNameAsString();
            if (!method.startsWith("set") || m.getParameters().size() != 1) {
                throw new IllegalStateException(className + "." + method + " is a @DataBoundSetter but not setX(value)");
            }
            String name = Introspector.decapitalize(method.substring(3));
            Type type = m.getParameter(0).getType();
            Class<?>[] t = resolve(type, className + "." + method);
            params.put(name, new Param(name, type.asString(), t[0], t[1], className + "." + method + "()", true));
        }
        return new Signature(function, className, source, params);
    }

    private static final Map<String, Class<?>> PRIMITIVES = Map.of("boolean", boolean.class, "int", int.class,
            "long", long.class, "double", double.class, "float", float.class, "short", short.class,
            "byte", byte.class, "char", char.class);
    private static final Map<String, Class<?>> KNOWN = Map.ofEntries(Map.entry("String", String.class),
            Map.entry("Boolean", Boolean.class), Map.entry("Integer", Integer.class), Map.entry("Long", Long.class),
            Map.entry("Double", Double.class), Map.entry("Object", Object.class), Map.entry("List", List.class),
            Map.entry("Collection", Collection.class), Map.entry("Set", Set.class), Map.entry("Map", Map.class));

    /**
     * [erasure, element type]; for a type the harness cannot name, [null, null]: a call that passes
     * that parameter then fails, naming it, rather than being let through unchecked.
     */
    private static Class<?>[] resolve(Type type, String where) {
        if (type.isPrimitiveType()) {
            return new Class<?>[] {PRIMITIVES.get(type.asString()), Object.class};
        }
        if (type instanceof ClassOrInterfaceType c) {
            Class<?> raw = KNOWN.get(c.getNameAsString());
            if (raw != null) {
                Class<?> element = Object.class;
                if (Collection.class.isAssignableFrom(raw) && c.getTypeArguments().isPresent()
                        && c.getTypeArguments().get().size() == 1) {
                    Type arg = c.getTypeArguments().get().get(0);
                    if (arg instanceof ClassOrInterfaceType a && KNOWN.containsKey(a.getNameAsString())) {
                        element = KNOWN.get(a.getNameAsString());
                    }
                }
                return new Class<?>[] {raw, element};
            }
        }
        return new Class<?>[] {null, null};
    }
}
