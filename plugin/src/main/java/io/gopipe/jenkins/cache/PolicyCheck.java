package io.gopipe.jenkins.cache;

import hudson.Util;
import hudson.util.FormValidation;
import io.gopipe.core.GopipeException;
import io.gopipe.core.cache.CachePolicy;

/** The {@code policy} of {@code goModCache}, checked on the controller with core's parser. */
final class PolicyCheck {

    private PolicyCheck() {
    }

    /**
     * The policy's canonical id ({@code mod} or {@code build}; core also accepts aliases such as
     * {@code gocache}), so the variable and directory chosen from it match; else the exception
     * structs reports.
     */
    static String valid(String policy) {
        try {
            return CachePolicy.parse(policy).id();
        } catch (GopipeException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** Form validation: empty means the default ({@code mod}). */
    static FormValidation form(String value) {
        if (Util.fixEmptyAndTrim(value) == null) {
            return FormValidation.ok();
        }
        try {
            CachePolicy.parse(value.trim());
            return FormValidation.ok();
        } catch (GopipeException e) {
            return FormValidation.error(e.getMessage());
        }
    }
}
