// Chooses what the change is measured against, for Jenkins:
//  1. an explicit base (config 'base' or the build parameter GOPIPE_BASE) or 'all' / GOPIPE_BUILD_ALL;
//  2. pull requests (CHANGE_ID set): the merge-base with <remote>/$CHANGE_TARGET. The PR's own
//     GIT_PREVIOUS_SUCCESSFUL_COMMIT is ignored: it can be a local merge commit of an older build;
//  3. branch builds: GIT_PREVIOUS_SUCCESSFUL_COMMIT when it is set and present in this clone;
//  4. otherwise every service, with the reason said in the log and the summary.
// Returns [kind, args (for goAffectedServices / goAffectedServicesCli), reason, all].

def call(Map cfg) {
    String repo = cfg.repo ?: '.'
    if (cfg.all || isTrue(params.GOPIPE_BUILD_ALL)) {
        return everything('every service was asked for (' + (cfg.all ? "config key 'all'" : 'build parameter GOPIPE_BUILD_ALL') + ')')
    }
    String override = cfg.base ?: (params.GOPIPE_BASE ? params.GOPIPE_BASE.toString().trim() : null)
    if (override) {
        if (!(override ==~ /[A-Za-z0-9._\/~^@{}+-]+/)) {
            error("gopipe: build parameter GOPIPE_BASE is not a git revision: '${override}'")
        }
        return [kind: 'explicit', args: [base: override], all: false,
                reason: "explicit base ${override} (" + (cfg.base ? "config key 'base'" : 'build parameter GOPIPE_BASE') + ')']
    }
    if (env.CHANGE_ID) {
        String target = env.CHANGE_TARGET
        if (!target) {
            return everything("pull request ${env.CHANGE_ID} has no CHANGE_TARGET")
        }
        String ref = "${cfg.targetRemote ?: 'origin'}/${target}".toString()
        return [kind: 'pull-request', args: [targetBranch: ref], all: false,
                reason: "pull request ${env.CHANGE_ID}: changes since the merge-base with ${ref}"]
    }
    String prev = env.GIT_PREVIOUS_SUCCESSFUL_COMMIT
    String branch = env.BRANCH_NAME ?: 'this job'
    if (!prev) {
        return everything("first build of ${branch} (no previous successful build: GIT_PREVIOUS_SUCCESSFUL_COMMIT is unset)")
    }
    if (!(prev ==~ /[0-9a-f]{7,64}/)) {
        return everything("GIT_PREVIOUS_SUCCESSFUL_COMMIT is not a commit id: '${prev}'")
    }
    int present = sh(script: "git -C ${shq(repo)} cat-file -e ${prev}^{commit}", returnStatus: true,
            label: 'gopipe: is the last successful commit in this clone?')
    if (present != 0) {
        return everything("the last successful commit ${prev.take(12)} of ${branch} is not in this clone (shallow clone or force push)")
    }
    return [kind: 'last-successful', args: [sinceCommit: prev], all: false,
            reason: "changes since the last successful build of ${branch} (${prev.take(12)})"]
}

/** An all-zero base tells the engine "no base": it answers with every service. */
@NonCPS
Map everything(String reason) {
    return [kind: 'all', args: [sinceCommit: '0' * 40], all: true, reason: "building every service: ${reason}".toString()]
}

@NonCPS
boolean isTrue(Object v) {
    return v == true || v?.toString()?.equalsIgnoreCase('true')
}

@NonCPS
String shq(String s) {
    return "'" + s.replace("'", "'\"'\"'") + "'"
}
