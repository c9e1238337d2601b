package io.gopipe.core.image;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Renders the Dockerfile templates for a {@link GoServiceSpec}. */
public final class GoDockerfileGenerator {

    /** Template of the multi-stage build (Go compiled inside BuildKit). */
    public static final String MULTI_STAGE = "go-service.Dockerfile";
    /** Template that only packages a binary built on the agent. */
    public static final String PACKAGE_ONLY = "go-binary.Dockerfile";

    /** The multi-stage Dockerfile: static build in a Go stage, then the runtime stage. */
    public String multiStage(GoServiceSpec spec) {
        Map<String, Object> v = common(spec);
        v.put("goImage", spec.images().go());
        v.put("moduleWorkdir", spec.moduleDir().equals(".") ? "/src" : "/src/" + stripSlashes(spec.moduleDir()));
        v.put("mainPackage", spec.mainPackage());
        // ${VERSION} is expanded by the shell of the RUN step, from the build arg.
        v.put("ldflags", spec.ldflags("${VERSION}"));
        v.put("versionNote", spec.versionVariable() == null ? " (unused: the program has no version variable)"
                : " (stamped into " + spec.versionVariable() + ")");
        v.put("zoneinfoCopy", spec.runtime() == Runtime.SCRATCH
                ? "mkdir -p /rootfs/usr/local/share && cp \"$(go env GOROOT)/lib/time/zoneinfo.zip\" "
                + "/rootfs/usr/local/share/zoneinfo.zip && " : "");
        v.put("rootfsFrom", "--from=build /rootfs/");
        return DockerfileTemplate.render(MULTI_STAGE, v);
    }

    /**
     * The packaging Dockerfile for a binary built on the agent. Its context holds one root file tree
     * per platform, {@code <os>_<arch>/usr/local/bin/<binary>} (and, for scratch,
     * {@code <os>_<arch>/usr/local/share/zoneinfo.zip}); see {@link #rootfsDir}.
     */
    public String packageOnly(GoServiceSpec spec) {
        Map<String, Object> v = common(spec);
        v.put("rootfsFrom", "${TARGETOS}_${TARGETARCH}/");
        return DockerfileTemplate.render(PACKAGE_ONLY, v);
    }

    /** The folder of a platform's root file tree in the packaging context of agent mode. */
    public static String rootfsDir(String os, String arch) {
        return os + "_" + arch;
    }

    /** The binary's file name inside the image. */
    public static String binaryName(GoServiceSpec spec) {
        return spec.service();
    }

    private Map<String, Object> common(GoServiceSpec spec) {
        Map<String, Object> v = new HashMap<>();
        v.put("service", spec.service());
        v.put("binary", binaryName(spec));
        v.put("scratch", spec.runtime() == Runtime.SCRATCH);
        v.put("runtimeImage", spec.images().runtimeImage(spec.runtime()));
        v.put("certsImage", spec.images().certs());
        v.put("user", spec.user());
        v.put("hasPort", spec.port() != null);
        v.put("port", spec.port() == null ? "" : spec.port());
        List<String> entry = new ArrayList<>();
        entry.add("/usr/local/bin/" + binaryName(spec));
        entry.addAll(spec.entrypointArgs());
        try {
            v.put("entrypoint", new ObjectMapper().writeValueAsString(entry));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return v;
    }

    private static String stripSlashes(String dir) {
        String d = dir.startsWith("./") ? dir.substring(2) : dir;
        return d.endsWith("/") ? d.substring(0, d.length() - 1) : d;
    }
}
