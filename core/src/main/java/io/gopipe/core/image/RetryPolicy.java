package io.gopipe.core.image;

import java.time.Duration;

/**
 * How often and how patiently transient registry errors are retried: attempt n waits
 * {@code initialBackoff × factor^(n-1)} before it starts.
 *
 * @param attempts       total attempts, at least 1
 * @param initialBackoff wait before the second attempt
 * @param factor         growth of the wait per attempt
 */
public record RetryPolicy(int attempts, Duration initialBackoff, double factor) {

    public RetryPolicy {
        if (attempts < 1) {
            throw new InvalidImageConfigException("retry attempts must be at least 1, got " + attempts);
        }
    }

    /** Three attempts, waiting 2 s then 4 s. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(3, Duration.ofSeconds(2), 2.0);
    }

    /** The wait before attempt {@code attempt} (1-based; the first attempt does not wait). */
    public Duration backoffBefore(int attempt) {
        if (attempt <= 1) {
            return Duration.ZERO;
        }
        return Duration.ofMillis((long) (initialBackoff.toMillis() * Math.pow(factor, attempt - 2)));
    }
}
