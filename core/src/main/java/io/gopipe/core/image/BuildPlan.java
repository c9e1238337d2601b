package io.gopipe.core.image;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A build ready to hand to a driver: every path resolved, the Dockerfile written, build args and
 * labels final. Drivers only translate it into a command line.
 *
 * @param service       service name
 * @param context       build context directory
 * @param dockerfile    the Dockerfile to use
 * @param target        target stage, or null
 * @param buildArgs     build arguments
 * @param secrets       build secrets
 * @param platforms     target platforms
 * @param tags          image names
 * @param labels        image labels
 * @param push          push the image
 * @param load          load into the Docker image store
 * @param provenance    provenance attestation on
 * @param sbom          SBOM attestation on
 * @param cache         registry cache settings
 * @param namedContexts named local contexts
 * @param network       RUN network mode, or null
 * @param metadataFile  where BuildKit writes the result metadata
 * @param localOutput   export the result's files into this folder instead of an image, or null
 * @param noCache       run every step, reuse nothing from the build cache (cache mounts stay)
 * @param ssh           sockets forwarded to the build by id ({@code --ssh ID=SOCKET})
 * @param quietBuildArgs build arguments whose values must not appear on the command line (buildx
 *                      takes them from its environment: {@code --build-arg NAME})
 */
public record BuildPlan(String service, Path context, Path dockerfile, String target, Map<String, String> buildArgs,
                        List<SecretSpec> secrets, List<String> platforms, List<String> tags,
                        Map<String, String> labels, boolean push, boolean load, boolean provenance, boolean sbom,
                        CachePolicy cache, Map<String, Path> namedContexts, String network, Path metadataFile,
                        Path localOutput, boolean noCache, Map<String, Path> ssh, Map<String, String> quietBuildArgs) {

    public BuildPlan {
        ssh = ssh == null ? Map.of() : Map.copyOf(ssh);
        quietBuildArgs = quietBuildArgs == null ? Map.of() : Map.copyOf(quietBuildArgs);
    }

    /** A build without quiet build args. */
    public BuildPlan(String service, Path context, Path dockerfile, String target, Map<String, String> buildArgs,
                     List<SecretSpec> secrets, List<String> platforms, List<String> tags,
                     Map<String, String> labels, boolean push, boolean load, boolean provenance, boolean sbom,
                     CachePolicy cache, Map<String, Path> namedContexts, String network, Path metadataFile,
                     Path localOutput, boolean noCache, Map<String, Path> ssh) {
        this(service, context, dockerfile, target, buildArgs, secrets, platforms, tags, labels, push, load, provenance,
                sbom, cache, namedContexts, network, metadataFile, localOutput, noCache, ssh, Map.of());
    }

    /** A build without forwarded sockets. */
    public BuildPlan(String service, Path context, Path dockerfile, String target, Map<String, String> buildArgs,
                     List<SecretSpec> secrets, List<String> platforms, List<String> tags,
                     Map<String, String> labels, boolean push, boolean load, boolean provenance, boolean sbom,
                     CachePolicy cache, Map<String, Path> namedContexts, String network, Path metadataFile,
                     Path localOutput, boolean noCache) {
        this(service, context, dockerfile, target, buildArgs, secrets, platforms, tags, labels, push, load, provenance,
                sbom, cache, namedContexts, network, metadataFile, localOutput, noCache, Map.of());
    }

    /** An image build (no local output, build cache used). */
    public BuildPlan(String service, Path context, Path dockerfile, String target, Map<String, String> buildArgs,
                     List<SecretSpec> secrets, List<String> platforms, List<String> tags,
                     Map<String, String> labels, boolean push, boolean load, boolean provenance, boolean sbom,
                     CachePolicy cache, Map<String, Path> namedContexts, String network, Path metadataFile) {
        this(service, context, dockerfile, target, buildArgs, secrets, platforms, tags, labels, push, load, provenance,
                sbom, cache, namedContexts, network, metadataFile, null, false, Map.of());
    }
}
