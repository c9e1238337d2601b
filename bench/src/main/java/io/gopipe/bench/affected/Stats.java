package io.gopipe.bench.affected;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Median of a few timings (in ns), the figure the benchmark reports. */
final class Stats {

    private final List<Long> samples = new ArrayList<>();

    /** Adds a sample; a negative one (a figure that could not be taken) is skipped. */
    void add(long nanos) {
        if (nanos >= 0) {
            samples.add(nanos);
        }
    }

    boolean isEmpty() {
        return samples.isEmpty();
    }

    double medianSeconds() {
        if (samples.isEmpty()) {
            return Double.NaN;
        }
        List<Long> s = new ArrayList<>(samples);
        Collections.sort(s);
        int n = s.size();
        double mid = n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2.0;
        return mid / 1e9;
    }

    int count() {
        return samples.size();
    }
}
