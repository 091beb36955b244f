package dev.streamnorm.jobs.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --kafka-timeout}: how long the start-up checks wait for a Kafka broker. */
final class KafkaTimeoutOption {
    @Option(
            names = "--kafka-timeout",
            paramLabel = "DURATION",
            defaultValue = "30s",
            converter = DurationConverter.class,
            description =
                    "How long to wait for a Kafka broker before the job starts (default:"
                            + " ${DEFAULT-VALUE})")
    Duration kafkaTimeout;

    /** The timeout; a zero or negative one is an {@link IllegalArgumentException}. */
    Duration timeout() {
        if (kafkaTimeout.isZero() || kafkaTimeout.isNegative()) {
            throw new IllegalArgumentException(
                    "--kafka-timeout must be positive, got " + kafkaTimeout);
        }
        return kafkaTimeout;
    }
}
