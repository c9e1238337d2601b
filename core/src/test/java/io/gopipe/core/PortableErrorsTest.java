package io.gopipe.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.gopipe.core.affected.AffectedEngine;
import io.gopipe.core.affected.AffectedRequest;
import io.gopipe.core.affected.BaseSpec;
import io.gopipe.core.affected.BuildTarget;
import io.gopipe.core.affected.GoModException;
import io.gopipe.core.affected.ParseCache;
import io.gopipe.core.cache.CacheKeys;
import io.gopipe.core.cache.archive.CorruptArchiveException;
import io.gopipe.core.cache.archive.TimeLimitException;
import io.gopipe.core.cache.archive.UnsafeArchiveException;
import io.gopipe.core.cache.backend.S3Backend;
import io.gopipe.core.cache.backend.S3Options;
import io.gopipe.core.fixture.FixtureLoader;
import io.gopipe.core.image.BuilderUnreachableException;
import io.gopipe.core.image.ImageBuildFailedException;
import io.gopipe.core.image.ImageJobOptions;
import io.gopipe.core.image.RegistryUnreachableException;
import io.gopipe.core.report.Reporter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Every exception the engine can send from an agent to the controller, after
 * {@link PortableErrors#portable}, survives a serialization round trip through a stream that
 * accepts JDK classes and gopipe-core classes only (what JEP-200 leaves us), message chain intact.
 * The raw exceptions that hold third-party objects are shown to fail the same stream, so the
 * filter is not vacuous.
 */
class PortableErrorsTest {

    @TempDir
    Path tmp;

    /** Accepts java.*, javax.* and io.gopipe.core.* classes (and arrays of them); refuses the rest. */
    static final class JdkAndCoreOnly extends ObjectInputStream {
        JdkAndCoreOnly(InputStream in) throws IOException {
            super(in);
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            String name = desc.getName();
            String element = name.replaceFirst("^\\[+", "");
            boolean primitiveArray = name.startsWith("[") && element.length() == 1;
            if (element.startsWith("L") && element.endsWith(";")) {
                element = element.substring(1, element.length() - 1);
            }
            if (!primitiveArray && !element.startsWith("java.") && !element.startsWith("javax.")
                    && !element.startsWith("io.gopipe.core.")) {
                throw new InvalidClassException(name, "rejected: not a JDK or gopipe-core class");
            }
            return super.resolveClass(desc);
        }
    }

    static Throwable roundTrip(Throwable t) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(t);
        }
        try (ObjectInputStream in = new JdkAndCoreOnly(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (Throwable) in.readObject();
        }
    }

    /** Messages of every link, outermost first. */
    static List<String> messages(Throwable t) {
        List<String> out = new ArrayList<>();
        for (Throwable c = t; c != null; c = c.getCause()) {
            out.add(String.valueOf(c.getMessage()));
        }
        return out;
    }

    /** Converts, round-trips and checks that every original message is still there, in the top message too. */
    static Throwable assertSurvives(Throwable original) throws Exception {
        Throwable back = roundTrip(PortableErrors.portable(original));
        assertThat(back).isInstanceOf(PortableException.class);
        assertThat(((PortableException) back).originalType()).isEqualTo(original.getClass().getName());
        String all = String.join("\n", messages(back));
        for (Throwable c = original; c != null; c = c.getCause()) {
            if (c.getMessage() != null) {
                assertThat(all).contains(c.getMessage());
                assertThat(back.getMessage()).contains(c.getMessage().lines().findFirst().orElse(""));
            }
            if (c != original) {
                assertThat(all).contains(c.getClass().getName());
            }
        }
        for (Throwable c = back.getCause(); c != null; c = c.getCause()) {
            assertThat(c.getClass().getName()).startsWith("java.");
        }
        assertThat(back.getStackTrace()).isEqualTo(original.getStackTrace());
        return back;
    }

    static void assertRawRejected(Throwable raw, String rejectedPackage) {
        assertThatThrownBy(() -> roundTrip(raw)).isInstanceOf(InvalidClassException.class)
                .hasMessageContaining(rejectedPackage);
    }

    @Test
    void jgitMissingObjectThroughTheAffectedEngine() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        String blob;
        try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            Files.writeString(repo.resolve("go.mod"), "module example.com/shop\n\ngo 1.22\n");
            Files.createDirectories(repo.resolve("cmd/api"));
            Files.writeString(repo.resolve("cmd/api/main.go"), "package main\n\nfunc main() {}\n");
            git.add().addFilepattern(".").call();
            git.commit().setMessage("base").setAuthor("t", "t@example.com").setCommitter("t", "t@example.com").call();
            try (Repository r = git.getRepository()) {
                blob = r.resolve("HEAD:cmd/api/main.go").name();
            }
        }
        // A damaged clone: the commit is there, one of its blobs is not.
        Files.delete(repo.resolve(".git/objects/" + blob.substring(0, 2) + "/" + blob.substring(2)));
        Throwable thrown = catchThrowable(() -> new AffectedEngine(new ParseCache(), Reporter.silent())
                .serviceDependencies(repo, "HEAD", BuildTarget.linuxAmd64()));
        // Not always a GopipeException (here an UncheckedIOException from the scan): callables convert any throwable.
        assertThat(thrown).hasRootCauseInstanceOf(org.eclipse.jgit.errors.MissingObjectException.class);
        assertRawRejected(thrown, "org.eclipse.jgit");

        Throwable back = assertSurvives(thrown);
        assertThat(back.getMessage()).contains(blob);
    }

    @Test
    void jgitFailuresOutsideTheEngine() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("plain"));
        try (Git git = Git.init().setDirectory(repo.toFile()).call(); Repository r = git.getRepository()) {
            ObjectId absent = ObjectId.fromString("0123456789abcdef0123456789abcdef01234567");
            Throwable missing = catchThrowable(() -> r.open(absent));
            assertThat(missing).isInstanceOf(org.eclipse.jgit.errors.MissingObjectException.class);
            assertRawRejected(missing, "org.eclipse.jgit");
            assertThat(assertSurvives(missing).getMessage()).contains(absent.name());
        }
        Throwable notARepo = catchThrowable(() -> Git.open(tmp.resolve("nowhere").toFile()));
        assertThat(notARepo).isInstanceOf(org.eclipse.jgit.errors.RepositoryNotFoundException.class);
        assertSurvives(notARepo);
    }

    @Test
    void affectedEngineAndGopipeYamlErrors() throws Exception {
        Throwable noRepo = catchThrowable(() -> new AffectedEngine(new ParseCache(), Reporter.silent())
                .compute(new AffectedRequest(tmp.resolve("missing"), BaseSpec.revision("HEAD~1"))));
        assertThat(noRepo).isInstanceOf(GopipeException.class);
        assertSurvives(noRepo);

        Path repo = Files.createDirectories(tmp.resolve("yaml"));
        try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            Files.writeString(repo.resolve("go.mod"), "module example.com/y\n\ngo 1.22\n");
            Files.writeString(repo.resolve("gopipe.yaml"), "services: [unclosed\n  - : :\n");
            git.add().addFilepattern(".").call();
            git.commit().setMessage("bad yaml").setAuthor("t", "t@example.com").setCommitter("t", "t@example.com").call();
        }
        Throwable badYaml = catchThrowable(() -> new AffectedEngine(new ParseCache(), Reporter.silent())
                .serviceDependencies(repo, "HEAD", BuildTarget.linuxAmd64()));
        assertThat(badYaml).isInstanceOf(GopipeException.class).hasMessageContaining("gopipe.yaml");
        assertSurvives(badYaml);

        assertSurvives(new GoModException("go.mod", 3, "unknown directive 'requir'"));
    }

    @Test
    void cacheErrors() throws Exception {
        Throwable badKey = catchThrowable(() -> CacheKeys.check("../etc/passwd"));
        assertThat(badKey).isInstanceOf(GopipeException.class);
        assertSurvives(badKey);
        assertSurvives(new CorruptArchiveException("archive k.1.tar.zst of k is missing"));
        assertSurvives(new UnsafeArchiveException("member ../x escapes the target"));
        assertSurvives(new TimeLimitException("restore of k took longer than 10 s"));
    }

    @Test
    void imageAndFixtureErrors() throws Exception {
        Throwable badOptions = catchThrowable(() -> ImageJobOptions.builder().build());
        assertThat(badOptions).isInstanceOf(GopipeException.class);
        assertSurvives(badOptions);
        assertSurvives(new ImageBuildFailedException("service orders: RUN go build failed (exit 1)"));
        assertSurvives(new RegistryUnreachableException("registry 127.0.0.1:5999 refused the connection"));
        assertSurvives(new BuilderUnreachableException("buildkitd at tcp://127.0.0.1:1 is not reachable"));

        Throwable notAFixture = catchThrowable(() -> new FixtureLoader().load(tmp.resolve("no-fixture")));
        assertThat(notAFixture).isInstanceOf(GopipeException.class);
        assertSurvives(notAFixture);
    }

    @Test
    void s3FailuresFromARealServerAndARefusedPort() throws Exception {
        S3Proxy proxy = S3Proxy.builder().blobStore(new TransientNio2BlobStore())
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, "gopipe-test", "right-secret").build();
        proxy.start();
        try {
            while (!proxy.getState().equals("STARTED")) {
                Thread.sleep(10);
            }
            URI endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
            S3Options wrongSecret = new S3Options(endpoint, "us-east-1", true, "gopipe-test", "wrong-secret", true);
            Throwable denied;
            try (S3Backend s3 = S3Backend.create("gopipe-cache", "p/", wrongSecret)) {
                denied = catchThrowable(() -> s3.list(""));
            }
            assertThat(denied).isInstanceOf(IOException.class);
            assertThat(denied.getCause()).isInstanceOf(S3Exception.class);
            assertRawRejected(denied, "software.amazon.awssdk");
            assertSurvives(denied);
        } finally {
            proxy.stop();
        }

        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        S3Options refused = new S3Options(URI.create("http://127.0.0.1:" + closed), "us-east-1", true, "a", "b", true);
        Throwable unreachable;
        try (S3Backend s3 = S3Backend.create("gopipe-cache", "p/", refused)) {
            unreachable = catchThrowable(() -> s3.find("k"));
        }
        assertThat(unreachable).isInstanceOf(IOException.class);
        assertSurvives(unreachable);

        // The SDK's own types as the engine may meet them, with their non-JDK fields filled in.
        S3Exception sdk = (S3Exception) S3Exception.builder().statusCode(403).message("Access Denied")
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("AccessDenied").errorMessage("Access Denied")
                        .sdkHttpResponse(SdkHttpResponse.builder().statusCode(403).build()).build())
                .build();
        assertRawRejected(sdk, "software.amazon.awssdk");
        assertThat(assertSurvives(sdk).getMessage()).contains("Access Denied");
        SdkClientException client = SdkClientException.create("Unable to execute HTTP request",
                new java.net.ConnectException("Connection refused"));
        assertThat(assertSurvives(client).getMessage()).contains("Connection refused");
    }

    @Test
    void messageChainSkipsRepeatsAndNamesSilentLinks() {
        IOException root = new IOException("disk full");
        RuntimeException mid = new RuntimeException("save failed: disk full", root);
        GopipeException top = new GopipeException("cache save of k failed", mid);
        assertThat(PortableErrors.messageChain(top)).isEqualTo("cache save of k failed: save failed: disk full");
        assertThat(PortableErrors.messageChain(new GopipeException("outer", new NullPointerException())))
                .isEqualTo("outer: NullPointerException");
    }

    @Test
    void cyclicChainsTerminate() throws Exception {
        IOException a = new IOException("a");
        IOException b = new IOException("b", a);
        a.initCause(b);
        Throwable back = roundTrip(PortableErrors.portable(a));
        assertThat(back.getMessage()).isEqualTo("a: b");
    }
}
