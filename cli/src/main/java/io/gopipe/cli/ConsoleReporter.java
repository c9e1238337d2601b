package io.gopipe.cli;

import io.gopipe.core.report.Progress;
import io.gopipe.core.report.Reporter;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Renders engine events on stderr: a redrawn progress bar on a terminal, plain progress lines
 * otherwise (CI logs), info and warnings as lines.
 */
final class ConsoleReporter implements Reporter {

    private final PrintWriter err;
    private final boolean tty;
    private boolean barShown;

    ConsoleReporter(PrintWriter err, boolean tty) {
        this.err = err;
        this.tty = tty;
    }

    boolean tty() {
        return tty;
    }

    @Override
    public synchronized void info(String message) {
        endProgress();
        err.println("gopipe: " + message);
        err.flush();
    }

    @Override
    public synchronized void warn(String message) {
        endProgress();
        err.println("WARNING: " + message);
        err.flush();
    }

    @Override
    public synchronized void progress(Progress p) {
        String rate = Units.human((long) p.bytesPerSecond()) + "/s";
        String eta = p.eta().map(d -> String.format(Locale.ROOT, " ETA %ds", d.toSeconds())).orElse("");
        String files = p.filesTotal() >= 0 ? p.filesDone() + "/" + p.filesTotal() + " files"
                : p.filesDone() > 0 ? p.filesDone() + " files" : "";
        String amount = Units.human(p.bytesDone()) + (p.bytesTotal() >= 0 ? "/" + Units.human(p.bytesTotal()) : "");
        if (tty) {
            int pct = p.bytesTotal() > 0 ? (int) Math.min(100, p.bytesDone() * 100 / p.bytesTotal()) : 0;
            int filled = pct * 30 / 100;
            err.print("\r" + p.task() + " [" + "#".repeat(filled) + " ".repeat(30 - filled) + "] " + pct + "% " + amount
                    + " " + files + " " + rate + eta + "   ");
            barShown = true;
        } else {
            err.println("gopipe: " + p.task() + ": " + amount + " " + files + " " + rate + eta);
        }
        err.flush();
    }

    /** Ends a progress bar line so the next output starts on its own line. */
    synchronized void endProgress() {
        if (barShown) {
            err.println();
            barShown = false;
        }
    }
}
