// Prints why each service is rebuilt: the base that was chosen, then per service the first change
// that reaches it and the import chain from that file to the service's main package.

def call(Map affected, Map base = null, int maxReasons = 3) {
    String text = render(affected, base, maxReasons)
    echo(text)
    return text
}

@NonCPS
String render(Map a, Map base, int maxReasons) {
    List services = a.services ?: []
    List tests = a.testAffected ?: []
    StringBuilder sb = new StringBuilder()
    String range = (a.base ? shortSha(a.base) : 'no base') + ' -> ' + (a.head ? shortSha(a.head) : 'HEAD')
    if (base?.reason) {
        sb << "gopipe: base: ${base.reason}\n"
    }
    if (a.all) {
        sb << "gopipe: every service (${services.size()}) is rebuilt (${range}): ${a.allReason ?: 'no reason given'}\n"
    } else if (services.isEmpty() && tests.isEmpty()) {
        sb << "gopipe: no service is affected by ${(a.changedFiles ?: []).size()} changed file(s) (${range})\n"
    } else {
        sb << "gopipe: ${services.size()} service(s) to build, ${tests.size()} more to test only (${range}, ${(a.changedFiles ?: []).size()} changed file(s))\n"
    }
    int width = ((services + tests).collect { it.name.toString().length() }.max() ?: 4) as int
    for (Map s : services) {
        sb << '  ' << s.name.toString().padRight(width) << '  ' << s.path << '\n'
        appendReasons(sb, s, width, maxReasons, a.all)
    }
    for (Map s : tests) {
        sb << '  ' << s.name.toString().padRight(width) << '  ' << s.path << '  (tests only)\n'
        appendReasons(sb, s, width, maxReasons, a.all)
    }
    return sb.toString()
}

@NonCPS
void appendReasons(StringBuilder sb, Map s, int width, int maxReasons, boolean all) {
    List reasons = s.reasons ?: []
    if (all && reasons.isEmpty()) {
        return
    }
    String pad = ' ' * (width + 4)
    reasons.take(maxReasons).each { r ->
        List chain = r.chain ?: []
        sb << pad << (r.file ?: '?') << (chain ? ' -> ' + chain.join(' -> ') : '') << '\n'
    }
    if (reasons.size() > maxReasons) {
        sb << pad << "... and ${reasons.size() - maxReasons} more change(s)\n"
    }
}

@NonCPS
String shortSha(Object sha) {
    String s = sha.toString()
    return s ==~ /[0-9a-f]{40,64}/ ? s.substring(0, 12) : s
}
