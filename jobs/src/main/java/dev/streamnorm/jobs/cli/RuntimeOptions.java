package dev.streamnorm.jobs.cli;

import dev.streamnorm.jobs.io.LocalPath;
import java.time.Duration;
import java.util.Locale;
import javax.annotation.Nullable;
import picocli.CommandLine.Option;

/**
 * How Flink runs the job of {@code streamnorm run}: its metrics endpoint, parallelism, checkpoints,
 * state backend and the savepoint it resumes from.
 */
final class RuntimeOptions {
    @Option(
            names = "--metrics-port",
            paramLabel = "PORT",
            description =
                    "Local runs: serve the job's metrics for Prometheus on 127.0.0.1:PORT/metrics")
    Integer metricsPort;

    @Option(names = "--parallelism", paramLabel = "P", description = "Job parallelism")
    Integer parallelism;

    @Option(
            names = "--checkpoint-interval",
            paramLabel = "DURATION",
            defaultValue = "5s",
            converter = DurationConverter.class,
            description = "Checkpoint (and Kafka commit) interval (default: ${DEFAULT-VALUE})")
    Duration checkpointInterval;

    @Option(
            names = "--state-backend",
            paramLabel = "NAME",
            defaultValue = "hashmap",
            description = "hashmap or rocksdb (default: ${DEFAULT-VALUE})")
    String stateBackend;

    @Option(
            names = "--checkpoint-dir",
            paramLabel = "URI",
            description = "Checkpoint directory; checkpoints are retained on cancel")
    String checkpointDir;

    @Option(
            names = "--from-savepoint",
            paramLabel = "PATH",
            description = "Resume from a savepoint or retained checkpoint")
    String fromSavepoint;

    /** A {@code --metrics-port} outside 1..65535 is an {@link IllegalArgumentException}. */
    void checkMetricsPort() {
        if (metricsPort != null && (metricsPort < 1 || metricsPort > 65535)) {
            throw new IllegalArgumentException(
                    "--metrics-port must be in 1..65535, got " + metricsPort);
        }
    }

    String stateBackend() {
        return stateBackend.toLowerCase(Locale.ROOT);
    }

    @Nullable
    String checkpointDir() {
        return checkpointDir == null ? null : LocalPath.flinkUri(checkpointDir);
    }

    /** Whether the job resumes from a savepoint (its stats included). */
    boolean resumes() {
        return fromSavepoint != null;
    }

    @Nullable
    String fromSavepoint() {
        return fromSavepoint == null ? null : LocalPath.flinkUri(fromSavepoint);
    }
}
