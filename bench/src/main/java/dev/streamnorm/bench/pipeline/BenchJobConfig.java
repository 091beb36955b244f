package dev.streamnorm.bench.pipeline;

import dev.streamnorm.jobs.io.Endpoint;
import dev.streamnorm.jobs.io.KafkaSettings;
import dev.streamnorm.jobs.pipeline.Delivery;
import dev.streamnorm.jobs.pipeline.JobConfig;
import dev.streamnorm.operators.Normalization;
import java.time.Duration;

/** The {@link JobConfig} of a benchmarked job: the CLI's defaults for everything not given. */
final class BenchJobConfig {
    private BenchJobConfig() {}

    /** {@code kafka}: Kafka client settings, as {@code --kafka-property} gives them. */
    static JobConfig of(
            String name,
            String input,
            String output,
            String deadLetter,
            Normalization normalization,
            Delivery delivery,
            Duration checkpointInterval,
            String stateBackend,
            String checkpointDir,
            int parallelism,
            KafkaSettings kafka) {
        return new JobConfig(
                name,
                Endpoint.parse(input),
                Endpoint.parse(output),
                Endpoint.parse(deadLetter),
                normalization,
                delivery,
                checkpointInterval,
                stateBackend,
                checkpointDir,
                null,
                parallelism,
                kafka,
                name.replace(' ', '-'),
                JobConfig.StartingOffsets.EARLIEST,
                false,
                Duration.ofMinutes(5),
                null,
                null,
                JobConfig.DEFAULT_STATS_UPDATES_IDLE,
                null);
    }
}
