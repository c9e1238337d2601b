package io.gopipe.core.affected;

/** Orders Go module versions (semantic versions with a leading 'v'; pseudo-versions sort as pre-releases). */
final class Semver {

    private Semver() {
    }

    static int compare(String a, String b) {
        String[] pa = split(a);
        String[] pb = split(b);
        for (int i = 0; i < 3; i++) {
            int c = Long.compare(num(pa[i]), num(pb[i]));
            if (c != 0) {
                return c;
            }
        }
        String ra = pa[3];
        String rb = pb[3];
        if (ra.isEmpty() || rb.isEmpty()) {
            return Boolean.compare(ra.isEmpty(), rb.isEmpty());
        }
        String[] ia = ra.split("\\.");
        String[] ib = rb.split("\\.");
        for (int i = 0; i < Math.min(ia.length, ib.length); i++) {
            boolean na = ia[i].matches("\\d+");
            boolean nb = ib[i].matches("\\d+");
            int c;
            if (na && nb) {
                c = Long.compare(num(ia[i]), num(ib[i]));
            } else if (na != nb) {
                c = na ? -1 : 1;
            } else {
                c = ia[i].compareTo(ib[i]);
            }
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(ia.length, ib.length);
    }

    private static long num(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String[] split(String v) {
        String s = v.startsWith("v") ? v.substring(1) : v;
        int plus = s.indexOf('+');
        if (plus >= 0) {
            s = s.substring(0, plus);
        }
        String pre = "";
        int dash = s.indexOf('-');
        if (dash >= 0) {
            pre = s.substring(dash + 1);
            s = s.substring(0, dash);
        }
        String[] p = s.split("\\.");
        return new String[] {p.length > 0 ? p[0] : "0", p.length > 1 ? p[1] : "0", p.length > 2 ? p[2] : "0", pre};
    }
}
