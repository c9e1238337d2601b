package io.gopipe.core.exec;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Turns a command's output bytes into masked lines for a {@link CommandRequest}: each complete
 * line goes to the request's consumer, the last {@value #TAIL_LINES} are kept for the result.
 * Every {@link CommandRunner} feeds its process output through one, so all of them mask and cut
 * lines the same way. Lines are UTF-8; {@code \r\n} and a final line without newline count.
 */
public final class OutputLines extends OutputStream {

    /** How many lines a result keeps. */
    public static final int TAIL_LINES = 40;

    private final UnaryOperator<String> masker;
    private final Consumer<String> lines;
    private final ByteArrayOutputStream current = new ByteArrayOutputStream();
    private final Deque<String> tail = new ArrayDeque<>();

    public OutputLines(CommandRequest request) {
        this(request.masker(), request.lines());
    }

    public OutputLines(UnaryOperator<String> masker, Consumer<String> lines) {
        this.masker = masker;
        this.lines = lines;
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n') {
            emit();
        } else {
            current.write(b);
        }
    }

    @Override
    public void write(byte[] b) {
        write(b, 0, b.length);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        int start = off;
        for (int i = off; i < off + len; i++) {
            if (b[i] == '\n') {
                current.write(b, start, i - start);
                emit();
                start = i + 1;
            }
        }
        current.write(b, start, off + len - start);
    }

    /** Emits a last line that had no newline. */
    @Override
    public synchronized void close() {
        if (current.size() > 0) {
            emit();
        }
    }

    /** The last lines seen so far, masked. */
    public synchronized List<String> tail() {
        return new ArrayList<>(tail);
    }

    private void emit() {
        String line = current.toString(StandardCharsets.UTF_8);
        current.reset();
        if (line.endsWith("\r")) {
            line = line.substring(0, line.length() - 1);
        }
        String masked = masker.apply(line);
        tail.addLast(masked);
        if (tail.size() > TAIL_LINES) {
            tail.removeFirst();
        }
        lines.accept(masked);
    }
}
