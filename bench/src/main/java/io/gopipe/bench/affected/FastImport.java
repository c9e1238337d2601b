package io.gopipe.bench.affected;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Streams commits into {@code git fast-import}: far faster than writing a work tree and running
 * {@code git add} per commit, and with fixed dates the commit ids are the same for the same seed.
 */
final class FastImport implements AutoCloseable {

    private static final long EPOCH = 1_767_225_600L; // 2026-01-01T00:00:00Z

    private final Process process;
    private final OutputStream out;
    private int mark;

    FastImport(Path repo) throws IOException {
        process = new ProcessBuilder("git", "fast-import", "--quiet", "--done")
            .directory(repo.toFile()).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
        out = new BufferedOutputStream(process.getOutputStream(), 1 << 20);
    }

    void commit(String message, Map<String, String> modified, List<String> deleted) throws IOException {
        mark++;
        long when = EPOCH + mark * 3600L;
        write("commit refs/heads/main\nmark :" + mark + "\n");
        write("author Bench Generator <bench@example.com> " + when + " +0000\n");
        write("committer Bench Generator <bench@example.com> " + when + " +0000\n");
        data(message.getBytes(StandardCharsets.UTF_8));
        if (mark > 1) {
            write("from :" + (mark - 1) + "\n");
        }
        for (String path : deleted) {
            write("D " + path + "\n");
        }
        for (Map.Entry<String, String> e : modified.entrySet()) {
            String mode = e.getKey().endsWith(".sh") ? "100755" : "100644";
            write("M " + mode + " inline " + e.getKey() + "\n");
            data(e.getValue().getBytes(StandardCharsets.UTF_8));
        }
        write("\n");
    }

    private void data(byte[] bytes) throws IOException {
        write("data " + bytes.length + "\n");
        out.write(bytes);
        write("\n");
    }

    private void write(String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws IOException {
        write("done\n");
        out.close();
        try {
            int rc = process.waitFor();
            if (rc != 0) {
                throw new IOException("git fast-import exited with " + rc);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for git fast-import", e);
        }
    }
}
