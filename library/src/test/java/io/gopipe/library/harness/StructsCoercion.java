package io.gopipe.library.harness;

import groovy.lang.GString;
import org.codehaus.groovy.reflection.ReflectionCache;

import java.net.URL;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Whether structs' {@code DescribableModel} would accept a value for a step parameter, following its
 * {@code coerce} rules (structs-plugin, DescribableModel#coerce): Groovy's own argument coercion
 * first (the real {@link ReflectionCache}, e.g. Integer → long, GString → String), then a List for a
 * collection, an instance of the (boxed) type, null, a String for an enum, number, boolean or char,
 * a List for an array. Anything else, e.g. a List for a String, is the ClassCastException a build
 * would end with. Two rules are stricter than structs, because the build fails later anyway: null
 * for a primitive setter (Method.invoke rejects it), and collection elements of the wrong type.
 */
public final class StructsCoercion {

    private StructsCoercion() {
    }

    /** Null when the value is accepted, else the message a build would fail with. */
    public static String mismatch(PluginStepSignatures.Param p, Object value) {
        if (p.type() == null) {
            return p.context() + " takes " + p.declared() + ", a type the harness cannot check yet;"
                    + " add it to PluginStepSignatures.KNOWN";
        }
        if (value == null) {
            return p.setter() && p.type().isPrimitive()
                    ? p.context() + " expects " + p.type() + " but received null (a primitive setter cannot take it)"
                    : null;
        }
        try {
            coerce(p.context(), p.type(), p.elementType(), value);
            return null;
        } catch (ClassCastException | IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private static void coerce(String context, Class<?> type, Class<?> element, Object value) {
        Object o = ReflectionCache.getCachedClass(type).coerceArgument(value);
        if (o instanceof GString) {
            o = o.toString();
        }
        Class<?> boxed = boxed(type);
        if (o instanceof List<?> list && Collection.class.isAssignableFrom(type)) {
            for (Object e : list) {
                if (e != null) {
                    coerce(context + " (element)", element, Object.class, e);
                }
            }
            return;
        }
        if (boxed.isInstance(o)) {
            return;
        }
        if (o instanceof Map) {
            throw new ClassCastException(context + " expects " + type + " but received " + o.getClass()
                    + " (structs would try to instantiate it as a describable)");
        }
        if (o instanceof String s) {
            if (type.isEnum()) {
                return; // Enum.valueOf: checked by the step itself
            }
            if (type == URL.class || ((boxed == Character.class) && s.length() == 1) || boxed == Boolean.class) {
                return;
            }
            if (Number.class.isAssignableFrom(boxed)) {
                try {
                    new java.math.BigDecimal(s.trim());
                    return;
                } catch (NumberFormatException e) {
                    throw new ClassCastException(context + " expects " + boxed + " but was unable to coerce the received value \""
                            + s + "\" to that type");
                }
            }
        }
        if (o instanceof List<?> list && type.isArray()) {
            for (Object e : list) {
                coerce(context + " (element)", type.getComponentType(), Object.class, e);
            }
            return;
        }
        throw new ClassCastException(context + " expects " + type + " but received " + o.getClass());
    }

    private static Class<?> boxed(Class<?> c) {
        if (!c.isPrimitive()) {
            return c;
        }
        return switch (c.getName()) {
            case "boolean" -> Boolean.class;
            case "int" -> Integer.class;
            case "long" -> Long.class;
            case "double" -> Double.class;
            case "float" -> Float.class;
            case "short" -> Short.class;
            case "byte" -> Byte.class;
            case "char" -> Character.class;
            default -> throw new IllegalArgumentException(c.getName());
        };
    }
}
