package io.gopipe.core.report;

enum SilentReporter implements Reporter {
    INSTANCE;

    @Override
    public void info(String message) {
    }

    @Override
    public void warn(String message) {
    }

    @Override
    public void progress(Progress progress) {
    }
}
