package dev.streamnorm.jobs.cli;

import dev.streamnorm.jobs.io.KafkaSettings;
import dev.streamnorm.jobs.pipeline.Delivery;
import dev.streamnorm.jobs.pipeline.JobConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * How {@code streamnorm run} reads and writes Kafka: the sinks' delivery guarantee and
 * transactions, the client properties, the consumer group and where the input starts and ends.
 */
final class KafkaOptions {
    @Option(
            names = "--delivery",
            paramLabel = "GUARANTEE",
            defaultValue = "exactly-once",
            description = "exactly-once or at-least-once (default: ${DEFAULT-VALUE})")
    String delivery;

    @Option(
            names = "--kafka-property",
            paramLabel = "K=V",
            description = "Kafka client property for every source and sink (repeatable)")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Option(
            names = "--group-id",
            paramLabel = "ID",
            defaultValue = "streamnorm",
            description = "Kafka consumer group (default: ${DEFAULT-VALUE})")
    String groupId;

    @Option(
            names = "--starting-offsets",
            paramLabel = "WHERE",
            defaultValue = "committed",
            description =
                    "committed (else earliest), earliest or latest (default: ${DEFAULT-VALUE})")
    String startingOffsets;

    @Option(
            names = "--bounded",
            description =
                    "Kafka input: read up to the offsets that are the latest when the job starts,"
                            + " then finish like a file run")
    boolean bounded;

    @Option(
            names = "--transaction-timeout",
            paramLabel = "DURATION",
            defaultValue = "10min",
            converter = DurationConverter.class,
            description =
                    "Kafka transaction timeout, <= the broker's max (default: ${DEFAULT-VALUE})")
    Duration transactionTimeout;

    Delivery delivery() {
        return EnumOption.valueOf(Delivery.class, delivery, "--delivery");
    }

    KafkaSettings settings() {
        return new KafkaSettings(kafkaProperties);
    }

    JobConfig.StartingOffsets startingOffsets() {
        return EnumOption.valueOf(
                JobConfig.StartingOffsets.class, startingOffsets, "--starting-offsets");
    }
}
