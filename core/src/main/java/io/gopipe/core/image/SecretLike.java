package io.gopipe.core.image;

import java.util.regex.Pattern;

/** Whether a build argument looks like a credential, by its name or by the shape of its value. */
final class SecretLike {

    private static final Pattern KEY = Pattern.compile(
            "(?i).*(TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|AUTH).*");
    // Well-known token prefixes: GitHub, GitLab, Slack, AWS access keys, npm, PEM private keys.
    private static final Pattern VALUE = Pattern.compile(
            "(?s)^(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_\\w{20,}|glpat-[\\w-]{20}|xox[abprs]-[\\w-]{10,}|AKIA[0-9A-Z]{16}"
            + "|npm_[A-Za-z0-9]{36}|-----BEGIN [A-Z ]*PRIVATE KEY-----.*)$");

    private SecretLike() {
    }

    static boolean key(String name) {
        return KEY.matcher(name).matches();
    }

    static boolean value(String v) {
        return v != null && VALUE.matcher(v.strip()).matches();
    }
}
