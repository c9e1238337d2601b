// Tells what the build did: the build description (shown on the job page and in Blue Ocean's run
// list) names each built service with its image digest, a table goes to the log, and the whole
// summary is written as JSON and archived.

def call(Map cfg, Map base, Map affected, Map results) {
    Map summary = summary(base, affected, results)
    currentBuild.description = description(summary)
    echo(table(summary))
    if (cfg.summaryFile) {
        writeFile(file: cfg.summaryFile, text: groovy.json.JsonOutput.prettyPrint(toJson(summary)))
        archiveArtifacts(artifacts: cfg.summaryFile, allowEmptyArchive: true)
    }
    return summary
}

@NonCPS
String toJson(Map summary) {
    return groovy.json.JsonOutput.toJson(summary)
}

@NonCPS
Map summary(Map base, Map affected, Map results) {
    List services = []
    for (Object v : (results ?: [:]).values()) {
        Map r = (Map) v
        Map img = r.image instanceof Map ? r.image : null
        services << [name: r.name, path: r.path, status: r.status, tested: r.tested ?: false,
                     digest: img?.digest, tags: img?.tags ?: [], hitRatio: img?.hitRatio, seconds: img?.seconds,
                     cachedSteps: img?.cachedSteps, executedSteps: img?.executedSteps, error: r.error]
    }
    return [base: affected?.base, head: affected?.head, baseReason: base?.reason, all: affected?.all ?: false,
            allReason: affected?.allReason, changedFiles: (affected?.changedFiles ?: []).size(), services: services]
}

@NonCPS
String description(Map s) {
    List parts = []
    for (Map r : s.services) {
        if (r.status == 'SUCCESS' && r.digest) {
            parts << "${r.name} ${shortDigest(r.digest)}"
        } else if (r.status == 'SUCCESS') {
            parts << "${r.name} ${r.tested ? 'tested' : 'ok'}"
        } else {
            parts << "${r.name} ${r.status}"
        }
    }
    String head = s.services.isEmpty() ? 'gopipe: no service affected' : "gopipe: ${s.services.size()} service(s)" + (s.all ? ' (all)' : '')
    String text = parts.isEmpty() ? head : head + ': ' + parts.join(', ')
    return text.length() > 1000 ? text.substring(0, 997) + '...' : text
}

@NonCPS
String table(Map s) {
    if (s.services.isEmpty()) {
        return 'gopipe: nothing was built'
    }
    int w = 7
    for (Map r : s.services) {
        w = Math.max(w, r.name.toString().length())
    }
    List lines = ['gopipe: summary', '  ' + 'service'.padRight(w) + '  status   image']
    for (Map r : s.services) {
        lines.add('  ' + r.name.toString().padRight(w) + '  ' + r.status.toString().padRight(7) + '  ' + image(r))
        if (r.error) {
            lines.add('  ' + ''.padRight(w) + '  ' + r.error)
        }
    }
    return lines.join('\n') + '\n'
}

/** The image column: digest and cache figures, or what the service did without one. */
@NonCPS
String image(Map r) {
    String cache = "cache ${pct(r.hitRatio)} (${r.cachedSteps ?: 0} cached / ${r.executedSteps ?: 0} run)  ${r.seconds != null ? r.seconds : '?'} s"
    if (r.digest) {
        return shortDigest(r.digest) + '  ' + cache
    }
    if (r.executedSteps != null || r.cachedSteps != null) {
        return 'built, not exported  ' + cache // no registry and no image store: nothing to name
    }
    return r.tested ? 'tests only' : '-'
}

@NonCPS
String shortDigest(Object d) {
    String s = d.toString()
    int colon = s.indexOf(':')
    return colon > 0 && s.length() > colon + 13 ? s.substring(0, colon + 13) : s
}

@NonCPS
String pct(Object ratio) {
    if (!(ratio instanceof Number)) {
        return '?'
    }
    return Math.round(((Number) ratio).doubleValue() * 100) + '%'
}
