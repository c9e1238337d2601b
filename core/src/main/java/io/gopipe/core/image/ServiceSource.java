package io.gopipe.core.image;

import java.nio.file.Path;

/**
 * Where one service's image comes from.
 *
 * @param name        service name
 * @param context     build context (absolute)
 * @param dockerfile  the service's own Dockerfile (absolute), or null to generate one
 * @param moduleDir   the Go module's directory relative to {@code context} ({@code .} for the context)
 * @param mainPackage the main package relative to {@code moduleDir}, e.g. {@code ./cmd/orders}
 */
public record ServiceSource(String name, Path context, Path dockerfile, String moduleDir, String mainPackage) {
}
