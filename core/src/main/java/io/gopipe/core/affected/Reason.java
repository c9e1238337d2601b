package io.gopipe.core.affected;

import java.util.List;

/**
 * Why a service is affected: a changed file and the chain from it to the service, e.g.
 * {@code pkg/money/money.go}: [example.com/shop/pkg/money, example.com/shop/cmd/api, api].
 *
 * @param file  the changed file (repo-relative), or null for a reason not tied to one file
 * @param chain steps from the file to the service: packages (import paths) or a description
 *              (e.g. "Dockerfile", "module example.com/x v1.0.0 -> v1.1.0"), ending with the service name
 */
public record Reason(String file, List<String> chain) {
    public Reason {
        chain = List.copyOf(chain);
    }
}
