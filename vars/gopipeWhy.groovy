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
    List lines = []
    String range = (a.base ? shortSha(a.base) : 'no base') + ' -> ' + (a.head ? shortSha(a.head) : 'HEAD')
    if (base?.reason) {
        lines.add("gopipe: base: ${base.reason}".toString())
    }
    if (a.all) {
        lines.add("gopipe: every service (${services.size()}) is rebuilt (${range}): ${a.allReason ?: 'no reason given'}".toString())
    } else if (services.isEmpty() && tests.isEmpty()) {
        lines.add("gopipe: no service is affected by ${(a.changedFiles ?: []).size()} changed file(s) (${range})".toString())
    } else {
        lines.add("gopipe: ${services.size()} service(s) to build, ${tests.size()} more to test only (${range}, ${(a.changedFiles ?: []).size()} changed file(s))".toString())
    }
    int width = 4
    for (Map s : services + tests) {
        width = Math.max(width, s.name.toString().length())
    }
    for (Map s : services) {
        lines.add('  ' + s.name.toString().padRight(width) + '  ' + s.path)
        addReasons(lines, s, width, maxReasons, a.all)
    }
    for (Map s : tests) {
        lines.add('  ' + s.name.toString().padRight(width) + '  ' + s.path + '  (tests only)')
        addReasons(lines, s, width, maxReasons, a.all)
    }
    return lines.join('\n') + '\n'
}

@NonCPS
void addReasons(List lines, Map s, int width, int maxReasons, boolean all) {
    List reasons = s.reasons ?: []
    if (all && reasons.isEmpty()) {
        return
    }
    String pad = ' ' * (width + 4)
    for (Map r : reasons.take(maxReasons)) {
        List chain = r.chain ?: []
        lines.add(pad + (r.file ?: '?') + (chain ? ' -> ' + chain.join(' -> ') : ''))
    }
    if (reasons.size() > maxReasons) {
        lines.add(pad + "... and ${reasons.size() - maxReasons} more change(s)")
    }
}

@NonCPS
String shortSha(Object sha) {
    String s = sha.toString()
    return s ==~ /[0-9a-f]{40,64}/ ? s.substring(0, 12) : s
}
