package dev.streamnorm.jobs.pipeline;

import static org.apache.flink.util.Preconditions.checkArgument;

import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;

/**
 * How often a failed job restarts before the run gives up. Flink's default with checkpointing
 * restarts forever, which turns a lasting failure (a deleted topic, a full disk) into an endless
 * loop; streamnorm restarts from the last checkpoint with exponential back-off (1 s doubling up to
 * {@link #MAX_BACKOFF}) at most {@code attempts} times in a row, then fails the run. The count
 * starts over after an hour without failures, so a long-running job survives occasional failures.
 */
public final class RestartPolicy {
    /** The default number of restarts in a row. */
    public static final int DEFAULT_ATTEMPTS = 10;

    /** The longest wait between two restarts. */
    public static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    private RestartPolicy() {}

    /** Sets the restart strategy of {@code conf}: {@code attempts} restarts, 0 for none. */
    public static void apply(Configuration conf, int attempts) {
        checkArgument(attempts >= 0, "--restart-attempts must be >= 0, got %s", attempts);
        if (attempts == 0) {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            return;
        }
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
        conf.set(
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF,
                Duration.ofSeconds(1));
        conf.set(
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF, MAX_BACKOFF);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_BACKOFF_MULTIPLIER, 2.0);
        conf.set(
                RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_RESET_BACKOFF_THRESHOLD,
                Duration.ofHours(1));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS, attempts);
    }
}
